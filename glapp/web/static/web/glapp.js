/* Small behaviours of the web app, in a file because the Content-Security-Policy allows no inline
 * script or event handler attributes. */
document.addEventListener("focusin", function (e) {
  // A one-time secret shown once (a new API key): focusing it selects it, ready to copy.
  if (e.target.matches && e.target.matches("[data-select-on-focus]")) e.target.select();
});

document.addEventListener("change", function (e) {
  // A form that asks as you type in one field (data-ignore-change-from="<its id>") must not ask again
  // when that field loses focus: stopped here, before the form's htmx trigger hears it.
  var form = e.target.form;
  if (form && form.dataset.ignoreChangeFrom && form.dataset.ignoreChangeFrom === e.target.id) e.stopPropagation();
}, true);
