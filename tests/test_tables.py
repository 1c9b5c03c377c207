"""Table facts from real reports: hand-read values for the seed report, template checks for every layout."""
from __future__ import annotations

import pytest

from ingest import glued, tables
from ingest.checks import check
from ingest.readers import read
from ingest.template import FORMATS, detect_format

from .conftest import CORPUS

SEED = CORPUS / "reports" / "广州市人力资源和社会保障局_2020.txt"

# Read by hand from the seed report (2019 format).
SEED_APPLICATIONS = {
    "new": [137, 7, 0, 0, 0, 0, 144],
    "carried_in": [0] * 7,
    "open": [15, 0, 0, 0, 0, 0, 15],
    "partial": [0] * 7,
    "refuse_secret": [3, 0, 0, 0, 0, 0, 3],
    "refuse_law": [3, 0, 0, 0, 0, 0, 3],
    "refuse_safety": [0] * 7,
    "refuse_third_party": [0] * 7,
    "refuse_internal": [0] * 7,
    "refuse_process": [1, 0, 0, 0, 0, 0, 1],
    "refuse_enforcement": [0] * 7,
    "refuse_inquiry": [0] * 7,
    "unable_not_held": [7, 1, 0, 0, 0, 0, 8],
    "unable_must_create": [1, 0, 0, 0, 0, 0, 1],
    "unable_unclear": [0] * 7,
    "ignore_petition": [0] * 7,
    "ignore_repeat": [1, 0, 0, 0, 0, 0, 1],
    "ignore_publication": [0] * 7,
    "ignore_massive": [0] * 7,
    "ignore_confirm": [0] * 7,
    "other": [102, 6, 0, 0, 0, 0, 108],
    "total": [133, 7, 0, 0, 0, 0, 140],
    "carried_out": [4, 0, 0, 0, 0, 0, 4],
}
SEED_REVIEW = {
    "review": [3, 0, 2, 0, 5],
    "lawsuit_direct": [3, 0, 0, 1, 4],
    "lawsuit_after_review": [0, 0, 0, 0, 0],
}
SEED_ITEMS = {
    ("item1", "rules"): [0, 0, 0],
    ("item1", "normative"): [11, 11, 227],
    ("item5", "license"): [1, 0, 1],
    ("item5", "other_services"): [27, 0, 28059805],
    ("item6", "penalty"): [55, 0, 0],
    ("item6", "coercion"): [0, 0, 0],
    ("item8", "fee"): [7, 0],
}


def _cells(facts, table_key, row_key, kind="table", fmt="2019"):
    fmt_cols = {t.key: [c.key for c in t.columns] for t in FORMATS[fmt].tables}
    by_col = {f.column_key: f.value for f in facts
              if f.table_key == table_key and f.row_key == row_key and f.kind == kind}
    return [by_col.get(c) for c in fmt_cols[table_key]]


@pytest.fixture(scope="module")
def seed():
    doc = read(SEED)
    return doc, tables.extract(doc, "2019")


def test_seed_application_table_every_cell(seed):
    _, res = seed
    for row_key, expected in SEED_APPLICATIONS.items():
        assert _cells(res.facts, "applications", row_key) == expected, row_key


def test_seed_review_litigation_every_cell(seed):
    _, res = seed
    for row_key, expected in SEED_REVIEW.items():
        assert _cells(res.facts, "review", row_key) == expected, row_key


def test_seed_article_20_items_including_money(seed):
    _, res = seed
    for (table_key, row_key), expected in SEED_ITEMS.items():
        assert _cells(res.facts, table_key, row_key) == expected, row_key
    proc = {f.column_key: f for f in res.facts if f.row_key == "procurement"}
    assert proc["projects"].value == 8
    assert (proc["amount"].value, proc["amount"].unit) == (163.29, "万元")


def test_seed_is_complete_and_passes_the_checks(seed):
    doc, res = seed
    assert res.cells_read == res.cells_expected == 198
    assert res.warnings == []
    assert check(res.facts, "2019") == []


def test_seed_facts_point_back_at_their_row(seed):
    doc, res = seed
    f = next(f for f in res.facts if f.row_key == "other" and f.column_key == "total")
    assert "其他处理" in f.source_text and "108" in f.source_text
    assert f.source_line and "其他处理" in doc.text.splitlines()[f.source_line - 1]


def test_derived_group_totals(seed):
    _, res = seed
    derived = {(f.row_key, f.column_key): f.value for f in res.facts if f.kind == "derived"}
    assert derived[("refuse", "total")] == 3 + 3 + 1
    assert derived[("unable", "total")] == 9
    assert derived[("new", "legal_person")] == 7
    assert derived[("lawsuit", "total")] == 4


