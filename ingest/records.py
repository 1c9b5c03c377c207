"""What ingestion produces, passed between its steps and written to the stores."""
from __future__ import annotations

from dataclasses import dataclass, field, asdict


class ReportError(Exception):
    """A file that cannot be ingested; the message names the file and the problem."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass
class Grid:
    """A table as cells, from a PDF or HTML table (rows of cell strings)."""
    rows: list[list[str]]
    page: int | None = None


@dataclass
class Document:
    """A report read from disk: normalised text plus, where the format has them, real tables.

    ``text`` is the whole report as one string; ``line_starts[i]`` is the
    character offset of line i+1 and ``page_starts[j]`` the offset where page
    j+1 begins (PDF only, else empty), so any span maps back to a line and page.
    """
    path: str
    text: str
    title: str = ""
    line_starts: list[int] = field(default_factory=list)
    page_starts: list[int] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    media: str = "txt"  # txt | html | pdf

    def line_at(self, offset: int) -> int:
        import bisect
        return bisect.bisect_right(self.line_starts, offset) if self.line_starts else 1

    def page_at(self, offset: int) -> int | None:
        import bisect
        return bisect.bisect_right(self.page_starts, offset) if self.page_starts else None


@dataclass
class Section:
    number: str       # 一 … 六, or "" for the preamble / pre-2019 layouts
    title: str
    start: int
    end: int


@dataclass
class Chunk:
    text: str
    section: str      # e.g. "一、总体情况"
    char_start: int
    char_end: int
    line_start: int
    line_end: int
    page: int | None = None
    dense: bool = True  # embedded for the dense index (False: found by its words only)


@dataclass
class Fact:
    table: str        # table label, e.g. "收到和处理政府信息公开申请情况"; "" for narrative facts
    table_key: str    # item1 … review; "narrative"
    row: str          # template label without numbering (narrative: what is counted)
    row_key: str
    row_group: str    # parent label, e.g. "不予公开"
    column: str       # template column label ("" for narrative)
    column_key: str
    value: float
    unit: str
    kind: str         # table | narrative | derived
    source_text: str  # the original text: the row as printed, or the sentence
    source_line: int | None = None
    source_page: int | None = None
    char_start: int | None = None
    char_end: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ParsedReport:
    path: str
    sha256: str
    agency: str
    year: int | None
    title: str
    format: str | None
    text: str
    media: str
    facts: list[Fact] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cells_expected: int = 0
    agency_confidence: str = "low"   # high | medium | low | given (see ingest.metadata)
    year_confidence: str = "low"
    candidates: list[dict] = field(default_factory=list)  # the evidence weighed for agency and year
    findings: list["Finding"] = field(default_factory=list)  # for reviewers (ingest.audit)
    reader_version: str = ""   # the code that read it (ingest.pipeline.reader_version)


SEVERITIES = ("error", "warning", "note")
# How staff and citizens read them, in the console and in chat answers alike.
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "note": "提示"}
FINDING_KIND_LABELS = {"in-table": "表内核对", "prose-table": "正文与表格", "percentage": "百分比",
                       "across-years": "跨年度", "shape": "格式完整性", "structure": "结构与文字"}


@dataclass
class Finding:
    """One thing a reviewer should look at in a report, traceable to its cells and sentences.

    ``kind``: in-table | prose-table | percentage | across-years | shape | structure.
    ``cells``: the table cells involved, each {"table_key", "row_key", "column_key", "row", "column", "value"}.
    ``sentences``: the passages involved, each {"text", "char_start", "char_end", "line"}.
    ``check``: which rule raised it (stable, for filtering and tests); ``other_report``: the file of
    the neighbouring year a cross-year finding compares with."""
    kind: str
    severity: str
    check: str
    message: str
    cells: list[dict] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    other_report: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)
