/* Survey analytics: horizontal bar charts drawn with Chart.js (static/vendor/chartjs) from the
   JSON island "analytics-charts" the page writes with json_script ({key: {labels, values, label,
   measure, min, max}}). Each chart is a <canvas data-chart="<key>">
   with role="img" and an aria-label; the table beside it holds the same numbers. Charts are drawn
   on load and again in content htmx swaps in (the filter form). No inline script: CSP. */
(function () {
  "use strict";

  var BAR = "#0b6e4f"; // --brand
  var GRID = "#c9d2cc"; // --line
  var INK = "#1b1f23"; // --ink

  function draw(root) {
    if (typeof window.Chart !== "function") {
      return;
    }
    var island = document.getElementById("analytics-charts");
    if (!island) {
      return;
    }
    var specs = JSON.parse(island.textContent);
    var canvases = root.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var spec = specs[canvas.getAttribute("data-chart")];
      if (!spec || canvas.getAttribute("data-drawn") === "1") {
        return;
      }
      var box = canvas.parentNode;
      // Room for every bar (CSSOM, not a style attribute: CSP allows it).
      box.style.height = 48 + 30 * spec.labels.length + "px";
      var x = { beginAtZero: true, grid: { color: GRID }, ticks: { color: INK, precision: 0 } };
      if (spec.measure === "mean") {
        x.min = spec.min;
        x.max = spec.max;
        delete x.beginAtZero;
        x.ticks.precision = undefined;
      }
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: spec.labels,
          datasets: [{ label: spec.label, data: spec.values, backgroundColor: BAR }],
        },
        options: {
          indexAxis: "y",
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { display: false } },
          scales: { x: x, y: { grid: { display: false }, ticks: { color: INK, autoSkip: false } } },
        },
      });
      canvas.setAttribute("data-drawn", "1");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    draw(document); // the swapped results replace their canvases; drawn ones are skipped
  });
})();
