/* Job page: poll the ingestion status and show progress and per-file results. */
(function () {
  "use strict";
  const {el} = window.RA;
  const box = document.getElementById("job");
  if (!box) return;
  const STATUS = {ok: "成功", unchanged: "未变化", failed: "失败", rejected: "已拒绝", deleted: "已删除", corrected: "已更正"};
  const verb = box.dataset.verb || "导入";
  const stateText = document.getElementById("job-state");
  const progress = document.getElementById("job-progress");
  const errorBox = document.getElementById("job-error");
  const tbody = document.querySelector("#job-results tbody");

  function row(r) {
    const name = r.report_id != null ? el("a", {href: "/reports/" + encodeURIComponent(r.report_id)}, r.file) : r.file;
    const notes = el("td", {},
      r.error ? el("span", {class: "error-text"}, r.error) : null,
      (r.warnings || []).length ? el("ul", {}, r.warnings.map((w) => el("li", {}, w))) : null);
    return el("tr", {class: "status-" + r.status},
      el("th", {scope: "row"}, name),
      el("td", {}, STATUS[r.status] || r.status),
      el("td", {class: "num"}, r.facts != null ? `${r.facts} / ${r.chunks}` : ""),
      notes);
  }

  function show(job) {
    box.dataset.state = job.state;
    progress.max = job.total || 1;
    progress.value = job.done;
    stateText.textContent = {
      queued: "排队中（等待其他任务完成）…",
      running: `正在${verb}：${job.current || ""}（${job.done}/${job.total}）`,
      finished: `${verb}完成`,
      failed: `${verb}失败`,
    }[job.state] || job.state;
    errorBox.hidden = !job.error;
    errorBox.textContent = job.error || "";
    tbody.replaceChildren(...job.results.map(row));
  }

  async function poll() {
    try {
      const resp = await fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}});
      if (resp.ok) {
        const job = await resp.json();
        show(job);
        if (job.state === "finished" || job.state === "failed") return;
      }
    } catch (e) { /* try again on the next tick */ }
    setTimeout(poll, 1000);
  }

  if (box.dataset.state === "queued" || box.dataset.state === "running") setTimeout(poll, 500);
})();
