/* Small behaviours of the web app, in a file because the Content-Security-Policy allows no inline
 * script or event handler attributes. */
document.addEventListener("focusin", function (e) {
  // A one-time secret shown once (a new API key): focusing it selects it, ready to copy.
  if (e.target.matches && e.target.matches("[data-select-on-focus]")) e.target.select();
});
