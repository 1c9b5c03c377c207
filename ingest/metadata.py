"""Which agency a report is from and which year it covers, by weighing every place that says so.

A converted copy (PDF→markdown, OCR) may lose its title line, start with ``#``,
``正文``, ``目录`` or a page number, or misread a character of the place name.
So no single line decides: the title, the preamble (本报告由…编制, 现向社会公布…),
the closing signature and date, the names the body repeats and the file name
each propose an agency and a year with a weight; proposals naming the same
agency (one with and one without its city: 某区人民政府 / 某市某区人民政府,
or one OCR character apart) pool their weight. The project's file names
(``<机构>_<年份>.<ext>``) carry the canonical spelling, so theirs is used when
they agree with the text. Every proposal is kept (``Detection.candidates``) with
a confidence, so staff can see and correct a doubtful one. The year is the year
covered, never the publication date (a report signed 2022年1月 covers 2021).

A saved web page may go on past the signature (【打印本页】, 分享到：, 相关链接…): the signature is
the last agency-and-date pair before such short non-sentence lines, and its date is never
also counted as a year the body writes about. A level word misread by one character
(自治洲, 自冶州) is set right; a bare place (昆山市) is its government (昆山市人民政府) unless it
is a zone (综合实验区, 开发区, 新区); the name is written as fully as the text writes it
(赣州市章贡区… for a signature's 章贡区…).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .records import Document
from .pinyin import syllable
from .words import pos_cut

_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0", "O": "0"}
_Y = r"(?:19|20)\d{2}|二[〇零○ＯO][〇零○ＯO一二三四五六七八九]{2}"
_YEAR = re.compile(rf"({_Y})\s*年(?:度)?")
# Where the agency name ends and the report's own name begins.
_REPORT_NAME = re.compile(r"(?:关于)?(?:的)?(?:政府信息公开|信息公开|政务公开|政府信息|工作年度报告|年度报告|工作报告|年报)")
_ADMIN_UNIT = "省市县区旗州盟镇乡"
_ADMIN_UNIT_END = re.compile(rf"[{_ADMIN_UNIT}]$")
_FILE_NAME = re.compile(r"^(?P<agency>.*[\u4e00-\u9fff].*?)[_\s-]+(?P<year>(?:19|20)\d{2})$")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日\s*(?:起)?\s*(?:至|到|—|－|-|~|～)\s*"
                     r"(?:(?:19|20)\d{2}\s*年\s*)?12\s*月\s*31\s*日")
_YEAR_REPORT = re.compile(r"((?:19|20)\d{2})\s*年度?(?:政府信息公开|政务公开|信息公开)")
_STRIP = " \t\u3000（）()《》“”\"'·-—_，,:：、*#>|"
_TITLE_WORDS = re.compile(r"年度报告|工作报告|年报")
_TOC_ENTRY = re.compile(r"^(?:.{0,60}?(?:…{2,}|\.{3,}|·{3,}|-{3,})\s*\d{1,3}\s*)+")

# An organisation name ends in one of these (or in an administrative unit: a place's own report).
ORG_SUFFIXES = ("人民政府", "政府", "管理委员会", "管委会", "委员会", "委", "办公室", "办公厅", "办", "厅", "局",
                "院", "中心", "所", "馆", "站", "处", "署", "部", "队", "公司", "集团", "银行", "大学",
                "学校", "学院", "街道", "公署")
_ORG_END = re.compile("(?:" + "|".join(sorted(ORG_SUFFIXES, key=len, reverse=True)) + rf"|[{_ADMIN_UNIT}])$")
# Words a heading, a table of contents or a sentence starts with; an agency name never does.
_NOT_A_NAME_START = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(]|第|本|我|该|各|全|其|现|根据|关于|以及|及|和|与|对|由|在|为|经|特)")
# Words that mark a heading or a sentence, never an agency name.
_NOT_A_NAME_WORD = re.compile(r"情况|报告|目录|正文|附件|概述|总体|说明|条例|事项|年度|信息公开|公开工作|问题|措施")
# Noise a converter puts before the title: markdown marks, 正文/目录 labels, page numbers.
_LEAD_NOISE = re.compile(r"^(?:\s+|#{1,6}|[*>_]+|正文|目录|目\s*录|附件\s*[一二三四五六七八九十\d]*\s*[：:]?"
                         r"|[-—–－~_]+\s*\d{1,4}\s*[-—–－~_]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
                         r"|\d{1,4}\s*/\s*\d{1,4}(?!\d)|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)")
# 曰 for 日: OCR's usual misreading of the signature's last character.
_DATE = re.compile(rf"({_Y})\s*年\s*([0-9一二三四五六七八九十〇零]{{1,3}})\s*月(?:\s*[0-9一二三四五六七八九十〇零]{{1,3}}\s*[日曰])?")
_PUBLISHED = re.compile(r"(?:发布|公开|成文|印发)(?:日期|时间)\s*[：:]\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})")

# Preamble sentences that name the compiling agency.
_PREAMBLE = [
    re.compile(r"本(?:年度)?报告(?:主要)?由(?P<a>[\u4e00-\u9fff]{3,40}?)(?:根据|依据|按照|编制|负责|结合)"),
    re.compile(rf"公布(?P<a>[\u4e00-\u9fff]{{3,40}}?)(?:{_Y})\s*年度?"),
    re.compile(rf"公布(?:{_Y})\s*年度?(?P<a>[\u4e00-\u9fff]{{3,40}}?)(?:政府信息公开|信息公开|政务公开)"),
    re.compile(r"(?:^|[。；\n])\s*(?P<a>[\u4e00-\u9fff]{3,40}?)(?:根据|依据|按照)《[^》]{0,30}条例》[^。]{0,120}编制"),
    re.compile(r"(?:发布机构|发布单位|来源)\s*[：:]\s*(?P<a>[\u4e00-\u9fff]{3,40})"),
]

# Weights of the places that name an agency or a year. Title and file name are written on purpose;
# a preamble or signature may name the office that wrote the report; body counts are circumstantial.
W_FILE, W_TITLE, W_PREAMBLE, W_SIGNATURE, W_BODY = 3.0, 3.0, 2.0, 2.0, 1.0
W_PERIOD, W_YEAR_PHRASE, W_SIGNED, W_BODY_YEAR = 3.0, 2.0, 1.0, 1.0
GIVEN = "given"


@dataclass
class Detection:
    agency: str
    year: int | None
    agency_confidence: str = "low"   # high | medium | low | given
    year_confidence: str = "low"
    candidates: list[dict] = field(default_factory=list)  # {"field", "value", "source", "weight"}
    title: str = ""                  # the title as found, without converter noise

    def as_tuple(self) -> tuple[str, int | None]:
        return self.agency, self.year


def _year_value(token: str) -> int:
    return int("".join(_CN_DIGIT.get(c, c) for c in token))


def clean_name(s: str) -> str:
    """A name as written, without markdown marks, spaces and surrounding punctuation."""
    return re.sub(r"\s+", "", s or "").strip(_STRIP)


def is_agency_name(s: str) -> bool:
    """True for an organisation's name (…局, …人民政府, …实验区), never for a heading word (正文, 一、总体情况)."""
    s = clean_name(s)
    if not (3 <= len(s) <= 40) or not re.fullmatch(r"[\u4e00-\u9fff]+", s):
        return False
    if _NOT_A_NAME_START.search(s) or _NOT_A_NAME_WORD.search(s):
        return False
    m = _ORG_END.search(s)
    return bool(m) and m.start() >= 2


