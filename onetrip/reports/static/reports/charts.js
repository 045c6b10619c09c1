/* Reform metrics charts (ECharts, served from this site). Each element with data-chart names a
   <script type="application/json"> block holding {kind, title, labels, series, reference}; the
   tables on the page say the same in text. Nothing here is needed to read the figures. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var green = "#1d5e20", blue = "#0b3d75", amber = "#8a5a00", red = "#a4161a";
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var d = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var colours = [green, blue, amber];
    var series = d.series.map(function (s, i) {
      var one = {
        name: s.name, type: d.kind, data: s.data, itemStyle: { color: colours[i % colours.length] },
        label: d.kind === "bar" ? { show: true, position: "right", formatter: "{c}%" } : undefined
      };
      if (s.reference !== null && s.reference !== undefined) {
        one.markLine = {
          symbol: "none", lineStyle: { color: red, type: "dashed" },
          label: { formatter: s.reference_label || (s.reference + "%"), position: d.kind === "bar" ? "end" : "insideEndTop" },
          data: [d.kind === "bar" ? { xAxis: s.reference } : { yAxis: s.reference }]
        };
      }
      return one;
    });
    var valueAxis = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
    var categoryAxis = { type: "category", data: d.labels, axisLabel: { interval: 0 } };
    chart.setOption({
      aria: { enabled: true, label: { description: d.title } },
      animation: false,
      legend: { top: 0 },
      grid: { left: d.kind === "bar" ? 110 : 40, right: 50, top: 44, bottom: 30, containLabel: false },
      xAxis: d.kind === "bar" ? valueAxis : categoryAxis,
      yAxis: d.kind === "bar" ? { type: "category", data: d.labels, inverse: true } : valueAxis,
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
