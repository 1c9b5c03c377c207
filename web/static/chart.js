/* A small SVG line/bar chart, so no chart library (or CDN) is needed.
   spec = {type: "line"|"bar", title, unit, labels: [...], series: [{name, values: [number|null]}]} */
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const COLORS = ["#1f5fa8", "#c8553d", "#2a9d5c", "#8e5bb5", "#d08c00", "#3b8ea5", "#7a7a7a", "#b5446e"];
  const M = {top: 20, right: 16, bottom: 32, left: 56};

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceStep(range, ticks) {
    const raw = range / ticks;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  }

  function fmt(v) {
    return Math.abs(v) >= 10000 ? (v / 10000).toLocaleString("zh-CN", {maximumFractionDigits: 1}) + "万"
      : v.toLocaleString("zh-CN", {maximumFractionDigits: 2});
  }

  function shorten(label, n) {
    label = String(label);
    return label.length > n ? label.slice(0, n - 1) + "…" : label;
  }

  function draw(container, spec) {
    // Drawn at the container's own width, so text keeps its size on a phone instead of shrinking.
    const W = Math.max(300, Math.min(720, (container.clientWidth || 640) - 24));
    const H = Math.round(Math.max(220, Math.min(320, W * 0.5)));
    const values = spec.series.flatMap((s) => s.values).filter((v) => typeof v === "number" && Number.isFinite(v));
    if (!values.length || !spec.labels.length) return null;
    let lo = Math.min(0, ...values), hi = Math.max(0, ...values);
    if (hi === lo) hi = lo + 1;
    const step = niceStep(hi - lo, 5);
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
    const plotW = W - M.left - M.right, plotH = H - M.top - M.bottom;
    const y = (v) => M.top + plotH - ((v - lo) / (hi - lo)) * plotH;
    const n = spec.labels.length;
    const band = plotW / n;
    const xCenter = (i) => M.left + band * (i + 0.5);

    const title = (spec.title || "图表") + (spec.unit ? "（单位：" + spec.unit + "）" : "");
    const root = svg("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title, class: "chart-svg"});
    root.append(svg("title", {}, title));

    for (let v = lo; v <= hi + step / 2; v += step) {
      root.append(svg("line", {x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: v === 0 ? "axis" : "grid"}));
      root.append(svg("text", {x: M.left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick"}, fmt(v)));
    }
    const maxChars = Math.max(3, Math.floor(band / 13));
    spec.labels.forEach((label, i) => {
      const t = svg("text", {x: xCenter(i), y: H - M.bottom + 18, "text-anchor": "middle", class: "tick"},
        shorten(label, maxChars));
      t.append(svg("title", {}, String(label)));
      root.append(t);
    });

    const few = n * spec.series.length <= 16;
    if (spec.type === "line") {
      spec.series.forEach((s, si) => {
        const color = COLORS[si % COLORS.length];
        let d = "";
        s.values.forEach((v, i) => {
          if (typeof v !== "number") { return; }
          d += (d && typeof s.values[i - 1] === "number" ? "L" : "M") + xCenter(i) + "," + y(v);
        });
        root.append(svg("path", {d, fill: "none", stroke: color, "stroke-width": 2.5}));
        s.values.forEach((v, i) => {
          if (typeof v !== "number") return;
          const dot = svg("circle", {cx: xCenter(i), cy: y(v), r: 4, fill: color});
          dot.append(svg("title", {}, `${s.name} ${spec.labels[i]}：${v.toLocaleString("zh-CN")}${spec.unit || ""}`));
          root.append(dot);
          if (few) root.append(svg("text", {x: xCenter(i), y: y(v) - 8, "text-anchor": "middle", class: "value"}, fmt(v)));
        });
      });
    } else {
      const k = spec.series.length;
      const barW = Math.min(48, (band * 0.8) / k);
      spec.series.forEach((s, si) => {
        const color = COLORS[si % COLORS.length];
        s.values.forEach((v, i) => {
          if (typeof v !== "number") return;
          const x = xCenter(i) - (barW * k) / 2 + barW * si;
          const top = Math.min(y(v), y(0));
          const bar = svg("rect", {x, y: top, width: Math.max(1, barW - 2), height: Math.max(1, Math.abs(y(v) - y(0))), fill: color});
          bar.append(svg("title", {}, `${s.name} ${spec.labels[i]}：${v.toLocaleString("zh-CN")}${spec.unit || ""}`));
          root.append(bar);
          if (few) root.append(svg("text", {x: x + barW / 2 - 1, y: top - 5, "text-anchor": "middle", class: "value"}, fmt(v)));
        });
      });
    }

    const figure = document.createElement("figure");
    figure.className = "chart";
    const caption = document.createElement("figcaption");
    caption.textContent = title;
    figure.append(caption, root);
    if (spec.series.length > 1 || spec.type === "line") {
      const legend = document.createElement("ul");
      legend.className = "legend";
      spec.series.forEach((s, si) => {
        const item = document.createElement("li");
        const sw = document.createElementNS(NS, "svg");
        sw.setAttribute("viewBox", "0 0 10 10");
        sw.setAttribute("class", "swatch");
        sw.setAttribute("aria-hidden", "true");
        sw.append(svg("rect", {width: 10, height: 10, fill: COLORS[si % COLORS.length]}));
        item.append(sw, document.createTextNode(s.name));
        legend.append(item);
      });
      figure.append(legend);
    }
    container.append(figure);
    return figure;
  }

  function toNumber(cell) {
    if (typeof cell === "number") return Number.isFinite(cell) ? cell : null;
    if (typeof cell !== "string") return null;
    const m = cell.replace(/,/g, "").match(/^\s*(-?\d+(?:\.\d+)?)\s*\D{0,4}\s*$/);
    return m ? Number(m[1]) : null;
  }

  const isYear = (cell) => /^(19|20|21)\d\d(年)?$/.test(String(cell).trim());

  /* An answer's table {columns, rows} as a chart spec, or null when it holds nothing to draw.
     The first column names the points (years give a line, anything else bars); every other
     all-numeric column is a series; a text column named 单位 gives the unit; other text is left out. */
  function fromTable(table, title) {
    if (!table || !Array.isArray(table.columns) || !Array.isArray(table.rows) || table.rows.length < 2) return null;
    const cols = table.columns.map(String);
    // chart_columns names the label column and the value columns when the first column is not the label
    // (a ranking's 排名) or some numbers are not values (years).
    const pick = Array.isArray(table.chart_columns) ? table.chart_columns.map((c) => cols.indexOf(String(c))) : null;
    if (pick && pick.some((j) => j < 0)) return null;
    const labelCol = pick ? pick[0] : 0;
    const valueCols = [];
    let unit = "";
    cols.forEach((name, j) => {
      if (j === labelCol || (pick && !pick.includes(j) && !/单位/.test(name))) return;
      const cells = table.rows.map((r) => r[j]).filter((c) => c !== null && c !== undefined && c !== "");
      if (!cells.length) return;
      if (cells.every((c) => toNumber(c) !== null)) valueCols.push(j);
      else if (/单位/.test(name)) {
        const units = new Set(cells.map(String));
        if (units.size === 1) unit = cells[0];
      }
    });
    if (!valueCols.length) return null;
    return {
      type: table.rows.every((r) => isYear(r[labelCol])) ? "line" : "bar",
      title: title || cols.filter((_, j) => valueCols.includes(j)).join("、"),
      unit,
      labels: table.rows.map((r) => String(r[labelCol] ?? "")),
      series: valueCols.map((j) => ({name: valueCols.length === 1 && title ? title : cols[j],
                                     values: table.rows.map((r) => toNumber(r[j]))})),
    };
  }

  window.ReportChart = {draw, fromTable};
})();
