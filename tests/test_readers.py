"""Readers and normalisation on the real corpus, and on bad input."""
from __future__ import annotations

import hashlib
import os
import re
import struct

import pytest

from ingest import normalize, readers
from ingest.normalize import HardLines, normalize_pages
from ingest.records import ReportError


def _files(corpus, sub, pattern="*"):
    return sorted((corpus / sub).glob(pattern))


def _row(grids, label_part):
    """The first grid row whose first filled cell contains label_part: (label, figures)."""
    for g in grids:
        for row in g.rows:
            filled = [c for c in row if c]
            if filled and label_part in filled[0]:
                return filled[0], [c for c in filled[1:] if re.fullmatch(r"[\d.]+", c)]
    return None


# --- every corpus file -------------------------------------------------------------

def test_supported():
    assert readers.SUPPORTED == (".pdf", ".html", ".htm", ".txt", ".md")


@pytest.mark.parametrize("sub,pattern", [("reports", "*.txt"), ("html", "*.html"), ("pdf", "*.pdf")])
def test_corpus_reads(corpus, sub, pattern):
    files = _files(corpus, sub, pattern)
    assert files
    for f in files:
        doc = readers.read(f)
        assert doc.path == str(f)
        assert doc.media == {"reports": "txt", "html": "html", "pdf": "pdf"}[sub]
        assert "政府信息公开" in doc.text or "信息公开" in doc.text
        assert "\f" not in doc.text and "\n\n" not in doc.text and "\xa0" not in doc.text
        assert doc.line_starts[0] == 0
        assert all(doc.text[i - 1] == "\n" for i in doc.line_starts[1:])
        assert len(doc.line_starts) == doc.text.count("\n") + 1
        if sub == "pdf":
            assert doc.page_starts[0] == 0 and doc.page_starts == sorted(doc.page_starts)
        else:
            assert doc.page_starts == []
        if sub != "html":  # the saved pages hold only the article body, without its title
            assert re.search(r"年度报告|年报", doc.title), f.name
            assert doc.text.startswith(doc.title)


def test_title_is_first_lines_joined(corpus):
    doc = readers.read(corpus / "reports" / "广州市人力资源和社会保障局_2020.txt")
    assert doc.title == "广州市人力资源和社会保障局2020 年政府信息公开工作年度报告"
    # one-line reports: the title stops at the report name
    doc = readers.read(corpus / "reports" / "平潭综合实验区地方税务局_2013.txt")
    assert doc.title == "平潭综合实验区地方税务局2013年 信息公开年度报告"
    doc = readers.read(corpus / "reports" / "平潭综合实验区_2021.txt")
    assert doc.text.split("\n")[0] == doc.title == "平潭综合实验区2021年度政府信息公开工作年度报告"


# --- normalisation --------------------------------------------------------------------

def _original_lines(path):
    raw = path.read_text(encoding="utf-8").replace("\f", "\n")
    return [x.rstrip("\r") for x in raw.split("\n") if x.strip() and not normalize.is_dropped(x)]


def test_only_line_breaks_and_page_numbers_removed(corpus):
    """Every 12-character window of every original line survives normalisation unchanged."""
    for f in _files(corpus, "reports", "*.txt"):
        text = readers.read(f).text
        for line in _original_lines(f):
            windows = [line] if len(line) <= 12 else [line[i:i + 12] for i in range(len(line) - 11)]
            missing = [w for w in windows if w not in text]
            assert not missing, f"{f.name}: {missing[:3]}"


def test_broken_prose_is_rejoined(corpus):
    text = readers.read(corpus / "reports" / "淮安市洪泽区人民政府_2023.txt").text
    # across a page break (-1-, form feed) and with the original's odd spacing kept
    assert "严格执行“分级审核、先审后发”程序，落实 “三审三校”制度，从严从实把好政治关" in text
    assert "洪泽湖大道 90号 ， 邮 编" in text
    assert not re.search(r"^-\s*\d+\s*-$", text, re.M)
    lines = text.split("\n")
    assert "一、总体情况" in lines and "二、主动公开政府信息情况" in lines
    text = readers.read(corpus / "reports" / "广州市人力资源和社会保障局_2020.txt").text
    assert "2020 年，我局认真学习贯彻习近平总书记关于统筹疫情防控和经济社会发展重要讲话精神，认真贯彻落实《中华人民共和国政府信息公开条例》" in text


