"""Agency and year: from the title, with the project's file names as the canonical agency."""
from __future__ import annotations

import shutil

import pytest

from ingest import metadata, readers
from ingest.records import Document


def _corpus_files(corpus):
    return sorted(p for sub in ("reports", "html", "pdf") for p in (corpus / sub).iterdir() if p.is_file())


def test_every_corpus_file(corpus):
    files = _corpus_files(corpus)
    assert len(files) >= 26
    for f in files:
        agency, year = f.stem.rsplit("_", 1)
        assert metadata.detect(readers.read(f), f) == (agency, int(year)), f.name


@pytest.mark.parametrize("title,expected", [
    ("广州市人力资源和社会保障局\n2020 年政府信息公开工作年度报告", ("广州市人力资源和社会保障局", 2020)),
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", ("上海市人民政府办公厅", 2019)),
    ("平潭综合实验区管委会2014年度政府信息公开工作年度报告", ("平潭综合实验区管委会", 2014)),
    ("洪泽区人民政府 2023 年政府信息公开工作年度报告", ("洪泽区人民政府", 2023)),
    ("平潭综合实验区地方税务局2013年 信息公开年度报告", ("平潭综合实验区地方税务局", 2013)),
    ("沭阳县发展和改革局2023年政府信息公开年度报告", ("沭阳县发展和改革局", 2023)),
    ("某某市政府信息公开工作年度报告（二〇二三年）", ("某某市政府", 2023)),
    ("某某县人民政府政府信息公开工作年度报告", ("某某县人民政府", None)),
])
def test_from_title(title, expected):
    assert metadata.from_title(title) == expected


def test_file_name_agency_wins_when_same_agency(corpus, tmp_path):
    # title says 洪泽区人民政府, the file name the canonical 淮安市洪泽区人民政府
    f = corpus / "reports" / "淮安市洪泽区人民政府_2023.txt"
    doc = readers.read(f)
    assert metadata.from_title(doc.title) == ("洪泽区人民政府", 2023)
    assert metadata.detect(doc, f) == ("淮安市洪泽区人民政府", 2023)
    # without the naming convention the title decides, written as fully as the preamble names it
    # (本报告由淮安市洪泽区人民政府办公室…编制)
    plain = tmp_path / "hzq2023_working.txt"
    shutil.copy(f, plain)
    assert metadata.detect(readers.read(plain), plain) == ("淮安市洪泽区人民政府", 2023)
    # a file name naming another agency does not override the title
    other = tmp_path / "上海市人民政府办公厅_2019.txt"
    shutil.copy(f, other)
    assert metadata.detect(readers.read(other), other) == ("淮安市洪泽区人民政府", 2023)


def test_year_is_the_covered_year_not_publication_date():
    text = "某某局2023年政府信息公开工作年度报告\n发布日期：2024-01-17\n本报告所列数据统计期限为2023年1月1日至2023年12月31日。"
    doc = Document(path="x.txt", text=text, title="某某局2023年政府信息公开工作年度报告")
    assert metadata.detect(doc, "x.txt") == ("某某局", 2023)
    # no year in title or file name: the statistics period says it
    doc = Document(path="x.txt", text="发布日期：2025-03-10\n本报告所列数据统计期限为2024年1月1日至2024年12月31日。")
    assert metadata.detect(doc, "x.txt") == ("", 2024)
    # only a publication date: the year before it, and only with low confidence
    doc = Document(path="x.txt", text="发布日期：2025-03-10\n政府信息公开工作情况。")
    found = metadata.assess(doc, "x.txt")
    assert found.as_tuple() == ("", 2024) and found.year_confidence == "low"
    doc = Document(path="x.txt", text="政府信息公开工作情况。")
    assert metadata.detect(doc, "x.txt") == ("", None)


def test_html_without_title_uses_file_name(corpus):
    f = corpus / "html" / "平潭综合实验区_2025.html"
    doc = readers.read(f)
    assert doc.title == ""
    assert metadata.detect(doc, f) == ("平潭综合实验区", 2025)
    assert metadata.year_from_text(doc.text) == 2025


def test_file_name_parsing():
    assert metadata.from_file_name("/x/淮安市人民政府_2024.pdf") == ("淮安市人民政府", 2024)
    assert metadata.from_file_name("/x/report.pdf") == ("", None)
    assert metadata.from_file_name("/x/hzq2023_working.pdf") == ("", None)
