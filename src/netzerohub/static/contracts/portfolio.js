/* The investment plan's chart (contracts/investment.html), drawn with Chart.js (vendored) from
   the JSON island "investment-chart" that the page writes with json_script: {labels, needs,
   secured, expected, gap, names}. Bars: funding secured, expected and the gap stacked per year;
   a line: the capital needs. The canvas has role="img" and an aria-label; the table beside it
   holds the same numbers. No inline script or style: CSP. */
(function () {
  "use strict";

  var INK = "#1b1f23";
  var GRID = "#c9d2cc";

  function draw() {
    var island = document.getElementById("investment-chart");
    var canvas = document.querySelector("canvas[data-chart='investment']");
    if (!island || !canvas || typeof window.Chart !== "function") {
      return;
    }
    var data = JSON.parse(island.textContent);
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "line", label: data.names.needs, data: data.needs, borderColor: INK,
            backgroundColor: INK, pointRadius: 4, order: 0, stack: "needs" },
          { type: "bar", label: data.names.secured, data: data.secured,
            backgroundColor: "#1d6b2f", stack: "funding", order: 1 },
          { type: "bar", label: data.names.expected, data: data.expected,
            backgroundColor: "#6a9bd1", stack: "funding", order: 1 },
          { type: "bar", label: data.names.gap, data: data.gap,
            backgroundColor: "#a4161a", stack: "funding", order: 1 },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { labels: { color: INK } } },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { color: INK } },
          y: { stacked: true, beginAtZero: true, grid: { color: GRID }, ticks: { color: INK } },
        },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