def test_flattened_table_figures_stay_apart(corpus):
    lines = readers.read(corpus / "reports" / "广州市人力资源和社会保障局_2020.txt").text.split("\n")
    assert "其他对外管理服务事项 27 0 28059805" in lines  # label rejoined, figures kept apart
    assert "规章 0 0 0" in lines and "规范性文件 11 11 227" in lines
    assert "一、本年新收政府信息公开申请数量 137 7 0 0 0 0 144" in lines
    assert "8.属于行政查询事项 0 0 0 0 0 0 0" in lines
    text = readers.read(corpus / "reports" / "淮安市洪泽区人民政府_2023.txt").text
    assert "规章 0 0 0\n行政规范性文件 0 5 5" in text  # one cell per line in the original
    assert "行政处罚 4119\n行政强制 195" in text


def test_normalize_rules():
    text, starts = normalize_pages([
        "某某局\n2023 年政府信息公开工作年度报告\n\n一、总体情况\n"
        "本局坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实\n"
        "《条例》的各项要求，公开信息 1136\n条。\n"
        "— 1 —\n",
        "第 2 页\n规章\n0\n0\n3\n规范性文件\n12\n34\n5\n二、主动公开政府信息情况\n",
    ])
    lines = text.split("\n")
    assert lines[0] == "某某局2023 年政府信息公开工作年度报告"
    assert lines[1] == "一、总体情况"
    assert "本局坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《条例》的各项要求，公开信息 1136条。" in lines
    assert "规章 0 0 3" in lines and "规范性文件 12 34 5" in lines
    assert lines[-1] == "二、主动公开政府信息情况"
    assert "—" not in text and "第 2 页" not in text
    assert starts[0] == 0 and text[starts[1]:].startswith("规章")


def test_converter_placeholders_are_dropped_whole(tmp_path):
    # docling marks an image (a seal, a logo) with <!-- image -->, marker a page with <!-- page N -->,
    # MinerU embeds ![](images/….jpg): kept, they were joined into the title and the signature.
    f = tmp_path / "docling.md"
    f.write_text("# 附件\n\n<!-- image -->\n\n## 某某市发展和改革委员会2022年政府信息公开工作年度报告\n\n"
                 "本报告根据《条例》编制。\n\n| 行政许可 | 1386 | 1386 | 1386 |\n\n4\n\n<!-- image -->\n\n"
                 "<!-- page 5 -->\n\n![](images/6a2f0c41.jpg)\n\n某某市发展和改革委员会\n\n2023年1月16日\n\n"
                 "<!--[if !supportLists]-->7、<!--[endif]-->公共监管信息公开情况。\n", encoding="utf-8")
    doc = readers.read(f)
    assert "<!-- image -->" not in doc.text and "<!-- page" not in doc.text and "![" not in doc.text
    assert "<!-- image -->" not in doc.title and doc.title.endswith("2022年政府信息公开工作年度报告")
    assert "某某市发展和改革委员会2023年1月16日" in doc.text
    assert "<!--[if !supportLists]-->7、<!--[endif]-->公共监管信息公开情况。" in doc.text  # inside a line: text
    assert "| 行政许可 | 1386 | 1386 | 1386 |\n4\n" in doc.text  # a bare figure stays (it may be a cell)


