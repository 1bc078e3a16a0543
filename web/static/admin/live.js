/* Live boards: listen to /admin/live (Server-Sent Events) and refetch this board's fragment.
   The server ends each stream after a while (the browser reconnects by itself) and refuses
   streams when it holds too many (503): then the board polls and opens a stream again later. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root || !window.EventSource) { return; }
  var state = document.getElementById("live-state");
  var fragmentUrl = root.getAttribute("data-fragment");
  var liveUrl = root.getAttribute("data-live");
  var timer = null, inflight = false, again = false, seenHello = false;
  var poller = null, reopen = null, failures = 0;
  var POLL_MS = 15000;

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

  function polling(on) {
    if (on && !poller) { poller = setInterval(refresh, POLL_MS); }
    if (!on && poller) { clearInterval(poller); poller = null; }
  }

  function open() {
    reopen = null;
    var source = new EventSource(liveUrl);
    source.addEventListener("hello", function () {
      failures = 0;
      polling(false);
      show(true, "实时");
      if (seenHello) { soon(); }  // reconnected: we may have missed changes
      seenHello = true;
    });
    source.addEventListener("change", soon);
    source.onerror = function () {
      if (source.readyState !== EventSource.CLOSED) { show(false, "重连中…"); return; }
      // Refused (server busy) or failed for good: poll, and try a stream again later.
      source.close();
      show(false, "定时刷新");
      polling(true);
      refresh();
      failures = Math.min(failures + 1, 5);
      if (!reopen) { reopen = setTimeout(open, (15 + Math.random() * 15) * 1000 * failures); }
    };
  }

  open();
  setInterval(refresh, 60000);  // a safety net if a proxy swallows events
})();
