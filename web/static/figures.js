/* Figures page: a filter for the long metric list, the chosen metrics spelled out,
   and one chart per chosen metric from the data the server embedded. */
(function () {
  "use strict";
  const select = document.getElementById("metric");
  const filter = document.getElementById("metric-filter");
  const chosenList = document.getElementById("chosen-metrics");

  function showChosen() {
    const picked = [...select.selectedOptions].map((o) => `${o.parentElement.label} · ${o.textContent.trim()}`);
    chosenList.replaceChildren(...picked.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
  }

  if (select && filter && chosenList) {
    filter.hidden = false;
    filter.addEventListener("input", () => {
      const words = filter.value.trim().split(/\s+/).filter(Boolean);
      for (const group of select.querySelectorAll("optgroup")) {
        let any = false;
        for (const option of group.children) {
          const text = group.label + " " + option.textContent;
          const match = option.selected || words.every((w) => text.includes(w));
          option.hidden = !match;
          any = any || match;
        }
        group.hidden = !any;
      }
    });
    select.addEventListener("change", showChosen);
    showChosen();
  }

  const data = document.getElementById("chart-data");
  const box = document.getElementById("charts");
  if (!data || !box) return;
  for (const spec of JSON.parse(data.textContent || "[]")) {
    // Each chart gets its own cell first, so it is drawn at the cell's width.
    const cell = document.createElement("div");
    box.append(cell);
    window.ReportChart.draw(cell, spec);
  }
})();