def from_title(title: str) -> tuple[str, int | None]:
    """(agency, year) as written in a report title; "" / None where the title does not say."""
    title = strip_lead_noise(re.sub(r"\s+", "", title))
    m = _YEAR.search(title)
    year = _year_value(m.group(1)) if m else None
    rest = title[:m.start()] + "\n" + title[m.end():] if m else title
    # The agency is whichever side of the year carries it (before: "XX局2020年…", after: "2019年XX厅…").
    agency = ""
    for part in rest.split("\n"):
        cut = _REPORT_NAME.search(part)
        name = part[:cut.start()] if cut else part
        if cut and cut.group(0).startswith("政府") and _ADMIN_UNIT_END.search(name):
            name += "政府"  # "XX市政府信息公开…" is XX市政府's report, not XX市's
        name = name.strip(_STRIP)
        if name:
            agency = name
            break
    return agency, year


def from_file_name(path) -> tuple[str, int | None]:
    m = _FILE_NAME.match(Path(path).stem.strip())
    if not m:
        return "", None
    return m.group("agency").strip(_STRIP), int(m.group("year"))


def year_from_text(text: str) -> int | None:
    """The covered year from the statistics period or a "2023年度政府信息公开" phrase near the start."""
    head = text[:3000]
    for pattern in (_PERIOD, _YEAR_REPORT):
        m = pattern.search(head)
        if m:
            return int(m.group(1))
    return None


