/* The chat page: sends the question with the conversation so far, reads the
   streamed answer (server-sent events over fetch, since EventSource cannot POST)
   and shows the answer with its sources. All text goes in as text nodes. */
(function () {
  "use strict";
  const {el, formatNumber, highlighted, reportUrl} = window.RA;

  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  const sendButton = document.getElementById("send");
  const log = document.getElementById("log");
  const intro = document.getElementById("intro");
  const HISTORY_SENT = 10;          // turns sent back for follow-ups; older ones rarely matter
  const HISTORY_CHARS = 4000;       // the API's per-turn limit
  const SOURCES_SHOWN = 3;

  const history = [];
  let busy = false;
  let reportsByName = new Map();
  let reportsById = new Map();

  function indexReports(list) {
    reportsByName = new Map(list.map((r) => [r.file_name, r]));
    reportsById = new Map(list.map((r) => [String(r.id), r]));
  }
  indexReports(JSON.parse(document.getElementById("report-index").textContent || "[]"));

  // A report uploaded after this page was opened is not in the embedded index yet.
  async function ensureReports(names, ids) {
    if (names.every((n) => reportsByName.has(n)) && ids.every((i) => reportsById.has(String(i)))) return;
    try {
      const resp = await fetch("/api/reports", {headers: {Accept: "application/json"}});
      if (resp.ok) indexReports((await resp.json()).reports || []);
    } catch (e) { /* links still work by id; only warnings would be missing */ }
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  // A short message is shown whole; a tall one from its start, so it is read from the top.
  function reveal(node) {
    const tall = node.getBoundingClientRect().height > window.innerHeight * 0.6;
    node.scrollIntoView({block: tall ? "start" : "end", behavior: reducedMotion.matches ? "auto" : "smooth"});
  }

  function addUserMessage(text) {
    const msg = el("div", {class: "msg msg-user"},
      el("p", {class: "msg-who visually-hidden"}, "你问："),
      el("p", {class: "msg-text"}, text));
    log.append(msg);
    return msg;
  }

  function addAssistantMessage() {
    const status = el("p", {class: "msg-status"}, "正在查找相关报告…");
    const text = el("div", {class: "answer-text"});
    const body = el("div", {class: "msg-body"}, text);
    const msg = el("article", {class: "msg msg-assistant", "aria-busy": "true"},
      el("p", {class: "msg-who visually-hidden"}, "回答："), status, body);
    log.append(msg);
    return {msg, status, text, body};
  }

  function showError(view, message) {
    view.status.remove();
    view.msg.setAttribute("aria-busy", "false");
    view.body.append(el("p", {class: "notice notice-error", role: "alert"}, message || "出错了，请稍后再试"));
  }

  // --- rendering a finished answer -------------------------------------------

  // The assistant's warnings concern the figure shown; the other template-check notes of
  // every cited report are listed apart, folded, so they stay visible without crowding the answer.
  function warningsFor(result) {
    const main = (result.warnings || []).map(String);
    const other = [];
    const seen = new Set();
    const cite = (report) => {
      if (!report || seen.has(report.file_name)) return;
      seen.add(report.file_name);
      for (const w of report.warnings || []) {
        if (!main.some((m) => m.includes(w))) other.push(`《${report.file_name}》：${w}`);
      }
    };
    for (const f of result.facts || []) cite(reportsByName.get((f.source || {}).report));
    for (const s of (result.sources || []).slice(0, SOURCES_SHOWN)) {
      cite(reportsById.get(String(s.report_id)) || reportsByName.get(s.report));
    }
    return {main: [...new Set(main)], other: [...new Set(other)]};
  }

  function renderWarnings({main, other}) {
    if (!main.length && !other.length) return null;
    const box = el("div", {class: "notice notice-warn", role: "note"});
    if (main.length) {
      box.append(el("p", {}, el("strong", {}, "请注意：")), el("ul", {}, main.map((w) => el("li", {}, w))));
    }
    if (other.length) {
      box.append(el("details", {},
        el("summary", {}, `所引报告的表格核对提示（${other.length}）`),
        el("ul", {}, other.map((w) => el("li", {}, w)))));
    }
    return box;
  }


  function tableCell(cell, column) {
    if (typeof cell === "number") return el("td", {class: "num"}, formatNumber(cell));
    const report = column === "报告" ? reportsByName.get(cell) : null;
    return el("td", {}, report ? el("a", {href: reportUrl(report.id)}, cell) : (cell ?? "—"));
  }

  function renderTable(table) {
    const head = el("tr", {}, table.columns.map((c) => el("th", {scope: "col"}, c)));
    const rows = table.rows.map((r) => el("tr", {}, r.map((cell, j) => j === 0
      ? el("th", {scope: "row"}, cell ?? "—")
      : tableCell(cell, table.columns[j]))));
    return el("div", {class: "table-wrap"}, el("table", {class: "data"}, el("thead", {}, head), el("tbody", {}, rows)));
  }

  function factLink(fact) {
    const src = fact.source || {};
    const report = reportsByName.get(src.report);
    const id = fact.report_id ?? (report && report.id);
    const name = src.report || `${fact.agency || ""}${fact.year ? fact.year + "年" : ""}报告`;
    if (id == null) return el("span", {class: "source-report"}, name);
    const at = src.char_start != null && src.char_end != null
      ? {start: src.char_start, end: src.char_end} : (src.line ? {line: src.line} : null);
    return el("a", {href: reportUrl(id, at), class: "source-report"}, name);
  }

  function renderFacts(facts) {
    const items = facts.map((f) => {
      const src = f.source || {};
      const where = [];
      if (f.kind === "narrative") where.push("正文中的数字");
      else if (f.kind === "derived") where.push("由表中数字计算");
      if (f.table) where.push("表：" + f.table);
      if (f.row) where.push("行：" + f.row);
      if (f.column) where.push("列：" + f.column);
      if (src.page) where.push(`第${src.page}页`);
      if (src.line) where.push(`第${src.line}行`);
      return el("li", {class: "fact"},
        el("span", {class: "fact-value"}, formatNumber(f.value), f.unit ? " " + f.unit : ""),
        " ",
        el("span", {class: "fact-who"}, [f.agency, f.year ? f.year + "年" : ""].filter(Boolean).join(" ")),
        el("span", {class: "fact-where"}, "出处：", factLink(f), where.length ? " · " + where.join(" · ") : ""),
        src.text ? el("q", {class: "fact-quote"}, src.text) : null);
    });
    return el("section", {class: "facts", "aria-label": "数字出处"},
      el("h3", {}, "数字出处"), el("ul", {}, items));
  }

  function renderSources(sources, open) {
    const items = sources.slice(0, SOURCES_SHOWN).map((s) => {
      const text = String(s.text || "");
      const report = reportsById.get(String(s.report_id)) || reportsByName.get(s.report);
      const id = s.report_id ?? (report && report.id);
      const place = Number.isInteger(s.char_start) && Number.isInteger(s.char_end)
        ? {start: s.char_start, end: s.char_end} : (s.line ? {line: s.line} : null);
      const href = id != null ? reportUrl(id, place) : null;
      const label = [s.agency, s.year ? s.year + "年" : "", s.section].filter(Boolean).join(" · ");
      return el("li", {class: "source"},
        el("p", {class: "source-head"}, label || s.report || ""),
        el("blockquote", {class: "source-text"}, highlighted(text, s.highlight)),
        el("p", {class: "source-link"},
          href ? el("a", {href}, "在报告中查看此段") : null,
          el("span", {class: "sub"}, " " + (s.report || ""))));
    });
    const list = el("ol", {class: "sources"}, items);
    const summary = el("summary", {}, `原文段落（${Math.min(sources.length, SOURCES_SHOWN)}）`);
    return el("details", {class: "sources-box", open: open}, summary, list);
  }

  async function renderResult(view, result) {
    const facts = Array.isArray(result.facts) ? result.facts : [];
    const sources = Array.isArray(result.sources) ? result.sources : [];
    await ensureReports(facts.map((f) => (f.source || {}).report).filter(Boolean),
      sources.map((s) => s.report_id).filter((x) => x != null));
    view.status.remove();
    view.text.textContent = result.answer || "";
    const warnings = renderWarnings(warningsFor(result));
    if (warnings) view.body.append(warnings);
    const table = result.table;
    if (table && Array.isArray(table.columns) && Array.isArray(table.rows) && table.rows.length) {
      const box = el("div", {class: "answer-table"});
      view.body.append(box);
      const first = facts[0] || {};
      // A list (of findings, say) whose numbers are years, not values, says so with chart: false.
      const spec = table.chart === false ? null
        : window.ReportChart.fromTable(table, [first.row, first.column].filter(Boolean).join(" · "));
      if (spec) window.ReportChart.draw(box, spec);
      box.append(renderTable(table));
    }
    if (facts.length) view.body.append(renderFacts(facts));
    if (sources.length && result.route !== "none") {
      view.body.append(renderSources(sources, result.route === "narrative" || !facts.length));
    }
    view.msg.setAttribute("aria-busy", "false");
  }

  // --- talking to the server ---------------------------------------------------

  function parseEvent(block) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    return {event, data: data.length ? JSON.parse(data.join("\n")) : null};
  }

  async function readEvents(resp, onEvent) {
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, {stream: true}).replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (block.trim()) await onEvent(parseEvent(block));
      }
    }
  }

  async function ask(question) {
    if (busy) return;
    busy = true;
    sendButton.disabled = true;
    log.setAttribute("aria-busy", "true");
    if (intro) intro.classList.add("intro-compact");
    addUserMessage(question);
    const view = addAssistantMessage();
    reveal(view.msg);
    const payload = {question, history: history.slice(-HISTORY_SENT)};
    let finished = false;
    try {
      const resp = await fetch("/api/ask/stream", {
        method: "POST",
        headers: {"Content-Type": "application/json", Accept: "text/event-stream"},
        body: JSON.stringify(payload),
      });
      if (!resp.ok) {
        let message = `请求失败（${resp.status}）`;
        try { message = (await resp.json()).error || message; } catch (e) { /* not JSON */ }
        showError(view, message);
        finished = true;
        return;
      }
      await readEvents(resp, async ({event, data}) => {
        if (event === "status") view.status.textContent = data.message || "正在查找…";
        else if (event === "delta") view.text.append(document.createTextNode(data.text || ""));
        else if (event === "error") { showError(view, data.error); finished = true; }
        else if (event === "done") {
          await renderResult(view, data);
          history.push({role: "user", content: question},
            {role: "assistant", content: String(data.answer || "").slice(0, HISTORY_CHARS)});
          finished = true;
        }
      });
      if (!finished) showError(view, "回答中断了，请重试");
    } catch (e) {
      if (!finished) showError(view, "网络错误，请检查连接后重试");
    } finally {
      busy = false;
      sendButton.disabled = false;
      log.setAttribute("aria-busy", "false");
      reveal(view.msg);
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) { input.focus(); return; }
    input.value = "";
    autosize();
    ask(question);
  });

  input.addEventListener("keydown", (event) => {
    // While an input method is composing, Enter picks a candidate; it must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", autosize);

  document.querySelectorAll(".suggestion").forEach((button) => {
    button.addEventListener("click", () => {
      input.value = button.dataset.question;
      form.requestSubmit();
    });
  });

  document.getElementById("new-chat").addEventListener("click", () => {
    history.length = 0;
    log.replaceChildren();
    if (intro) intro.classList.remove("intro-compact");
    input.value = "";
    input.focus();
  });
})();
