/* ERP upload page: follow the import job (rows done / total) until its report is ready. */
(function () {
  var box = document.getElementById("import-job");
  if (!box || box.dataset.state === "done" || box.dataset.state === "failed") return;
  var bar = document.getElementById("import-bar"), count = document.getElementById("import-count");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) {
      if (r.status === 404) return r.json();
      if (!r.ok) throw new Error("busy");  // a busy database: ask again a little later
      return r.json();
    }).then(function (j) {
      if (j.error) { count.textContent = j.error; return; }
      bar.max = j.total || 1; bar.value = j.done;
      count.textContent = j.state === "queued" ? "排队中…" : "已处理 " + j.done + " / " + j.total + " 行" +
        (j.state === "done" ? "，完成" : "");
      if (j.state === "done" || j.state === "failed") { location.reload(); return; }
      setTimeout(poll, 500);
    }).catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 300);
})();