@pytest.mark.parametrize("digits,expected", [
    ("713000074", (71, 3, 0, 0, 0, 0, 74)),
    ("640020470", (64, 0, 0, 2, 0, 4, 70)),
    ("8100009", (8, 1, 0, 0, 0, 0, 9)),
])
def test_glued_rows_with_a_unique_split(digits, expected):
    assert glued.sum_splits(digits, 7) == (expected,)


def test_glued_row_with_two_splits_is_left_unread_alone():
    splits = glued.sum_splits("220000325", 7)
    assert len(splits) == 2
    assert glued.agreed_cells(splits, 7) == [None, None, 0, 0, 0, 3, 25]


def test_glued_row_resolved_by_column_totals():
    # 平潭 2021: 本机关不掌握 "220000325" splits two ways; only 22|0|0|0|0|3|25 fits the column totals.
    doc = read(CORPUS / "reports" / "平潭综合实验区_2021.txt")
    res = tables.extract(doc, "2021")
    assert _cells(res.facts, "applications", "unable_not_held", fmt="2021") == [22, 0, 0, 0, 0, 3, 25]
    assert _cells(res.facts, "applications", "new") == [64, 0, 0, 2, 0, 4, 70]
    assert _cells(res.facts, "review", "review") == [1, 0, 2, 0, 3]


def test_glued_item_row_that_cannot_be_split_is_reported_not_guessed():
    doc = read(CORPUS / "reports" / "平潭综合实验区_2019.txt")
    res = tables.extract(doc, "2019")
    assert not [f for f in res.facts if f.row_key == "license"]
    assert any("行政许可" in w and "无法可靠读取" in w for w in res.warnings)


def test_glued_item_row_settled_by_figures_in_the_prose():
    doc = read(CORPUS / "reports" / "平潭综合实验区_2022.txt")
    res = tables.extract(doc, "2021")
    assert _cells(res.facts, "item1", "normative", fmt="2021") == [88, 55, 698]


def _post_2019_files():
    for sub in ("reports", "html", "pdf"):
        for p in sorted((CORPUS / sub).iterdir()):
            year = int(p.stem.rsplit("_", 1)[1])
            if year >= 2019:
                yield p


# Reports whose own figures break the template (checked by hand against the PDF).
KNOWN_BROKEN = {"淮安市洪泽区人民政府_2023": "行政复议"}


@pytest.mark.parametrize("path", list(_post_2019_files()), ids=lambda p: p.name)
def test_every_layout_passes_the_template_checks_or_says_why(path):
    doc = read(path)
    fmt = detect_format(doc.text, int(path.stem.rsplit("_", 1)[1]))
    res = tables.extract(doc, fmt)
    failures = check(res.facts, fmt)
    broken = KNOWN_BROKEN.get(path.stem)
    if broken and path.suffix == ".pdf":
        assert any(broken in w for w in failures), failures
    else:
        assert failures == []
    # Every template cell is either read or named in a warning.
    unread = res.cells_expected - res.cells_read
    assert unread == 0 or res.warnings


@pytest.mark.parametrize("stem", ["淮安市人民政府_2024", "淮安市洪泽区人民政府_2023", "淮安市洪泽区人民政府_2024"])
def test_scrambled_text_never_contradicts_the_pdf(stem):
    """The pdftotext output scrambles the tables; whatever is read from it must equal the PDF's cells."""
    pdf = tables.extract(read(CORPUS / "pdf" / f"{stem}.pdf"), "2021")
    txt = tables.extract(read(CORPUS / "reports" / f"{stem}.txt"), "2021")
    assert pdf.cells_read == pdf.cells_expected
    truth = {(f.table_key, f.row_key, f.column_key): f.value for f in pdf.facts if f.kind == "table"}
    for f in txt.facts:
        if f.kind == "table":
            assert truth[(f.table_key, f.row_key, f.column_key)] == f.value, (f.row, f.column)


def test_pdf_litigation_cells():
    res = tables.extract(read(CORPUS / "pdf" / "淮安市人民政府_2024.pdf"), "2021")
    assert _cells(res.facts, "review", "lawsuit_direct") == [13, 4, 8, 1, 26]
    assert _cells(res.facts, "review", "lawsuit_after_review") == [12, 1, 1, 6, 20]
    assert _cells(res.facts, "review", "review") == [72, 64, 178, 37, 351]
    # The source points at the PDF page the table is printed on.
    assert {f.source_page for f in res.facts if f.table_key == "review"} == {5}
    assert {f.source_page for f in res.facts if f.table_key == "item1"} == {3}


@pytest.mark.parametrize("path", [CORPUS / "pdf" / "淮安市人民政府_2024.pdf", CORPUS / "html" / "平潭综合实验区_2024.html",
                                  SEED, CORPUS / "reports" / "平潭综合实验区_2022.txt"], ids=lambda p: p.name)
