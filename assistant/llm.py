"""Optional answer wording by a language model (any OpenAI-compatible endpoint, via LangChain).

The model only rephrases: it is given the template answer, the facts and the
passages, and whatever it writes is checked: a number that none of them
contains means the model invented it, and the template answer is kept.
"""
from __future__ import annotations

import logging
import os

from .textutil import fmt_number, numbers_in

log = logging.getLogger(__name__)

SYSTEM = ("你是政府信息公开年度报告问答助手。只能根据下面给出的事实和原文段落，用简洁的中文改写答案；"
          "不得添加、推算或修改任何数字，不得引入材料以外的信息；保留来源说明。")


def chat_model(config):
    """The configured chat model; langchain-openai is imported only when the feature is on."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:  # pragma: no cover - the package is in requirements.txt
        raise RuntimeError("llm_enabled needs the 'langchain-openai' package") from exc
    return ChatOpenAI(base_url=config.llm_base_url or None, model=config.llm_model or "gpt-4o-mini",
                      api_key=config.llm_api_key or os.environ.get("OPENAI_API_KEY") or "not-needed",
                      temperature=0, timeout=30, max_retries=1)


def _material(result: dict) -> str:
    lines = [f"问题：{result['question']}", f"参考答案：{result['answer']}"]
    for f in result.get("facts", [])[:10]:
        lines.append(f"事实：{f['agency']}{f['year']}年 {f['row']} {f['column']} = {fmt_number(f['value'])}{f['unit']}"
                     f"（{f['report']}）")
    for s in result.get("sources", [])[:3]:
        lines.append(f"原文（{s['report']} {s.get('section') or ''}）：{' '.join(s['text'].split())}")
    return "\n".join(lines)


def allowed_numbers(result: dict) -> set[float]:
    allowed = set(numbers_in(result["question"])) | set(numbers_in(result["answer"]))
    for f in result.get("facts", []):
        allowed.add(float(f["value"]))
        allowed.update(numbers_in(str(f.get("source", {}).get("text", ""))))
        if f.get("year"):
            allowed.add(float(f["year"]))
    for s in result.get("sources", []):
        allowed.update(numbers_in(s.get("text", "")))
    for row in (result.get("table") or {}).get("rows", []):
        for cell in row:
            if isinstance(cell, (int, float)):
                allowed.add(float(cell))
    return allowed


def grounded(text: str, allowed: set[float]) -> bool:
    return all(any(abs(n - a) < 1e-9 for a in allowed) for n in numbers_in(text))


def rephrase(config, result: dict, model=None) -> dict:
    """``result`` with its answer reworded by the model, or unchanged if that is not safe."""
    if result.get("route") == "none":
        return result  # "not in the reports" is said by the template, never by a model
    try:
        from langchain_core.messages import HumanMessage, SystemMessage
        model = model or chat_model(config)
        out = model.invoke([SystemMessage(content=SYSTEM), HumanMessage(content=_material(result))])
        text = (getattr(out, "content", out) or "").strip()
    except Exception as exc:
        log.warning("language model unavailable, template answer kept: %s", exc)
        return result
    if not text or not grounded(text, allowed_numbers(result)):
        log.info("language model answer rejected (empty or a number not in the facts)")
        result["llm"] = "rejected"
        return result
    result["answer_template"] = result["answer"]
    result["answer"] = text
    result["llm"] = "used"
    return result
