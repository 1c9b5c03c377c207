"""Every finding about one report that the report alone can show (cross-year ones need its neighbours)."""
from __future__ import annotations

import logging

from .. import checks
from ..records import Document, Fact, Finding
from . import prose, shape, structure

log = logging.getLogger(__name__)


def findings(doc: Document, facts: list[Fact], fmt: str | None, year: int | None) -> list[Finding]:
    out = checks.findings(facts, fmt)
    out += prose.prose_vs_table(doc, facts)
    out += prose.percentages(doc)
    out += prose.changes(doc)
    out += shape.findings(doc, facts, fmt, year)
    out += structure.findings(doc, facts, fmt)
    return out
