"""Converted copies of the corpus reports, as PDF→markdown tools and OCR leave them.

Each variant is (name, file name, text); the expected agency and year are the
original file's (``<机构>_<年份>``). Used by tests/test_metadata_variants.py and
scripts/harness_metadata.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ingest import metadata, readers

# Characters OCR confuses with the place characters of the corpus (same shape, other radical).
OCR_CONFUSABLE = {"沭": "沐", "州": "洲", "淮": "准", "泽": "择", "潭": "谭", "平": "乎", "海": "诲", "广": "厂",
                  "阳": "阴", "洪": "烘", "安": "案", "上": "土"}
MEANINGLESS = "doc_0042"


@dataclass
class Original:
    path: Path
    agency: str
    year: int
    title: str       # the title as it starts the normalised text ("" when the report has none)
    text: str        # normalised text (what a converter would have produced, one paragraph a line)


def originals(corpus: Path) -> list[Original]:
    out = []
    for sub in ("reports", "html", "pdf"):
        for f in sorted((corpus / sub).iterdir()):
            agency, year = f.stem.rsplit("_", 1)
            doc = readers.read(f)
            title = doc.title if doc.title and doc.text.startswith(doc.title) else ""
            out.append(Original(f, agency, int(year), title, doc.text))
    return out


def _body(o: Original) -> str:
    return o.text[len(o.title):].lstrip(" \u3000\n") if o.title else o.text


def _split_title(title: str) -> str:
    """The agency on its own line above the rest, as a two-line printed title converts."""
    m = re.search(r"(?:19|20)\d{2}\s*年", title)
    if not m or m.start() < 3:
        return title
    return title[:m.start()].rstrip() + "\n\n" + title[m.start():]


def _markdown(o: Original) -> str:
    lines = _body(o).split("\n")
    md = [("## " + line) if re.match(r"[一二三四五六七八九十]+、", line) else line for line in lines]
    return f"# {_split_title(o.title)}\n\n" + "\n\n".join(md)


def _contents(o: Original) -> str:
    heads = re.findall(r"(?:^|\n|\s)([一二三四五六]、[\u4e00-\u9fff]{2,20})", _body(o))[:6]
    return "目录\n" + "\n".join(f"{h}……{i + 1}" for i, h in enumerate(heads)) + "\n"


def _page_marked(o: Original) -> str:
    lines = o.text.split("\n")
    out = ["- 1 -"]
    for i, line in enumerate(lines):
        out.append(line)
        if i and i % 12 == 0:
            out += [f"- {i // 12 + 1} -", f"第{i // 12 + 1}页"]
    return "\n".join(out) + f"\n- {len(lines) // 12 + 2} -\n"


def ocr_swap(name: str) -> str:
    """``name`` with its first confusable place character misread."""
    for i, ch in enumerate(name):
        if ch in OCR_CONFUSABLE:
            return name[:i] + OCR_CONFUSABLE[ch] + name[i + 1:]
    return name


def _ocr_body(o: Original) -> str:
    """A third of the body's mentions of the place misread (OCR errs now and then, not always)."""
    place = o.agency[:-len(metadata._ORG_END.search(o.agency).group(0))] or o.agency
    place = re.sub(r"(人民)?$", "", place)
    swapped = ocr_swap(place)
    if swapped == place:
        return o.text
    parts = o.text.split(place)
    out = parts[0]
    for i, part in enumerate(parts[1:], start=1):
        out += (swapped if i % 3 == 0 else place) + part
    return out


def _ocr_title(o: Original) -> str:
    # The title misread, the body left alone: the body's majority must win.
    return ocr_swap(o.title) + o.text[len(o.title):]


def variants(o: Original) -> list[tuple[str, str, str]]:
    """(variant, file name, text) for one original. A report whose text has no title is known only by
    its file name, so its variants keep that name; the others are renamed to something meaningless."""
    anon = MEANINGLESS if o.title else o.path.stem
    out = [
        ("renamed", anon + ".txt", o.text),
        ("markdown title", anon + ".md", _markdown(o)),
        ("正文 first", anon + ".txt", "正文\n" + o.text),
        ("目录 first", anon + ".txt", _contents(o) + o.text),
        ("page markers", anon + ".txt", _page_marked(o)),
        ("OCR swaps in body", anon + ".txt", _ocr_body(o)),
        ("no title, named", o.path.stem + ".txt", _body(o)),
    ]
    if o.title:
        misread = Original(o.path, o.agency, o.year, ocr_swap(o.title), _ocr_title(o))
        out += [
            ("OCR swap in title", anon + ".txt", misread.text),
            ("all of these", anon + ".md", "正文\n" + _page_marked(Original(o.path, o.agency, o.year, "",
                                                                       _markdown(misread)))),
            ("no title, renamed", anon + ".txt", _body(o)),
        ]
    return out
