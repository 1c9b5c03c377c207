/* Figures page: one chart per chosen metric, from the data the server embedded. */
(function () {
  "use strict";
  const data = document.getElementById("chart-data");
  const box = document.getElementById("charts");
  if (!data || !box) return;
  for (const spec of JSON.parse(data.textContent || "[]")) window.ReportChart.draw(box, spec);
})();
