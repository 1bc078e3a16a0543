/* Order form pickers: search customers and products as you type (plain fetch, no library). */
(function () {
  var form = document.getElementById("order-form");
  if (!form) return;
  function esc(t) { var d = document.createElement("div"); d.textContent = t == null ? "" : String(t); return d.innerHTML; }
  function qty(n) { return Math.round(n * 1000) / 1000; }
  function picker(input, list, hidden, url, label, onPick) {
    var timer = null;
    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(input.value.trim()), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (rows) {
            list.innerHTML = rows.length ? "" : "<li class='muted'>没有匹配的记录</li>";
            rows.forEach(function (row) {
              var li = document.createElement("li");
              var b = document.createElement("button");
              b.type = "button";
              b.innerHTML = label(row);
              b.addEventListener("click", function () {
                hidden.value = row.id;
                input.value = row.code ? row.code + " " + row.name : row.name;
                list.innerHTML = "";
                onPick(row.id);
              });
              li.appendChild(b);
              list.appendChild(li);
            });
          });
      }, 200);
    });
  }
  var hist = document.getElementById("customer-history"), hint = document.getElementById("buffer-hint");
  function showBuffers() {
    var cid = document.getElementById("customer-id").value, pid = document.getElementById("product-id").value;
    if (!cid) { hint.textContent = ""; return; }
    fetch(form.dataset.buffer + "?customer_id=" + encodeURIComponent(cid) + "&product_id=" + encodeURIComponent(pid),
      {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (b) { hint.innerHTML = b.lines.map(function (l) { return "交期参考：" + esc(l); }).join("<br>"); });
  }
  picker(document.getElementById("customer-q"), document.getElementById("customer-picks"),
    document.getElementById("customer-id"), form.dataset.customers,
    function (c) { return esc(c.name) + (c.short_name ? " <small>" + esc(c.short_name) + "</small>" : "") +
      (c.contact ? " <small>联系人 " + esc(c.contact) + "</small>" : ""); },
    function (id) {
      fetch(form.dataset.customers + "/" + id, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (c) {
          hist.textContent = c.history || "";
          showBuffers();
          var owner = document.getElementById("owner-name");
          if (owner) owner.textContent = c.owner || "（未指定）";
        });
    });
  var bom = document.getElementById("product-bom");
  picker(document.getElementById("product-q"), document.getElementById("product-picks"),
    document.getElementById("product-id"), form.dataset.products,
    function (p) { return esc(p.code) + " " + esc(p.name) + (p.spec ? " <small>" + esc(p.spec) + "</small>" : ""); },
    function (id) {
      fetch(form.dataset.products + "/" + id, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (p) {
          showBuffers();
          if (!p.bom.length) { bom.textContent = "该产品没有录入物料清单。"; return; }
          var html = "<table class='bom'><thead><tr><th>物料</th><th>每件用量</th><th>损耗</th><th>库存</th></tr></thead><tbody>";
          p.bom.forEach(function (b) {
            html += "<tr><td>" + esc(b.material) + "</td><td>" + qty(b.per_unit) + " " + esc(b.unit) + "</td><td>" +
              qty(b.scrap_pct) + "%</td><td>" + qty(b.stock) + " " + esc(b.unit) + "</td></tr>";
          });
          bom.innerHTML = html + "</tbody></table>";
        });
    });
})();
