"""Which agency a report is from and which year it covers.

The title says it ("广州市人力资源和社会保障局 2020 年政府信息公开工作年度报告",
"2019年上海市人民政府办公厅政府信息公开工作年度报告"); the project's file
names (``<机构>_<年份>.<ext>``) say it too, and their agency is the canonical
spelling, so it wins whenever the two name the same agency (one contains the
other: 洪泽区人民政府 / 淮安市洪泽区人民政府). The year is the year the report
covers, never the publication date. Callers can override both.
"""
from __future__ import annotations

import re
from pathlib import Path

from .normalize import title_of
from .records import Document

_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0", "O": "0"}
_YEAR = re.compile(r"((?:19|20)\d{2}|二[〇零○ＯO][〇零○ＯO一二三四五六七八九]{2})\s*年(?:度)?")
# Where the agency name ends and the report's own name begins.
_REPORT_NAME = re.compile(r"(?:关于)?(?:的)?(?:政府信息公开|信息公开|政务公开|政府信息|工作年度报告|年度报告|工作报告|年报)")
_ADMIN_UNIT_END = re.compile(r"[省市县区旗州盟镇乡]$")
_FILE_NAME = re.compile(r"^(?P<agency>.*[\u4e00-\u9fff].*?)[_\s-]+(?P<year>(?:19|20)\d{2})$")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*年\s*0?1\s*月\s*0?1\s*日\s*(?:起)?\s*(?:至|到|—|－|-|~|～)\s*"
                     r"(?:(?:19|20)\d{2}\s*年\s*)?12\s*月\s*31\s*日")
_YEAR_REPORT = re.compile(r"((?:19|20)\d{2})\s*年度?(?:政府信息公开|政务公开|信息公开)")
_STRIP = " \t\u3000（）()《》“”\"'·-—_，,:：、"


def _year_value(token: str) -> int:
    return int("".join(_CN_DIGIT.get(c, c) for c in token))


def from_title(title: str) -> tuple[str, int | None]:
    """(agency, year) as written in a report title; "" / None where the title does not say."""
    title = re.sub(r"\s+", "", title)
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


def detect(doc: Document, path) -> tuple[str, int | None]:
    title = doc.title or title_of(doc.text)
    t_agency, t_year = from_title(title) if title else ("", None)
    f_agency, f_year = from_file_name(path)
    if f_agency and t_agency and (f_agency in t_agency or t_agency in f_agency):
        agency = f_agency
    else:
        agency = t_agency or f_agency
    year = t_year or f_year or year_from_text(doc.text)
    return agency, year
