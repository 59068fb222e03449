/* glapp survey widget. Embed on a page:
 *   <script>window.glapp=window.glapp||function(){(glapp.q=glapp.q||[]).push(arguments)};</script>
 *   <script src="https://glapp.example/w/widget.js" data-survey="PUBLIC_TOKEN" async></script>
 * then call glapp('event', 'checkout_completed') (or dispatch that event on window).
 * After the survey's event and delay it records a display (with a single-use token) and shows the
 * survey in a panel. It shows only on the sites the organization lists as its widget origins.
 * No dependencies, no cookies; a browser sees a survey at most once in 30 days. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-survey][src*='widget.js']");
  if (!script || window.__glappWidget) return;
  window.__glappWidget = true;
  var survey = script.getAttribute("data-survey") || "";
  var base = new URL(script.src, location.href).origin;
  var api = base + "/w/" + encodeURIComponent(survey);
  var SHOWN = "glapp:shown:" + survey;
  var QUIET_MS = 30 * 24 * 3600 * 1000;
  var queued = (window.glapp && window.glapp.q) || [];
  var config = null;
  var early = [];
  var triggered = false;

  function load(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } }
  function save(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ } }

  function shownRecently() {
    var at = parseInt(load(SHOWN) || "0", 10);
    return at > 0 && Date.now() - at < QUIET_MS;
  }

  function visitor() {
    var id = load("glapp:visitor");
    if (!id) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
      save("glapp:visitor", id);
    }
    return id;
  }

  function command(name, value) {
    if (name !== "event") return;
    if (!config) { early.push(value); return; }
    if (config.enabled && value === config.event) trigger();
  }

  function trigger() {
    if (triggered || shownRecently()) return;
    triggered = true;
    window.setTimeout(display, Math.max(0, config.delay_seconds || 0) * 1000);
  }

  function display() {
    // A single-use display token first (one per display, counted once), then the display itself:
    // text/plain keeps that POST a "simple" cross-origin request: no preflight, no cookies.
    fetch(api + "/display-token", { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (t) {
        if (!t || !t.token) return null;
        return fetch(api + "/displays", {
          method: "POST", credentials: "omit", headers: { "Content-Type": "text/plain" },
          body: JSON.stringify({ token: t.token, event: config.event, page: location.href.slice(0, 500),
                                 visitor: visitor() })
        }).then(function (r) { return r.ok ? r.json() : null; });
      }).then(function (d) {
        if (!d || !d.url) return;
        save(SHOWN, String(Date.now()));
        open(d.url);
      }).catch(function () { triggered = false; });
  }

  function open(url) {
    var previous = document.activeElement;
    var style = document.createElement("style");
    style.textContent =
      ".glapp-w{position:fixed;z-index:2147483000;right:.5rem;bottom:.5rem;width:min(26rem,calc(100vw - 1rem));" +
      "height:min(38rem,calc(100vh - 1rem));display:flex;flex-direction:column;background:#fff;color:#1b1b1b;" +
      "border:1px solid #595959;border-radius:.75rem;box-shadow:0 .5rem 2rem rgba(0,0,0,.3);overflow:hidden;" +
      "font:16px/1.4 system-ui,sans-serif}" +
      ".glapp-w header{display:flex;align-items:center;justify-content:space-between;padding:.25rem .25rem .25rem 1rem;" +
      "border-bottom:1px solid #d0d0cc}" +
      ".glapp-w h2{font-size:1rem;margin:0;font-weight:600}" +
      ".glapp-w button{min-width:44px;min-height:44px;border:0;background:transparent;font-size:1.5rem;line-height:1;" +
      "color:#1b1b1b;cursor:pointer;border-radius:.5rem}" +
      ".glapp-w button:focus-visible{outline:3px solid #0b5394;outline-offset:-3px}" +
      ".glapp-w iframe{flex:1;width:100%;border:0}";
    var panel = document.createElement("div");
    panel.className = "glapp-w";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "glapp-w-title");
    var header = document.createElement("header");
    var title = document.createElement("h2");
    title.id = "glapp-w-title";
    title.textContent = config.title || "";
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", config.close_label || "Close");
    close.textContent = "\u00d7";
    var frame = document.createElement("iframe");
    frame.src = url;
    frame.title = config.title || "";
    header.appendChild(title);
    header.appendChild(close);
    panel.appendChild(header);
    panel.appendChild(frame);
    document.head.appendChild(style);
    document.body.appendChild(panel);
    close.focus();

    function onKey(e) { if (e.key === "Escape") dismiss(); }
    // Escape pressed inside the survey's frame arrives as a message from glapp's origin.
    function onMessage(e) { if (e.origin === base && e.data && e.data.glapp === "close") dismiss(); }
    function dismiss() {
      document.removeEventListener("keydown", onKey);
      window.removeEventListener("message", onMessage);
      panel.remove();
      style.remove();
      if (previous && previous.focus) previous.focus();
    }
    close.addEventListener("click", dismiss);
    document.addEventListener("keydown", onKey);
    window.addEventListener("message", onMessage);
  }

  window.glapp = function () { command.apply(null, arguments); };
  queued.forEach(function (args) { command.apply(null, args); });
  fetch(api + "/config.json", { credentials: "omit" })
    .then(function (r) { return r.ok ? r.json() : { enabled: false }; })
    .then(function (c) {
      config = c;
      if (!config.enabled) return;
      window.addEventListener(config.event, trigger);
      early.forEach(function (value) { command("event", value); });
    })
    .catch(function () { config = { enabled: false }; });
}());
