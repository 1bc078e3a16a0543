/* Live boards: listen to /admin/live (Server-Sent Events) and refetch this board's fragment. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root || !window.EventSource) { return; }
  var state = document.getElementById("live-state");
  var fragmentUrl = root.getAttribute("data-fragment");
  var timer = null, inflight = false, again = false, seenHello = false;

  function show(on, text) {
    if (state) { state.className = "live-state " + (on ? "on" : "off"); state.textContent = text; }
  }

  function refresh() {
    if (inflight) { again = true; return; }
    inflight = true;
    fetch(fragmentUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.redirected || r.status === 401 || r.status === 403) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          root.innerHTML = html;
          root.setAttribute("data-version", String(Date.now()));
        }
      })
      .catch(function () { /* the next event or the periodic refresh tries again */ })
      .then(function () {
        inflight = false;
        if (again) { again = false; refresh(); }
      });
  }

  function soon() { clearTimeout(timer); timer = setTimeout(refresh, 100); }

  var source = new EventSource(root.getAttribute("data-live"));
  source.addEventListener("hello", function () {
    show(true, "实时");
    if (seenHello) { soon(); }  // reconnected: we may have missed changes
    seenHello = true;
  });
  source.addEventListener("change", soon);
  source.onerror = function () { show(false, "重连中…"); };
  setInterval(refresh, 60000);  // a safety net if a proxy swallows events
})();
