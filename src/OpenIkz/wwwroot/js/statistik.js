// Draws the charts of /Register/Statistik with Chart.js (served from /lib/chartjs). Each <canvas data-chart="…"> carries its
// figures as JSON: {labels, datasets: [{label, data}], horizontal, unit, height}. The same figures stand in the table after
// the canvas; without this script the canvases stay hidden and the tables carry everything.
(function () {
  'use strict';
  if (typeof Chart === 'undefined') return;
  var palette = ['#0b5cad', '#b35000', '#2e7d32', '#6a1b9a', '#00727d', '#6d4c41'];
  var number = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 1 });
  Chart.defaults.font.family = "'Fira Sans', system-ui, sans-serif";
  Chart.defaults.color = '#171a2b';

  // Long category names become several lines on narrow screens (a label given as an array is drawn line by line).
  function wrap(label, width) {
    if (label.length <= width) return label;
    var lines = [], line = '';
    label.split(' ').forEach(function (word) {
      if (line && (line + ' ' + word).length > width) { lines.push(line); line = word; } else { line = line ? line + ' ' + word : word; }
    });
    if (line) lines.push(line);
    return lines;
  }

  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var spec;
    try { spec = JSON.parse(canvas.getAttribute('data-chart')); } catch (e) { return; }
    if (!spec || !spec.labels || spec.labels.length === 0) return;
    var unit = spec.unit === '%' ? ' %' : '';
    var box = canvas.parentElement;
    box.style.position = 'relative';
    box.style.height = spec.height + 'px';
    box.style.maxWidth = '60rem';
    canvas.hidden = false;
    var narrow = box.clientWidth < 640;
    var labels = spec.labels.map(function (l) { return wrap(l, narrow ? 16 : 36); });
    if (narrow && spec.horizontal) box.style.height = Math.round(spec.height * 1.4) + 'px';
    var valueAxis = {
      beginAtZero: true,
      ticks: { precision: 0, callback: function (v) { return number.format(v) + unit; } },
    };
    if (unit) valueAxis.max = 100;
    var categoryAxis = { ticks: { autoSkip: false } };
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: labels,
        datasets: spec.datasets.map(function (d, i) {
          return { label: d.label, data: d.data, backgroundColor: palette[i % palette.length] };
        }),
      },
      options: {
        indexAxis: spec.horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: spec.datasets.length > 1, position: 'bottom' },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = spec.horizontal ? ctx.parsed.x : ctx.parsed.y;
                return ctx.dataset.label + ': ' + number.format(v) + unit;
              },
            },
          },
        },
        scales: spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      },
    });
  });
})();