def strip_lead_noise(s: str) -> str:
    while True:
        m = _LEAD_NOISE.match(s)
        if not m or not m.group(0):
            return s
        s = s[m.end():]


def clean_title(line: str) -> str:
    """A title line without what converters put before it: markdown marks, 正文/目录, page numbers, contents."""
    return strip_lead_noise(_TOC_ENTRY.sub("", strip_lead_noise(line)))


def title_from_text(text: str) -> str:
    """The title from the first lines, past converter noise; a title split over two lines is joined."""
    # A table of contents line ("二、主动公开……2") may have been joined onto the title.
    lines = [clean_title(line) for line in text[:4000].split("\n")]
    lines = [line for line in lines if line.strip()]
    for i, line in enumerate(lines[:12]):
        m = _TITLE_WORDS.search(line)
        if not m:
            continue
        head = line[:m.end()]
        if len(head) > 80 or re.search(r"[。，；《]", head):
            continue  # a sentence about the report, not its title
        agency, _ = from_title(head)
        if not agency and i > 0 and len(lines[i - 1]) <= 40:
            head = lines[i - 1] + head  # "# 某某县人民政府" above "2021年…年度报告"
        return head
    return ""


# --- where names occur ---------------------------------------------------------

def _preamble_names(text: str) -> list[str]:
    head = text[:2500]
    out = []
    for pattern in _PREAMBLE:
        for m in pattern.finditer(head):
            name = clean_name(m.group("a"))
            name = _trim_to_name(name)
            if name:
                out.append(_compiled_for(name))
    return out


def _compiled_for(name: str) -> str:
    """"XX人民政府办公室 编制" writes XX人民政府's report: the office stands for its government."""
    m = re.match(r"(.+(?:政府|管委会|管理委员会))办公(?:室|厅)$", name)
    return m.group(1) if m and is_agency_name(m.group(1)) else name


def _trim_to_name(run: str) -> str:
    """The longest tail of ``run`` that is an agency name starting at a place name."""
    if is_agency_name(run) and _starts_with_place(run):
        return run
    for start in _place_starts(run):
        tail = run[start:]
        if is_agency_name(tail):
            return tail
    return run if is_agency_name(run) else ""


def _starts_with_place(s: str) -> bool:
    return 0 in _place_starts(s)


@lru_cache(maxsize=8192)
def _place_starts(run: str) -> tuple[int, ...]:
    """Offsets in ``run`` where jieba sees a place name (ns) begin. Cached: a report names its own
    agency dozens of times, and jieba's POS cut is most of the time spent reading who a report is by."""
    out, pos = [], 0
    for word, flag in pos_cut(run):
        if flag == "ns":
            out.append(pos)
        pos += len(word)
    return tuple(out)


# What may follow the signature: short lines that are no sentence — a saved page's chrome (【打印本页】【关闭窗口】,
# 分享到：, 扫一扫在手机打开当前页, 相关链接 and its link titles), a converter's page marks and the rows of a table
# it moved to the end. At most this many, each at most this long without its cell rules and spaces.
_JUNK_LINES, _JUNK_LEN = 30, 40
_SENTENCE_END = re.compile(r"[。！？；]")  # Chinese sentence ends (<!-- page 5 --> is a page mark)


@dataclass
class Signature:
    name: str                       # the signing agency ("" when the date stands alone)
    year: int
    month: int
    span: tuple[int, int]           # where the date is in the text: it is the signature's, no body year


