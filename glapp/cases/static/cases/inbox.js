/* The case inbox by keyboard: j / k move between cases, Enter opens, x selects, a goes to the
 * owner picker of the bulk assignment. Progressive enhancement: without this file every case is
 * a link and every checkbox a checkbox. The list refreshes itself (HTMX polling); the current
 * row and the selection survive a refresh. */
(function () {
  var current = null; // the case id of the current row

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#inbox-results tr.caserow")); }

  function mark(row) {
    rows().forEach(function (r) { r.classList.remove("current"); });
    if (!row) return;
    row.classList.add("current");
    current = row.dataset.case;
    var link = row.querySelector("a.caselink");
    if (link) link.focus();
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target) || !document.getElementById("inbox-results")) return;
    var all = rows();
    if (!all.length) return;
    var index = all.findIndex(function (r) { return r.dataset.case === current; });
    if (e.key === "j" || e.key === "k") {
      var next = e.key === "j" ? Math.min(index + 1, all.length - 1) : Math.max(index - 1, 0);
      mark(all[index < 0 ? 0 : next]);
      e.preventDefault();
    } else if (e.key === "x" && index >= 0) {
      var box = all[index].querySelector("input[type=checkbox]");
      if (box) box.checked = !box.checked;
      e.preventDefault();
    } else if (e.key === "a") {
      var owner = document.getElementById("bulk-owner");
      if (owner) { owner.focus(); e.preventDefault(); }
    } else if (e.key === "Enter" && index >= 0 && e.target === document.body) {
      var link = all[index].querySelector("a.caselink");
      if (link) link.click();
    }
  });

  document.addEventListener("focusin", function (e) {
    var row = e.target.closest && e.target.closest("#inbox-results tr.caserow");
    if (row) {
      rows().forEach(function (r) { r.classList.toggle("current", r === row); });
      current = row.dataset.case;
    }
  });

  // A refresh replaces the list: keep the selection and the current row.
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (!e.detail.target || e.detail.target.id !== "inbox-results") return;
    var focusedInList = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("#inbox-results");
    kept = {
      checked: Array.prototype.map.call(document.querySelectorAll("#inbox-results input[name=cases]:checked"),
        function (b) { return b.value; }),
      focus: !!focusedInList
    };
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!kept) return;
    kept.checked.forEach(function (id) {
      var box = document.getElementById("sel-" + id);
      if (box) box.checked = true;
    });
    var row = current && document.querySelector('#inbox-results tr.caserow[data-case="' + current + '"]');
    if (row) {
      row.classList.add("current");
      if (kept.focus) { var link = row.querySelector("a.caselink"); if (link) link.focus(); }
    }
    kept = null;
  });
})();