def test_running_headers_and_hard_lines():
    body = ["总体情况良好。", "主动公开信息。", "依申请公开办理。", "存在问题改进。"]
    pages = [f"某某市政府信息公开年度报告（第{i}页）\n{b}\n- {i} -" for i, b in enumerate(body, start=1)]
    text, starts = normalize_pages(pages)
    assert text.split("\n") == body and len(starts) == 4
    text, _ = normalize_pages([["一、情况\n没有句号", HardLines(["规章 | 1 | 2", "合计"]), "下文"]])
    assert text.split("\n")[-3:] == ["规章 | 1 | 2", "合计", "下文"]


# --- PDF ------------------------------------------------------------------------------

PDF_APPLICATIONS = {  # 一、本年新收 row: 自然人 … 其他, 总计, as printed
    "淮安市人民政府_2024.pdf": ["3001", "53", "0", "0", "61", "4", "3119"],
    "淮安市洪泽区人民政府_2023.pdf": ["21", "0", "0", "0", "0", "0", "21"],
    "淮安市洪泽区人民政府_2024.pdf": ["95", "0", "0", "0", "0", "0", "95"],
}


@pytest.mark.parametrize("name", sorted(PDF_APPLICATIONS))
def test_pdf_grids(corpus, name):
    doc = readers.read(corpus / "pdf" / name)
    assert doc.grids and all(g.page for g in doc.grids)
    for g in doc.grids:
        assert len({len(r) for r in g.rows}) == 1  # rectangular, merged cells as ""
        assert all(isinstance(c, str) and "\n" not in c for r in g.rows for c in r)
    label, figures = _row(doc.grids, "本年新收")
    assert label == "一、本年新收政府信息公开申请数量"
    assert figures == PDF_APPLICATIONS[name]
    assert _row(doc.grids, "四、结转下年度继续办理")
    assert _row(doc.grids, "规章")[1] and _row(doc.grids, "行政处罚")[1]
    # the table is also in the text, in place, one row per line
    assert "一、本年新收政府信息公开申请数量 | " + " | ".join(PDF_APPLICATIONS[name]) in doc.text.split("\n")
    assert doc.text.index("三、收到和处理政府信息公开申请情况") < doc.text.index("一、本年新收") \
        < doc.text.index("五、存在的主要问题")


def test_pdf_huaian_tables(corpus):
    doc = readers.read(corpus / "pdf" / "淮安市人民政府_2024.pdf")
    assert len(doc.page_starts) == 6
    assert doc.text[doc.page_starts[1]:].startswith("营商环境高质量推进产业发展")
    assert doc.page_at(doc.text.index("一、本年新收")) == 4
    assert _row(doc.grids, "行政许可") == ("行政许可", ["447228"])
    assert _row(doc.grids, "行政事业性收费") == ("行政事业性收费", ["96171.6"])
    assert _row(doc.grids, "2.其他法律行政法规禁止公开")[1] == ["30", "1", "0", "0", "0", "0", "31"]
    assert _row(doc.grids, "（七）总计")[1] == ["2932", "53", "0", "0", "61", "4", "3050"]
    review = [r for g in doc.grids for r in g.rows if r[0] == "72"]
    assert review == [["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"]]
    # prose boxes the table finder sees as one-column tables are not grids
    assert not any("本报告由淮安市人民政府办公室" in c for g in doc.grids for r in g.rows for c in r)


def test_pdf_text_matches_pdftotext_prose(corpus):
    doc = readers.read(corpus / "pdf" / "淮安市洪泽区人民政府_2023.pdf")
    assert "落实 “三审三校”制度" in doc.text  # same spacing as pdftotext
    assert "信息内容 | 本年处理决定数量\n行政处罚 | 4119" in doc.text  # header cell cut by the page break
    assert "未经审核的信息一律不准发布。" in doc.text  # prose inside a page frame, rejoined


# --- HTML -----------------------------------------------------------------------------

@pytest.mark.parametrize("name,figures", [("平潭综合实验区_2024.html", ["217", "1", "0", "0", "0", "0", "218"]),
                                          ("平潭综合实验区_2025.html", ["151", "3", "0", "0", "0", "0", "154"])])
