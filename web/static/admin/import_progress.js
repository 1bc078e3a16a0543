/* ERP upload page: follow the import job (rows done / total) until its report is ready. The job's progress
   is pushed over Server-Sent Events; without EventSource, or when the stream fails, the page polls. */
(function () {
  var box = document.getElementById("import-job");
  if (!box || box.dataset.state === "done" || box.dataset.state === "failed") return;
  var bar = document.getElementById("import-bar"), count = document.getElementById("import-count");
  var finished = false;
  function show(j) {
    if (j.error) { count.textContent = j.error; return true; }
    bar.max = j.total || 1; bar.value = j.done;
    count.textContent = j.state === "queued" ? "排队中…" : "已处理 " + j.done + " / " + j.total + " 行" +
      (j.state === "done" ? "，完成" : "");
    if ((j.state === "done" || j.state === "failed") && !finished) { finished = true; location.reload(); return true; }
    return false;
  }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) {
      if (r.status === 404) return r.json();
      if (!r.ok) throw new Error("busy");  // a busy database: ask again a little later
      return r.json();
    }).then(function (j) {
      if (!show(j)) setTimeout(poll, 500);
    }).catch(function () { setTimeout(poll, 2000); });
  }
  if (!window.EventSource || !box.dataset.events) { setTimeout(poll, 300); return; }
  var source = new EventSource(box.dataset.events), failures = 0;
  box.dataset.push = "1";
  source.onmessage = function (e) {
    failures = 0;
    if (show(JSON.parse(e.data))) source.close();
  };
  source.onerror = function () {
    if (finished) return;
    // refused (503 when the server's streams are all taken: the browser does not retry that) or failing: poll
    if (source.readyState === EventSource.CLOSED || ++failures >= 3) { source.close(); box.dataset.push = ""; poll(); }
  };
})();
