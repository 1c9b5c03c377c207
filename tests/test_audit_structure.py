"""Structure and wording findings: each raised by an edit of a real report's copy (with the line a
reviewer goes to), the unedited originals raising none, and no layout a converter produces (markdown,
cell per line, one line, HTML, moved tables…) raising one the original does not."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import parse
from ingest.readers import read
from tests.layouts import TEXT_LAYOUTS, corpus_reports, render, report_from_file

from .conftest import CORPUS
from .test_audit import _edited

REPORTS = CORPUS / "reports"
SHANGHAI = REPORTS / "上海市人民政府办公厅_2019.txt"
SHUYANG = REPORTS / "沭阳县发展和改革局_2023.txt"


def _structure(path: Path, config, **given):
    return [f for f in parse(path, config, **given).findings if f.kind == "structure"]


def _line_of(path: Path, words: str) -> int:
    """The line of the report as stored and shown in the report view (normalised text)."""
    doc = read(path)
    return doc.line_at(doc.text.index(words))


@pytest.mark.parametrize("src", [SHANGHAI, SHUYANG])
def test_the_originals_raise_no_structure_finding(src, config):
    assert _structure(src, config) == []


def test_a_section_heading_with_the_wrong_numeral_is_found_with_both_lines(tmp_path, config):
    edited = _edited(tmp_path, SHUYANG, "五、存在的主要问题及整改措施", "四、存在的主要问题及整改措施")
    [f] = _structure(edited, config)
    assert (f.check, f.severity) == ("heading_wrong_numeral", "warning")
    assert "应为“五、”" in f.message and "重复" in f.message
    assert [s["line"] for s in f.sentences] == [_line_of(edited, "四、存在的主要问题"),
                                                  _line_of(edited, "四、政府信息公开行政复议")]


def test_two_sections_with_one_numeral_and_a_gap_in_the_numbering_are_found(tmp_path, config):
    edited = _edited(tmp_path, SHUYANG, "六、其他需要报告的事项", "五、附件说明\n八、其他说明\n六、其他需要报告的事项")
    found = {f.check: f for f in _structure(edited, config)}
    assert set(found) == {"heading_duplicate", "heading_out_of_order"}
    assert [s["line"] for s in found["heading_duplicate"].sentences] == \
        [_line_of(edited, "五、存在的主要问题"), _line_of(edited, "五、附件说明")]
    assert "八、其他说明" in found["heading_out_of_order"].message


def test_a_subsection_of_the_overview_written_as_a_section_is_found(tmp_path, config):
    edited = _edited(tmp_path, SHANGHAI, "（二）依申请公开方面", "二、依申请公开方面")
    [f] = _structure(edited, config)
    assert f.check == "subsection_promoted" and "二、依申请公开方面" in f.message
    assert f.sentences[0]["line"] == _line_of(edited, "二、依申请公开方面")


def test_a_list_that_changes_numbering_style_is_found(tmp_path, config):
    edited = _edited(tmp_path, SHANGHAI, "（三）政府信息管理方面", "3.政府信息管理方面")
    [f] = _structure(edited, config)
    assert (f.check, f.severity) == ("numbering_mixed", "note")
    assert "（二）依申请公开方面" in f.message and "3.政府信息管理方面" in f.message
    assert f.sentences[-1]["line"] == _line_of(edited, "3.政府信息管理方面")


def test_a_word_typed_twice_is_found(tmp_path, config):
    edited = _edited(tmp_path, SHUYANG, "进一步规范并加大政府信息公开工作", "进一步规范并加大政府信息信息公开工作")
    [f] = _structure(edited, config)
    assert f.check == "word_doubled" and "信息信息" in f.message
    assert "信息信息公开" in f.sentences[0]["text"]
    # The corpus has one such slip of its own.
    [real] = _structure(REPORTS / "平潭综合实验区_2021.txt", config)
    assert real.check == "word_doubled" and "审核审核" in real.message


def test_a_sentence_cut_off_before_a_heading_is_found(tmp_path, config):
    edited = _edited(tmp_path, SHANGHAI, "市政府信息公开工作人员的工作能力和水平。", "市政府信息公开工作人员的工作能力和")
    [f] = _structure(edited, config)
    assert f.check == "sentence_cut" and f.sentences[0]["text"].endswith("工作能力和")
    assert f.sentences[0]["line"] == _line_of(edited, "工作能力和") == _line_of(edited, "二、主动公开政府信息情况") - 1


def test_a_figure_stated_twice_differently_is_found(tmp_path, config):
    edited = _edited(tmp_path, SHUYANG, "2023年度，县发展和改革局政府信息公开未发生收费情况。",
                     "2023年度，县发展和改革局政府信息公开未发生收费情况。全年共收到政府信息公开申请28件。")
    found = {f.check: f for f in _structure(edited, config)}
    f = found["statement_contradicted"]
    assert "26" in f.message and "28" in f.message
    assert [s["line"] for s in f.sentences] == [_line_of(edited, "共收到依申请信息公开26件"),
                                                  _line_of(edited, "申请28件")]


@pytest.fixture(scope="module")
def layout_copies(tmp_path_factory):
    folder = tmp_path_factory.mktemp("structure-layouts")
    out = []
    for path in corpus_reports(CORPUS):
        if path.suffix == ".pdf":
            continue  # the PDFs' own text is checked through the corpus test; their copies need Chromium
        rep = report_from_file(path)
        out.append((path, [(layout, render(rep, layout, folder / layout / path.stem)) for layout in TEXT_LAYOUTS
                           if layout != "title:none"]))
    return out


def test_no_converter_layout_raises_a_structure_finding_the_original_does_not(layout_copies, config):
    extra = []
    for path, copies in layout_copies:
        rep = parse(path, config)
        original = {(f.check, f.message) for f in rep.findings if f.kind == "structure"}
        for layout, copy in copies:
            # The copies drop the file name some reports carry their agency in: give it.
            extra += [(path.name, layout, f.check, f.message)
                      for f in _structure(copy, config, agency=rep.agency, year=rep.year)
                      if (f.check, f.message) not in original]
    assert len(layout_copies) >= 8 and extra == []


@pytest.fixture
def config(tmp_path):
    from ingest.settings import load
    return load(data_dir=str(tmp_path / "data"))
