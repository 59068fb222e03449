/* In the widget's panel: Escape inside the frame closes the panel, as it does outside. On keyup,
 * so the frame is removed only after the key press has finished in it (removing it mid-press can
 * leave the browser waiting on a frame that is gone). A file, not inline: the Content-Security-Policy
 * allows no inline script. */
addEventListener("keyup", function (e) { if (e.key === "Escape") parent.postMessage({ glapp: "close" }, "*"); });