def test_html_grids(corpus, name, figures):
    doc = readers.read(corpus / "html" / name)
    assert len(doc.grids) == 3
    for g in doc.grids:
        assert len({len(r) for r in g.rows}) == 1 and g.page is None
    label, got = _row(doc.grids, "本年新收")
    assert label == "一、本年新收政府信息公开申请数量" and got == figures
    head = doc.grids[1].rows[:3]
    assert head[1][3] == "自然人" and head[2][4:9] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    lines = doc.text.split("\n")
    assert "一、本年新收政府信息公开申请数量 | " + " | ".join(figures) in lines
    assert "一、总体情况" in lines and "六、其他需要报告的事项" in lines
    assert lines.index("二、主动公开政府信息情况") < lines.index("第二十条第（一）项") < lines.index("五、存在的主要问题及改进情况")


def test_html_page_chrome_and_encoding(tmp_path):
    body = ("<html><head><meta charset='gbk'><title>某某县2023年政府信息公开工作年度报告_某某县人民政府</title>"
            "<script>var x = '政府信息公开';</script><style>p{}</style></head><body>"
            "<nav>首页 | 政务公开 | 信息公开目录</nav>"
            "<div class='article'><p>一、总体情况&nbsp;</p><p>本县认真落实《条例》，\n主动公开信息。</p>"
            "<table><tr><td rowspan='2'>规章</td><td>1</td></tr><tr><td>&nbsp;</td></tr></table>"
            "<p>二、主动公开政府信息情况<br/>第二行</p></div>"
            "<div class='footer'>版权所有</div></body></html>")
    f = tmp_path / "page.htm"
    f.write_bytes(body.encode("gbk"))
    doc = readers.read(f)
    assert doc.title == "某某县2023年政府信息公开工作年度报告"
    assert doc.text.split("\n") == ["某某县2023年政府信息公开工作年度报告", "一、总体情况", "本县认真落实《条例》，主动公开信息。",
                                    "规章 | 1", "二、主动公开政府信息情况", "第二行"]
    assert doc.grids[0].rows == [["规章", "1"]]  # the all-blank second row carries nothing
    assert "var x" not in doc.text and "首页" not in doc.text and doc.media == "html"


# --- text encodings -----------------------------------------------------------------

def test_gbk_and_bom_text(corpus, tmp_path):
    src = corpus / "reports" / "淮安市洪泽区人民政府_2023.txt"
    expected = readers.read(src).text
    gbk = tmp_path / "洪泽_gbk.txt"
    gbk.write_bytes(src.read_text(encoding="utf-8").encode("gbk"))
    assert readers.read(gbk).text == expected
    short = tmp_path / "short.txt"
    short.write_bytes("某某局2023年政府信息公开工作年度报告\n一、总体情况\n本年公开信息12条。".encode("gb18030"))
    assert readers.read(short).title == "某某局2023年政府信息公开工作年度报告"
    bom = tmp_path / "bom.md"
    bom.write_bytes(b"\xef\xbb\xbf" + src.read_bytes())
    doc = readers.read(bom)
    assert doc.text == expected and not doc.title.startswith("\ufeff")


# --- bad input ------------------------------------------------------------------------

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s, j = list(range(256)), 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def _page_objects(content: bytes) -> list[bytes]:
    return [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]


def _encrypted_pdf(user: bytes = b"secret", owner: bytes = b"owner") -> bytes:
    """A real RC4-40 (Standard security handler, R2) PDF that needs the user password."""
    file_id = hashlib.md5(b"report-assistant-test").digest()
    perms = -44
    o = _rc4(hashlib.md5((owner + _PAD)[:32]).digest()[:5], (user + _PAD)[:32])
    key = hashlib.md5((user + _PAD)[:32] + o + struct.pack("<i", perms) + file_id).digest()[:5]
    obj_key = hashlib.md5(key + struct.pack("<i", 4)[:3] + b"\0\0").digest()[:10]
    content = _rc4(obj_key, b"BT /F1 12 Tf 72 720 Td (Annual report) Tj ET")
    objects = _page_objects(content) + [
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (o.hex().encode(),
                                                                     _rc4(key, _PAD).hex().encode(), perms)]
    ident = file_id.hex().encode()
    return _pdf(objects, b"/Encrypt 6 0 R /ID [<%s> <%s>]" % (ident, ident))


