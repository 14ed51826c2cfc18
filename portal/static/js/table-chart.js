// Progressive bar charts drawn from a page's own table (the table stays the accessible
// alternative): <div class="chart" data-chart-table="#sites" data-label-col="0"
// data-value-col="5" hidden>. Cell text goes onto the canvas only, never into HTML.
(function () {
  "use strict";
  if (!window.echarts) return;
  document.querySelectorAll("[data-chart-table]").forEach(function (box) {
    var table = document.querySelector(box.dataset.chartTable);
    if (!table) return;
    var labelCol = Number(box.dataset.labelCol), valueCol = Number(box.dataset.valueCol);
    var labels = [], values = [];
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var cells = row.querySelectorAll("th, td");
      var value = Number((cells[valueCol].textContent || "").replace(/[^0-9.-]/g, ""));
      if (!value) return;
      labels.push(cells[labelCol].textContent.trim());
      values.push(value);
    });
    if (!labels.length) return;
    box.hidden = false;
    box.style.height = Math.max(8, 2.5 * labels.length + 4) + "rem";
    var chart = window.echarts.init(box);
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: labels, inverse: true },
      series: [{ type: "bar", data: values, label: { show: true, position: "right" } }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
    box.dataset.ready = "true";
  });
})();
