/* Climate City Contract trajectory (issue 10): a line chart of the inventory years and the
   paths, and a bar chart of the gap per sector, drawn with Chart.js (static/vendor/chartjs) from
   the JSON island "trajectory-data" that contracts/_trajectory.html writes with json_script
   ({years, lines: [{key, label, values, points}], sectors: {labels, bars: [...]}, unit}).
   Each <canvas data-trajectory-chart="lines|sectors"> has role="img" and an aria-label; the
   tables beside them hold the same numbers. No inline script: CSP. */
(function () {
  "use strict";

  var INK = "#1b1f23"; // --ink
  var GRID = "#c9d2cc"; // --line
  // Distinct colours and dashes, so that lines differ without colour too.
  var STYLE = {
    inventory: { color: "#07503a", dash: [] },
    path: { color: "#1f5fa8", dash: [6, 4] },
    minimum: { color: "#a4161a", dash: [2, 3] },
    bau: { color: "#4a5560", dash: [10, 4, 2, 4] },
    portfolio: { color: "#b35c00", dash: [] },
    required: { color: "#1f5fa8" },
    expected: { color: "#0b6e4f" },
    gap: { color: "#a4161a" },
  };

  function grouped(value) {
    return typeof value === "number" ? value.toLocaleString() : value;
  }

  function lines(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.years,
        datasets: data.lines.map(function (line) {
          var style = STYLE[line.key] || { color: INK, dash: [] };
          return {
            label: line.label,
            data: line.values,
            borderColor: style.color,
            backgroundColor: style.color,
            borderDash: style.dash,
            pointRadius: line.points ? 4 : 0,
            pointHoverRadius: 5,
            spanGaps: true,
            tension: 0,
          };
        }),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { labels: { color: INK } },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + grouped(item.parsed.y) + " t";
              },
            },
          },
        },
        scales: {
          x: { grid: { color: GRID }, ticks: { color: INK } },
          y: {
            beginAtZero: true,
            grid: { color: GRID },
            ticks: { color: INK, callback: grouped },
            title: { display: true, text: data.unit, color: INK },
          },
        },
      },
    });
  }

  function sectors(canvas, data) {
    var box = canvas.parentNode;
    box.style.height = 80 + 70 * data.sectors.labels.length + "px"; // CSSOM: CSP allows it
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.sectors.labels,
        datasets: data.sectors.bars.map(function (bar) {
          var style = STYLE[bar.key] || { color: INK };
          return { label: bar.label, data: bar.values, backgroundColor: style.color };
        }),
      },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { labels: { color: INK } } },
        scales: {
          x: {
            grid: { color: GRID },
            ticks: { color: INK, callback: grouped },
            title: { display: true, text: data.unit, color: INK },
          },
          y: { grid: { display: false }, ticks: { color: INK, autoSkip: false } },
        },
      },
    });
  }

  function draw() {
    if (typeof window.Chart !== "function") {
      return;
    }
    var island = document.getElementById("trajectory-data");
    if (!island) {
      return;
    }
    var data = JSON.parse(island.textContent);
    var canvases = document.querySelectorAll("canvas[data-trajectory-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      if (canvas.getAttribute("data-drawn") === "1") {
        return;
      }
      var kind = canvas.getAttribute("data-trajectory-chart");
      if (kind === "lines") {
        lines(canvas, data);
      } else if (kind === "sectors" && data.sectors.labels.length) {
        sectors(canvas, data);
      }
      canvas.setAttribute("data-drawn", "1");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