def _fails(path, *words):
    with pytest.raises(ReportError) as err:
        readers.read(path)
    assert err.value.path == str(path) and str(path) in str(err.value)
    message = str(err.value).lower()
    assert any(w.lower() in message for w in words), message
    return err.value


def test_encrypted_pdf(tmp_path):
    import pdfplumber
    f = tmp_path / "locked.pdf"
    f.write_bytes(_encrypted_pdf())
    with pdfplumber.open(f, password="secret") as pdf:  # the file really is a valid encrypted PDF
        assert pdf.pages[0].extract_text() == "Annual report"
    _fails(f, "encrypted", "加密")


def test_bad_pdfs(tmp_path):
    junk = tmp_path / "random.pdf"
    junk.write_bytes(os.urandom(4096))
    _fails(junk, "not a pdf", "不是有效的 PDF")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    _fails(broken, "broken", "损坏", "no text")
    blank = tmp_path / "scanned.pdf"
    blank.write_bytes(_pdf(_page_objects(b"")))
    _fails(blank, "no text layer", "扫描件")
    words = tmp_path / "other.pdf"
    words.write_bytes(_pdf(_page_objects(b"BT /F1 12 Tf 72 720 Td (Quarterly sales figures) Tj ET")))
    _fails(words, "not a government", "不是政府信息公开")


def test_bad_files(tmp_path):
    _fails(tmp_path / "missing.txt", "not found", "不存在")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    _fails(empty, "empty", "为空")
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\n\t\n", encoding="utf-8")
    _fails(blank, "no text", "没有可读取")
    other = tmp_path / "notes.txt"
    other.write_text("今天开会，讨论了下周的工作安排。\n", encoding="utf-8")
    _fails(other, "not a government", "不是政府信息公开")
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(b"\x80\xff\x81\xfe" * 200)  # invalid in UTF-8, GB18030 and Big5 alike
    _fails(garbage, "encoding", "编码")
    doc = tmp_path / "report.docx"
    doc.write_bytes(b"PK\x03\x04")
    _fails(doc, "unsupported", "不支持")
    html = tmp_path / "empty.html"
    html.write_text("<html><body><script>政府信息公开</script></body></html>", encoding="utf-8")
    _fails(html, "no text", "没有可读取")
    _fails(tmp_path, "not a regular file", "不是文件")


def test_binary_disguised_as_text(tmp_path):
    f = tmp_path / "binary.txt"
    f.write_bytes(b"\x00\x01\x02\x03\x04\x05" * 100 + "政府信息公开年度报告".encode())
    _fails(f, "binary", "控制字符")


def test_normalize_never_loses_a_line():
    import random
    rnd = random.Random(0)
    pieces = ["一、总体情况", "（二）依申请公开", "第二十条第（一）项", "1.属于国家秘密", "0", "12 3 4", "规章 1 2 3",
              "本年度共受理申请 21", "件，均已答复。", "全面推进政务公开工作，不断完善政府信息公开制度，建立健全保障",
              "机制。", "2023 年", "— 3 —", "", "  ", "A | B", "发布日期：2020-01-31", "：", "x", "３",
              "政府信息公开工作年度报告"]
    for _ in range(300):
        pages = ["\n".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 15))) for _ in range(rnd.randint(1, 2))]
        text, starts = normalize_pages(pages)
        assert len(starts) == len(pages) and starts == sorted(starts) and all(0 <= s <= len(text) for s in starts)
        for page in pages:
            for line in page.split("\n"):
                if line.strip() and not normalize.is_dropped(line):
                    assert line in text