def _is_junk_line(line: str) -> bool:
    return len(re.sub(r"[\s|]+", "", line)) <= _JUNK_LEN and not _SENTENCE_END.search(line)


def _date_ending(line: str) -> re.Match | None:
    """The date that ends ``line`` (nothing but spaces and a full stop after it), if any."""
    dates = list(_DATE.finditer(line))
    if dates and not line[dates[-1].end():].strip(" \t\u3000。."):
        return dates[-1]
    return None


def _signature(text: str) -> Signature | None:
    """The closing signature: an agency name followed by the date it was signed, in the last lines.

    Short lines that are no sentence may follow it (a saved web page's 【打印本页】, 分享到：…); past such
    lines only a date with an agency name before it is a signature, never a lone date."""
    body = text.rstrip()
    pos = len(body)
    junk = 0
    while pos > 0 and junk <= _JUNK_LINES:
        start = body.rfind("\n", 0, pos) + 1
        line = body[start:pos]
        pos = start - 1
        if not line.strip():
            continue
        last = _date_ending(line)
        if last is None:
            if not _is_junk_line(line):
                return None  # a sentence ends the text: no signature
            junk += 1
            continue
        year = _year_value(last.group(1))
        month = last.group(2)
        month_n = int(month) if month.isdigit() else _cn_number(month)
        before = body[:start + last.start()].rstrip()
        run = re.split(r"[。；;！!？?\n，,：:]", before)[-1]
        name = _trim_to_name(clean_name(run))
        if junk and not name:
            return None  # a date among the page's chrome, not a signature
        if not 1 <= month_n <= 12:
            return None
        return Signature(name, year, month_n, (start + last.start(), start + last.end()))
    return None


def _cn_number(s: str) -> int:
    s = s.replace("〇", "零")
    if s.startswith("十"):
        s = "一" + s
    if "十" in s:
        tens, _, ones = s.partition("十")
        return int(_CN_DIGIT.get(tens, "1")) * 10 + (int(_CN_DIGIT[ones]) if ones else 0)
    return int("".join(_CN_DIGIT.get(c, "0") for c in s) or 0)


_ORG_RUN = re.compile("[\u4e00-\u9fff]{3,40}?(?:" + "|".join(sorted(ORG_SUFFIXES, key=len, reverse=True)) + ")")


def body_names(text: str, limit: int = 30000) -> Counter:
    """Full agency names the body repeats ("某市某区人民政府办公室" → counted as written)."""
    counts: Counter = Counter()
    for run in re.findall(r"[\u4e00-\u9fff]{3,}", text[:limit]):
        for m in _ORG_RUN.finditer(run):
            if run.startswith("信息", m.end()):
                continue  # "XX政府信息公开": the report's subject, not "XX政府"
            name = _trim_to_name(run[:m.end()])
            if name and _starts_with_place(name):
                counts[name] += 1
    return counts


# --- weighing -----------------------------------------------------------------

def _differs_by_one(a: str, b: str) -> bool:
    """Same length, one differing character that is not structural (an OCR misreading: 沐/沭, 洲/州)."""
    if len(a) != len(b) or a == b:
        return False
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    return len(diff) == 1 and not all(c in _ADMIN_UNIT for c in diff[0]) \
        and _ORG_END.search(a).group(0) == _ORG_END.search(b).group(0)


# A place that is a zone (综合实验区, 开发区, 新区…) is run by a 管委会, not a 人民政府: its bare name stays.
_ZONE = re.compile(r"(?:实验区|试验区|开发区|新区|示范区|保税区|合作区|园区|工业区|管理区|功能区|度假区|风景区|景区|港区"
                   r"|自贸区|片区|开放区)$")


def _is_bare_place(name: str) -> bool:
    """A name that is only a place (昆山市, 某某县, 某某自治州): an administrative unit ends it, no organisation."""
    return bool(name) and name[-1] in _ADMIN_UNIT and not any(name.endswith(x) for x in ORG_SUFFIXES)


def government_of(name: str) -> str:
    """The government a bare place's report is by (昆山市 → 昆山市人民政府, 某某盟 → 某某盟行政公署);
    "" for a zone (平潭综合实验区 stays as written) and for a name that is not a bare place."""
    if not _is_bare_place(name) or _ZONE.search(name):
        return ""
    if name.endswith(("盟", "地区")):
        return name + "行政公署"
    return name + "人民政府"


