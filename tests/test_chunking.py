"""Chunks are exact, section-labelled slices of the report text."""
from __future__ import annotations

import pytest

from ingest import sections as S
from ingest.chunking import chunk
from ingest.records import Document
from ingest.settings import DEFAULTS


def _doc(path, text=None, page_starts=None) -> Document:
    text = path.read_text("utf-8") if text is None else text
    return Document(path=str(path), text=text,
                    line_starts=[0] + [i + 1 for i, c in enumerate(text) if c == "\n"],
                    page_starts=page_starts or [])


def _reports(corpus):
    return sorted((corpus / "reports").glob("*.txt"))


@pytest.mark.parametrize("size,overlap", [(DEFAULTS["chunk_size"], DEFAULTS["chunk_overlap"]), (120, 30)])
def test_corpus_chunks_are_exact_and_stay_in_their_section(corpus, size, overlap):
    for p in _reports(corpus):
        doc = _doc(p)
        secs = S.split(doc.text)
        chunks = chunk(doc, secs, size, overlap)
        assert chunks, p.name
        labels = {S.label(s): s for s in secs}
        covered = [False] * len(doc.text)
        prev = None
        for c in chunks:
            assert doc.text[c.char_start:c.char_end] == c.text, (p.name, c)
            assert c.text and c.text == c.text.strip()
            assert len(c.text) <= size
            sec = labels[c.section]
            assert sec.start <= c.char_start < c.char_end <= sec.end, (p.name, c.section)
            assert c.line_start == doc.line_at(c.char_start)
            assert c.line_end == doc.line_at(c.char_end - 1)
            assert c.line_start <= c.line_end
            assert c.page is None
            if prev is not None:
                assert c.char_start > prev.char_start, "chunks come in document order"
                if prev.section == c.section:
                    assert prev.char_end - c.char_start <= overlap
                else:
                    assert c.char_start >= prev.char_end, "no overlap across sections"
            prev = c
            for i in range(c.char_start, c.char_end):
                covered[i] = True
        missing = [i for i, ok in enumerate(covered) if not ok and not doc.text[i].isspace()]
        assert not missing, (p.name, doc.text[missing[0]:missing[0] + 20])


def test_template_report_chunks_carry_template_labels(corpus):
    doc = _doc(corpus / "reports" / "广州市人力资源和社会保障局_2020.txt")
    chunks = chunk(doc)
    labels = [c.section for c in chunks]
    assert "五、存在的主要问题及改进情况" in labels
    problem = [c for c in chunks if c.section == "五、存在的主要问题及改进情况"]
    assert any("政策宣传解读的针对性" in c.text for c in problem)
    distinct = [l for i, l in enumerate(labels) if i == 0 or labels[i - 1] != l]
    assert distinct == [S.label(s) for s in S.split(doc.text)]
    assert distinct[0] == "前言" and distinct[-1] == "六、其他需要报告的事项"


def test_tiny_sections_are_one_chunk(tmp_path):
    text = "报告标题\n一、概述 推进工作。\n二、主动公开政府信息情况 公开信息12条。\n"
    doc = _doc(tmp_path / "x.txt", text)
    chunks = chunk(doc, S.split(text), 300, 60)
    assert [c.section for c in chunks] == ["前言", "一、概述", "二、主动公开政府信息情况"]
    assert [c.text for c in chunks] == ["报告标题", "一、概述 推进工作。", "二、主动公开政府信息情况 公开信息12条。"]
    assert [(c.line_start, c.line_end) for c in chunks] == [(1, 1), (2, 2), (3, 3)]


def test_sentences_keep_their_mark_and_chunks_end_on_sentences(tmp_path):
    sentence = "我局全年主动公开政府信息一百条并做好解读工作。"
    text = "一、总体情况" + sentence * 40
    doc = _doc(tmp_path / "x.txt", text)
    chunks = chunk(doc, S.split(text), 100, 30)
    assert len(chunks) > 5
    for c in chunks:
        assert c.text.endswith("。"), c.text
        assert not c.text.startswith("。")
        assert c.section == "一、总体情况"


def test_pages_come_from_page_starts(tmp_path):
    body = "一、总体情况" + "政府信息公开工作取得成效。" * 60
    doc = _doc(tmp_path / "x.txt", body, page_starts=[0, 400])
    chunks = chunk(doc, None, 100, 20)
    assert chunks[0].page == 1
    assert chunks[-1].page == 2
    assert all(c.page == (1 if c.char_start < 400 else 2) for c in chunks)


def test_defaults_come_from_settings(tmp_path):
    text = "一、总体情况" + "字" * (DEFAULTS["chunk_size"] * 2)
    chunks = chunk(_doc(tmp_path / "x.txt", text))
    assert max(len(c.text) for c in chunks) == DEFAULTS["chunk_size"]


def test_overlap_must_be_smaller_than_size(tmp_path):
    with pytest.raises(ValueError):
        chunk(_doc(tmp_path / "x.txt", "一、总体情况 正文。"), None, 50, 50)


def test_template_table_rows_are_searched_by_words_and_prose_is_embedded(corpus):
    # The figures of the template tables are answered from the fact store; their rows get no vector.
    doc = _doc(corpus / "reports" / "沭阳县发展和改革局_2023.txt")
    chunks = chunk(doc)
    rows = [c for c in chunks if c.section.split("、")[0] in S.TABLE_SECTIONS]
    assert rows and not any(c.dense for c in rows)
    assert any("信访举报投诉类申请" in c.text for c in rows)
    prose = [c for c in chunks if c.section.split("、")[0] not in S.TABLE_SECTIONS]
    assert prose and all(c.dense for c in prose)


def test_a_sentence_under_a_template_table_is_embedded(corpus):
    text = (corpus / "reports" / "沭阳县发展和改革局_2023.txt").read_text("utf-8")
    at = text.index("四、政府信息公开行政复议")
    note = "注：本年度因机构改革，部分申请转由市局统一办理，相关情况已在门户网站公开说明。"
    doc = _doc(corpus / "x.txt", text[:at] + note + "\n" + text[at:])
    [holder] = [c for c in chunk(doc) if note[:20] in c.text]
    assert holder.section.startswith("三、") and holder.dense


def test_reports_before_the_template_embed_every_chunk(corpus):
    # Their 二、三、四 are prose (主动公开情况, 依申请公开情况), not the fixed tables.
    doc = _doc(corpus / "reports" / "平潭综合实验区_2013.txt")
    chunks = chunk(doc)
    assert any(c.section.startswith(("二、", "三、")) for c in chunks)
    assert all(c.dense for c in chunks)