def test_table_facts_point_at_their_row_in_the_report_text(path):
    """So the report view can open at the figure: the span holds the row as printed."""
    doc = read(path)
    res = tables.extract(doc, detect_format(doc.text, int(path.stem.rsplit("_", 1)[1])))
    for f in (f for f in res.facts if f.kind == "table"):
        assert f.char_start is not None, f.source_text
        printed = doc.text[f.char_start:f.char_end]
        assert _fmt_value(f.value) in printed.replace(" ", ""), (printed, f.value)


def _fmt_value(v):
    return str(int(v)) if float(v).is_integer() else str(v)


def _as_markdown(text: str) -> str:
    """The pipe table of a real report redrawn as OCR output would give it: markdown pipes,
    separator lines, and a header whose applicant columns came out in the wrong order."""
    out = []
    for line in text.splitlines():
        if " | " in line:
            cells = line.split(" | ")
            out.append("| " + " | ".join(cells) + " |")
            if line.startswith(("信息内容", "行政复议")):
                out.append("|" + "---|" * len(cells))
        else:
            out.append(line)
    return "\n".join(out).replace("自然人 | 法人或其他组织", "法人或其他组织 | 自然人")


@pytest.mark.parametrize("variant", ["markdown", "full-width pipes"])
def test_markdown_and_ocr_pipe_tables_read_like_the_original(variant):
    path = CORPUS / "reports" / "沭阳县发展和改革局_2023.txt"
    original = tables.extract(read(path), "2021")
    text = _as_markdown(path.read_text("utf-8"))
    if variant == "full-width pipes":
        text = text.replace("|", "｜")
    doc = read(path)
    doc.text, doc.line_starts = text, [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    redrawn = tables.extract(doc, "2021")
    cells = lambda res: {(f.table_key, f.row_key, f.column_key): f.value for f in res.facts if f.kind == "table"}
    assert redrawn.cells_read == original.cells_read == 200
    assert cells(redrawn) == cells(original)


@pytest.mark.parametrize("ocr,digits", [
    ("申请 l2 O 3 1O", "申请 12 0 3 10"),          # a swap inside a figure, and a figure all swapped
    ("| O | l | 2 |", "| 0 | 1 | 2 |"),             # one-letter cells between pipes
    ("行政许可 I o I其他对外管理服务事项", "行政许可 1 0 1其他对外管理服务事项"),  # the next row's label joined on
    ("7l3OOOO74", "713000074"),                     # glued cells
])
def test_ocr_letters_for_digits_are_read_as_digits(ocr, digits):
    assert tables.ocr_digits(ocr) == digits


@pytest.mark.parametrize("text", ["I类信息", "APP 下载", "二〇二三年", "申请O", "Office 软件", "共l条"])
def test_latin_words_and_letters_in_prose_are_left_alone(text):
    assert tables.ocr_digits(text) == text


# --- merged cells a PDF→markdown converter repeated in every column they span (docling) ------------

def _md(rows):
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


def _item_facts(text, fmt="2021"):
    res = tables.extract(_doc(text), fmt)
    cells = {(f.table_key, f.row_key, f.column_key): f.value for f in res.facts
             if f.kind == "table" and f.table_key.startswith("item")}
    return cells, [w for w in res.warnings if "第二十条" in w]


def _doc(text):
    from ingest.records import Document
    return Document(path="t.md", text=text, line_starts=[0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"])


_DOCLING_ITEMS = [
    ["第二十条第（一）项"] * 4, ["---"] * 4,
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "0", "0", "0"], ["行政规范性文件", "12", "5", "87"],
    ["第二十条第（五）项"] * 4, ["信息内容"] + ["本年处理决定数量"] * 3, ["行政许可"] + ["1386"] * 3,
    ["第二十条第（六）项"] * 4, ["信息内容"] + ["本年处理决定数量"] * 3,
    ["行政处罚"] + ["41"] * 3, ["行政强制"] + ["0"] * 3,
    ["第二十条第（八）项"] * 4, ["信息内容"] + ["本年收费金额（单位：万元）"] * 3, ["行政事业性收费"] + ["3.5"] * 3,
]
_DOCLING_TRUTH = {("item1", "rules", "made"): 0, ("item1", "rules", "repealed"): 0, ("item1", "rules", "in_force"): 0,
                  ("item1", "normative", "made"): 12, ("item1", "normative", "repealed"): 5,
                  ("item1", "normative", "in_force"): 87, ("item5", "license", "decisions"): 1386,
                  ("item6", "penalty", "decisions"): 41, ("item6", "coercion", "decisions"): 0,
                  ("item8", "fee", "fee_amount"): 3.5}


def _report_around(table_md):
    return ("## 二、主动公开政府信息情况\n" + table_md + "\n## 三、收到和处理政府信息公开申请情况\n表略。\n")


def test_docling_item_table_with_repeated_headings_header_cells_and_figures():
    # 湖南省发改委 2022 as docling wrote it: each heading repeated across the row, 本年处理决定数量 over
    # three columns and the decision count repeated under each of them.
    cells, warnings = _item_facts(_report_around(_md(_DOCLING_ITEMS)))
    assert cells == _DOCLING_TRUTH and warnings == []


def test_docling_item_table_cut_by_a_page_with_its_first_row_printed_again():
    rows = _DOCLING_ITEMS[:11] + [["4"], ["<!-- image -->"], ["第二十条第（一）项"] * 4, ["---"] * 4] + _DOCLING_ITEMS[11:]
    text = "\n".join(x[0] if len(x) == 1 else _md([x]) for x in rows)
    cells, warnings = _item_facts(_report_around(text))
    assert cells == _DOCLING_TRUTH and warnings == []


def test_sentence_naming_the_item_before_its_docling_table_is_not_read_as_the_table():
    # The sentence names 规章 and 行政规范性文件 with no figure; the table's rows are read, not the prose's.
    text = _report_around("按照《条例》第二十条第（一）项要求，本年制发规章和行政规范性文件的情况见下表。\n"
                          + _md(_DOCLING_ITEMS))
    cells, warnings = _item_facts(text)
    assert cells == _DOCLING_TRUTH and warnings == []


@pytest.mark.parametrize("row,why", [
    (["行政许可", "1386", "1368", "1386"], "two figures under one column"),
    (["行政许可", "1386", "1386", "1386", "7"], "more cells than the header"),
])
def test_repeated_cells_that_disagree_are_flagged_not_read(row, why):
    rows = [r if r[0] != "行政许可" else row for r in _DOCLING_ITEMS]
    cells, warnings = _item_facts(_report_around(_md(rows)))
    assert ("item5", "license", "decisions") not in cells, why
    assert any("行政许可" in w for w in warnings)
    assert cells[("item6", "penalty", "decisions")] == 41


def test_row_label_spanning_two_columns_with_its_figure_repeated():
    rows = [["第二十条第（五）项"] * 4, ["信息内容", "信息内容", "本年处理决定数量", "本年处理决定数量"],
            ["行政许可", "行政许可", "1386", "1386"]]
    cells, warnings = _item_facts(_report_around(_md(rows)))
    assert cells == {("item5", "license", "decisions"): 1386} and not any("行政许可" in w for w in warnings)


def test_two_figures_in_one_spanned_cell_are_not_joined():
    rows = [["第二十条第（五）项"] * 4, ["信息内容"] + ["本年处理决定数量"] * 3, ["行政许可", "71 3", "71 3", "71 3"]]
    cells, _ = _item_facts(_report_around(_md(rows)))
    assert ("item5", "license", "decisions") not in cells


def test_figure_under_a_row_label_column_is_not_placed():
    rows = [["第二十条第（五）项"] * 4, ["信息内容", "信息内容", "本年处理决定数量", "本年处理决定数量"],
            ["行政许可", "9", "1386", "1386"]]
    cells, _ = _item_facts(_report_around(_md(rows)))
    assert ("item5", "license", "decisions") not in cells


def test_2019_items_whose_last_column_spans_the_rest():
    # 2019 template: 本年增/减 of 第（八）项 and 采购总金额 of 第（九）项 over two columns, repeated.
    rows = [["第二十条第（八）项"] * 4, ["信息内容", "上一年项目数量", "本年增/减", "本年增/减"],
            ["行政事业性收费", "5", "-1", "-1"],
            ["第二十条第（九）项"] * 4, ["信息内容", "采购项目数量", "采购总金额", "采购总金额"],
            ["政府集中采购", "17", "486.35万元", "486.35万元"]]
    res = tables.extract(_doc(_report_around(_md(rows))), "2019")
    got = {(f.row_key, f.column_key): (f.value, f.unit) for f in res.facts if f.table_key in ("item8", "item9")}
    assert got == {("fee", "prev_count"): (5, "项"), ("fee", "change"): (-1, "项"),
                   ("procurement", "projects"): (17, "项"), ("procurement", "amount"): (486.35, "万元")}


def test_header_cells_name_template_columns():
    t = FORMATS["2021"].table("item8")
    assert tables._header_column("本年收费金额(单位:万元)", t) == 0   # half-width brackets
    assert tables._header_column("信息内容", t) is None
    a = FORMATS["2021"].table("applications")
    assert tables._header_column("法人或其他组织", a) is None         # a group heading, not 其他
    assert tables._header_column("其他", a) == 5