def same_agency(a: str, b: str) -> bool:
    """One name is the other with its place written fuller (某区人民政府 / 某市某区人民政府), or an OCR copy;
    a bare place is its government (昆山市 / 昆山市人民政府 / 昆山市政府)."""
    if a == b:
        return True
    a2, b2 = (re.sub(r"人民政府$", "政府", government_of(x) or x) for x in (a, b))
    for x, y in ((a, b), (a2, b2)):
        if x == y:
            return True
        short, long_ = sorted((x, y), key=len)
        if long_.endswith(short) and _ADMIN_UNIT_END.search(long_[:-len(short)]) and len(short) >= 4:
            return True
    return _differs_by_one(a, b)


def _office_of(a: str, b: str) -> bool:
    """``a`` is the office that compiles and signs ``b``'s report (某区人民政府办公室 for 某区人民政府)."""
    compiled = _compiled_for(a)
    return compiled != a and same_agency(compiled, b)


def _one_char_variants(form: str, text: str) -> Counter:
    """How often ``text`` writes ``form`` and each spelling of it one non-structural character apart."""
    counts = Counter({form: text.count(form)})
    for i, ch in enumerate(form):
        pattern = re.escape(form[:i]) + r"([\u4e00-\u9fff])" + re.escape(form[i + 1:])
        for m in re.finditer(pattern, text):
            if m.group(1) != ch and not (ch in _ADMIN_UNIT or m.group(1) in _ADMIN_UNIT):
                counts[m.group(0)] += 1
    return counts


def ocr_majority(name: str, body: str) -> tuple[str, int]:
    """``name`` in the spelling the body uses most (an OCR-misread place → the spelling the body repeats),
    with how many body mentions decided it (0: kept as it was).

    Compared forms, fullest first: the whole name, its place (某州市), the place without its level (某州),
    its first two characters; the first form the body writes at all decides, because the body may repeat only the short place while the full name is printed once."""
    place = _place_part(name)
    forms = [name]
    if place:
        forms.append(place)
        if len(place) >= 3:
            forms.append(place[:-1])
        if len(place) >= 4:
            forms.append(place[:2])  # last resort: the place's first word (某某 of 某某综合实验区)
    for form in dict.fromkeys(forms):
        counts = _one_char_variants(form, body)
        best, n = counts.most_common(1)[0]
        if best != form and n > counts[form]:
            return best + name[len(form):], n
        if counts[form]:
            return name, 0  # the body confirms this spelling
    return name, 0


# The level words of a place are a closed set. A name whose level word is one character away from one of
# these (自治洲, 自冶州) is an OCR slip of it. Only the words of three characters or more are compared: one
# character of a one- or two-character word is half the word or all of it (株洲市 is a real name).
LEVEL_WORDS = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "街道", "省", "市", "县", "区", "旗",
               "州", "盟", "镇", "乡")
_LONG_LEVEL_WORDS = tuple(w for w in LEVEL_WORDS if len(w) >= 3)


@lru_cache(maxsize=8192)
def fix_level_words(name: str) -> str:
    """``name`` with a level word OCR misread by one character written right (黔东南苗族侗族自治洲 → …自治州).

    Where several level words are one character away (自治洲: 自治州, 自治县, 自治区, 自治旗), the one whose
    character reads the same (洲/州, the look-alike sharing its sound part) is meant; with none or several
    such, the name is left as written."""
    for size in sorted({len(w) for w in _LONG_LEVEL_WORDS}, reverse=True):
        for i in range(len(name) - size + 1):
            window = name[i:i + size]
            if window in LEVEL_WORDS:
                continue
            near = []
            for word in _LONG_LEVEL_WORDS:
                if len(word) != size:
                    continue
                diff = [k for k in range(size) if window[k] != word[k]]
                if len(diff) == 1:
                    near.append((word, diff[0]))
            if len(near) > 1:
                near = [(w, k) for w, k in near if syllable(w[k]) == syllable(window[k])]
            if len(near) == 1:
                return fix_level_words(name[:i] + near[0][0] + name[i + size:])
    return name


