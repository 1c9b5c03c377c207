/* DOM helpers shared by the pages. Text from users and reports only ever
   becomes text nodes (never innerHTML), so it cannot turn into markup. */
(function () {
  "use strict";

  // el("a", {href: "/x", class: "y"}, "text", otherNode) -> element
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function formatNumber(value) {
    if (typeof value !== "number" || !Number.isFinite(value)) return value == null ? "—" : String(value);
    // Grouping only for large numbers: "2021" or "144" read better plain.
    return value.toLocaleString("zh-CN", {maximumFractionDigits: 4, useGrouping: Math.abs(value) >= 10000});
  }

  // text with the [start, end) spans wrapped in <mark>; overlapping or out-of-range spans are tidied first.
  function highlighted(text, spans) {
    const frag = document.createDocumentFragment();
    const clean = (spans || [])
      .filter((s) => Array.isArray(s) && s.length === 2 && Number.isInteger(s[0]) && Number.isInteger(s[1]))
      .map(([a, b]) => [Math.max(0, a), Math.min(text.length, b)])
      .filter(([a, b]) => a < b)
      .sort((x, y) => x[0] - y[0]);
    let pos = 0;
    for (const [a, b] of clean) {
      const start = Math.max(a, pos);
      if (start >= b) continue;
      if (start > pos) frag.append(document.createTextNode(text.slice(pos, start)));
      frag.append(el("mark", {}, text.slice(start, b)));
      pos = b;
    }
    if (pos < text.length) frag.append(document.createTextNode(text.slice(pos)));
    return frag;
  }

  function reportUrl(reportId, params) {
    const query = new URLSearchParams(params || {}).toString();
    return "/reports/" + encodeURIComponent(reportId) + (query ? "?" + query : "") + (params ? "#passage" : "");
  }

  window.RA = {el, formatNumber, highlighted, reportUrl};
})();
