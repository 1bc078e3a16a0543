/* Draws the insight charts with the vendored ECharts from the JSON the page embeds (#insight-data).
   Each <div class="chart" data-chart="name"> gets the chart of that name; labels are Chinese. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("insight-data").textContent);
  var fig = data.figures || {};
  var pct = function (v) { return v == null ? null : Math.round(v * 1000) / 10; };
  var grid = { left: 48, right: 48, top: 48, bottom: 40, containLabel: true };

  function pie(title, rows) {
    return { title: { text: title, left: "center", textStyle: { fontSize: 14 } }, tooltip: { trigger: "item" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["35%", "62%"], top: 20, bottom: 30,
        data: rows.map(function (r) { return { name: r.label, value: r.count }; }) }] };
  }

  var charts = {
    trend: function (t) {
      var rows = (fig.delivery || {}).trend || [];
      return { title: { text: t, textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" }, grid: grid,
        legend: { data: ["签收单数", "准时率 %"], right: 0 },
        xAxis: { type: "category", data: rows.map(function (r) { return r.day.slice(5); }) },
        yAxis: [{ type: "value", name: "单" }, { type: "value", name: "%", max: 100, min: 0 }],
        series: [{ name: "签收单数", type: "bar", data: rows.map(function (r) { return r.delivered; }) },
                 { name: "准时率 %", type: "line", yAxisIndex: 1, data: rows.map(function (r) { return pct(r.on_time_rate); }) }] };
    },
    lead: function (t) {
      var rows = (fig.delivery || {}).lead_histogram || [];
      return { title: { text: t, textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" }, grid: grid,
        xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), name: "周期" },
        yAxis: { type: "value", name: "订单数", minInterval: 1 },
        series: [{ name: "订单数", type: "bar", data: rows.map(function (r) { return r.orders; }) }] };
    },
    status_now: function (t) {
      var rows = fig.status_now || [];
      return { title: { text: t, textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" }, grid: grid,
        xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { interval: 0, rotate: 40 } },
        yAxis: { type: "value", name: "订单数" }, series: [{ name: "订单数", type: "bar", data: rows.map(function (r) { return r.orders; }) }] };
    },
    dwell: function (t) {
      var rows = fig.dwell || [];
      return { title: { text: t, textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" }, grid: grid,
        legend: { data: ["50 分位", "90 分位"], right: 0 },
        xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { interval: 0, rotate: 40 } },
        yAxis: { type: "value", name: "小时" },
        series: [{ name: "50 分位", type: "bar", data: rows.map(function (r) { return r.p50_hours; }) },
                 { name: "90 分位", type: "bar", data: rows.map(function (r) { return r.p90_hours; }) }] };
    },
    line_load: function (t) {
      var rows = (fig.line_load || {}).lines || [];
      return { title: { text: t, textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" }, grid: { left: 48, right: 48, top: 48, bottom: 48, containLabel: true },
        legend: { data: ["负荷 %", "已排工时", "产能工时"], bottom: 0 },
        xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { interval: 0 } },
        yAxis: [{ type: "value", name: "%", min: 0 }, { type: "value", name: "小时", min: 0 }],
        series: [{ name: "负荷 %", type: "bar", data: rows.map(function (r) { return pct(r.load_rate); }) },
                 { name: "已排工时", type: "line", yAxisIndex: 1, data: rows.map(function (r) { return r.planned_hours; }) },
                 { name: "产能工时", type: "line", yAxisIndex: 1, lineStyle: { type: "dashed" },
                   data: rows.map(function (r) { return r.capacity_hours; }) }] };
    },
    sources: function (t) { return pie(t, fig.sources || []); },
    chat: function (t) { return pie(t, ((fig.chat || {}).by_status) || []); },
    delays: function (t) {
      var rows = (data.buffer || {}).delays || [];
      return { title: { text: t, textStyle: { fontSize: 14 } }, tooltip: { trigger: "axis" }, grid: grid,
        xAxis: { type: "category", name: "工作日", data: rows.map(function (r) { return "迟 " + r.days + " 天"; }) },
        yAxis: { type: "value", name: "订单数", minInterval: 1 },
        series: [{ name: "订单数", type: "bar", data: rows.map(function (r) { return r.orders; }) }] };
    }
  };

  var drawn = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var make = charts[el.dataset.chart];
    if (!make) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var option = make(el.dataset.title);
    option.animation = false;
    chart.setOption(option);
    el.dataset.ready = "1";
    drawn.push(chart);
  });
  window.addEventListener("resize", function () { drawn.forEach(function (c) { c.resize(); }); });
})();