def _place_part(name: str) -> str:
    """The leading place of a name, up to its last administrative unit (某某综合实验区 of 某某综合实验区地方税务局)."""
    ends = [i + 1 for i, ch in enumerate(name) if ch in _ADMIN_UNIT and i >= 1]
    return name[:ends[-1]] if ends else ""


def assess(doc: Document, path) -> Detection:
    """Agency and year of ``doc`` with the evidence and a confidence for each."""
    text = doc.text
    cands: list[dict] = []

    def add(field_, value, source, weight):
        if value in ("", None):
            return
        cand = {"field": field_, "value": value, "source": source, "weight": weight}
        if field_ == "agency" and source != "file" and fix_level_words(value) != value:
            cand["value"], cand["as_written"] = fix_level_words(value), value
        cands.append(cand)

    f_agency, f_year = from_file_name(path)
    if f_agency and is_agency_name(f_agency):
        add("agency", f_agency, "file", W_FILE)
    add("year", f_year, "file", W_FILE)
    title = ""
    for t in dict.fromkeys(clean_title(t) for t in (doc.title, title_from_text(text)) if t):
        t_agency, t_year = from_title(t)
        t_agency = clean_name(t_agency)
        if t_agency and not is_agency_name(t_agency):
            t_agency = _trim_to_name(t_agency)  # a heading word glued on by the converter
        if t_agency or t_year:
            title = t
            add("agency", t_agency, "title", W_TITLE)
            add("year", t_year, "title", W_TITLE)
            break
    for name in dict.fromkeys(_preamble_names(text)):
        add("agency", name, "preamble", W_PREAMBLE)
    sig = _signature(text)
    if sig:
        add("agency", sig.name, "signature", W_SIGNATURE)
        # Signed in January–September: the report on the year before; late in the year: on that year.
        add("year", sig.year - 1 if sig.month <= 9 else sig.year, "signature date", W_SIGNED)
    else:
        m = _PUBLISHED.search(text[:800])
        if m:
            add("year", int(m.group(1)) - 1, "publication date", W_SIGNED)
    # What follows the signature is a page's chrome (相关链接 and the titles of other years' reports) or tables
    # a converter moved: no words of the report about its year or its agency.
    report = text[:sig.span[1]] if sig else text
    m = _PERIOD.search(report[:4000])
    add("year", int(m.group(1)) if m else None, "statistics period", W_PERIOD)
    m = _YEAR_REPORT.search(report[:3000])
    add("year", int(m.group(1)) if m else None, "year phrase", W_YEAR_PHRASE)
    # The body's count of years, without the signature's date (a publication date, not a year written about).
    counted = report[:sig.span[0]] if sig else report
    years = Counter(int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", counted[:20000]))
    if years:
        (top, n), *rest = years.most_common(2)
        # A year written once more than the next ("2024年，我局将…" in a report without other years) says little.
        lead = n - (rest[0][1] if rest else 0)
        if lead:
            add("year", top, "body", W_BODY_YEAR * min(lead, 3) / 3)
    body = body_names(report)
    for name, n in body.most_common(3):
        if n >= 2:
            add("agency", name, "body", W_BODY)

    # The title's own spelling is no evidence for itself: majorities are counted in the rest of the text.
    at = text.find(title) if title else -1
    body_text = text[:at] + text[at + len(title):] if at >= 0 else text
    agency, a_conf = _weigh_agency(cands, body_text, body)
    year, y_conf = _weigh_year(cands)
    return Detection(agency, year, a_conf, y_conf, cands, title)


def _weigh_agency(cands: list[dict], body_text: str, body: Counter) -> tuple[str, str]:
    names = [c for c in cands if c["field"] == "agency"]
    if not names:
        return "", "low"
    clusters: list[list[dict]] = []
    for c in names:
        for cl in clusters:
            if any(same_agency(c["value"], o["value"]) for o in cl):
                cl.append(c)
                break
        else:
            clusters.append([c])

    def score(cl):
        # Each source counts once; repetition in the body adds a little, up to one more source.
        by_source = {}
        for c in cl:
            by_source[c["source"]] = max(by_source.get(c["source"], 0), c["weight"])
        mentions = sum(body.get(c["value"], 0) for c in cl if c["source"] != "body")
        return sum(by_source.values()) + min(mentions, 5) * 0.2, set(by_source)

    ranked = sorted(clusters, key=lambda cl: score(cl)[0], reverse=True)
    best = ranked[0]
    best_score, sources = score(best)
    # A rival names another agency. The office that compiled or signed a government's report (某区人民政府办公室
    # beside 某区人民政府) is that government's hand, not a rival.
    rivals = [cl for cl in ranked[1:]
              if not any(_office_of(c["value"], o["value"]) or _office_of(o["value"], c["value"])
                         for c in cl for o in best)]
    runner = score(rivals[0])[0] if rivals else 0.0
    agency, corrected_by = _spelling(best, body_text)
    strong = {"file", "title"} & sources
    if corrected_by == 1:
        conf = "low"  # one body mention outvoted the title: plausible OCR fix, but staff should look
    elif len(sources - {"body"}) >= 2 and best_score >= runner + 2 and not corrected_by:
        conf = "high"
    elif strong and best_score > runner:
        conf = "medium"
    elif len(sources) >= 2 and best_score >= runner + 2:
        conf = "medium"  # two independent places agree (preamble and signature, or either and the body's
        #                  repeated full name) and no other agency comes near
    else:
        conf = "low"
    written_right = {c["value"] for c in best if "as_written" not in c}
    if conf == "high" and any("as_written" in c and c["value"] not in written_right and c["value"] not in body_text
                              for c in best):
        conf = "medium"  # a level word set right (自治洲 → 自治州) that the text never writes right
    return agency, conf


def _spelling(cluster: list[dict], text: str) -> tuple[str, int]:
    """The file name's canonical spelling, else the fullest form the text uses, in the majority's spelling.

    A bare place (昆山市) stands for its government (昆山市人民政府); a name the text writes with its upper
    places before it (赣州市章贡区解放街道办事处 for 章贡区解放街道办事处) is written that way."""
    for c in cluster:
        if c["source"] == "file":
            return c["value"], 0
    values = [c["value"] for c in cluster]
    first = next((c["value"] for c in cluster if c["source"] == "title"), values[0])
    first = government_of(first) or first
    fuller = [v for v in values if v != first and v.endswith(first) and same_agency(v, first)]
    name = max(fuller, key=len) if fuller else first
    name, corrected_by = ocr_majority(name, text)
    written = _written_fuller(name, text)
    return (written or name), corrected_by


def _written_fuller(name: str, text: str) -> str:
    """The fullest form of ``name`` the text writes with upper places before it (赣州市 before 章贡区…),
    below the province (a report's agency is named from its city down); "" when the text writes none."""
    if len(name) < 4:
        return ""
    found = []
    for m in re.finditer(re.escape(name), text):
        run = re.search(r"[\u4e00-\u9fff]{1,20}$", text[max(0, m.start() - 20):m.start()])
        if not run:
            continue
        upper = re.split(r"省|自治区|特别行政区", run.group(0))[-1]
        full = _trim_to_name(upper + name) if upper else ""
        if len(full) > len(name) and full.endswith(name) and same_agency(full, name):
            found.append(full)
    return max(found, key=len) if found else ""


def _weigh_year(cands: list[dict]) -> tuple[int | None, str]:
    scores: dict[int, float] = {}
    strong: dict[int, set] = {}
    for c in cands:
        if c["field"] != "year":
            continue
        scores[c["value"]] = scores.get(c["value"], 0) + c["weight"]
        if c["weight"] >= W_YEAR_PHRASE:
            strong.setdefault(c["value"], set()).add(c["source"])
    if not scores:
        return None, "low"
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    year, best = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    n_strong = len(strong.get(year, ()))
    if n_strong >= 2 and best >= runner + 3:
        conf = "high"
    elif n_strong >= 1 and best > runner:
        conf = "medium"
    else:
        conf = "low"
    return year, conf


def detect(doc: Document, path) -> tuple[str, int | None]:
    return assess(doc, path).as_tuple()
