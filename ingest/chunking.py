"""Report text cut into retrieval chunks, one section at a time.

Each chunk is an exact slice of ``doc.text`` (so a passage shown to the user can be
traced back to its line and page) and carries the label of the section it lies
in; splitting per section means no chunk mixes, say, the problems section with
the application table.
"""
from __future__ import annotations

import re

from langchain_text_splitters import RecursiveCharacterTextSplitter

from . import sections as sections_mod
from .records import Chunk, Document, Section
from .settings import DEFAULTS

# Paragraph, line, then Chinese sentence and clause ends. Single-line reports
# (many of the 平潭 ones) have no line breaks at all, so the sentence marks do
# the real work there.
SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", ""]
_SENTENCE_END = re.compile(r"[。！？!?]")


def wants_vector(text: str, section: Section, template: bool) -> bool:
    """Whether a chunk is embedded for the dense index, or found by its words only.

    The table sections of a template-format report are the template's row labels and their figures:
    the fact store answers those, and an embedding of a row of digits finds nothing a word search
    would miss. They are about a quarter of the corpus's tokens (15k of 61k), so leaving them out of
    the dense index speeds every ingest. A sentence there (a note under a table) is embedded like prose.
    """
    return not (template and section.number in sections_mod.TABLE_SECTIONS
                and not _SENTENCE_END.search(text))


def _splitter(size: int, overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        # "end" keeps each 。 with the sentence it closes, so a chunk reads as
        # whole sentences rather than starting with a stray mark.
        keep_separator="end",
        chunk_size=size,
        chunk_overlap=overlap,
        add_start_index=True,
        strip_whitespace=True,
    )


def chunk(doc: Document, sections: list[Section] | None = None,
          size: int | None = None, overlap: int | None = None) -> list[Chunk]:
    """Chunks of every section of ``doc`` in document order.

    ``size``/``overlap`` default to the chunk_size/chunk_overlap settings.
    """
    size = DEFAULTS["chunk_size"] if size is None else size
    overlap = DEFAULTS["chunk_overlap"] if overlap is None else overlap
    if overlap >= size:
        raise ValueError(f"chunk overlap {overlap} must be smaller than chunk size {size}")
    if sections is None:
        sections = sections_mod.split(doc.text)
    splitter = _splitter(size, overlap)
    template = sections_mod.is_template(sections)
    out: list[Chunk] = []
    for sec in sections:
        body = doc.text[sec.start:sec.end]
        if not body.strip():
            continue
        label = sections_mod.label(sec)
        prev_start = -1
        for piece in splitter.create_documents([body]):
            text = piece.page_content
            start = piece.metadata.get("start_index", -1)
            if start < 0 or body[start:start + len(text)] != text:
                # The splitter locates chunks with str.find from an estimate; if
                # that ever misses, fall back to the first match after the last chunk.
                start = body.find(text, prev_start + 1)
                if start < 0:
                    start = body.find(text)
            if start < 0:  # cannot happen: every chunk is a slice of body
                raise AssertionError(f"{doc.path}: chunk not found in section {label}")
            prev_start = start
            a = sec.start + start
            b = a + len(text)
            out.append(Chunk(
                text=text,
                section=label,
                char_start=a,
                char_end=b,
                line_start=doc.line_at(a),
                line_end=doc.line_at(b - 1),
                page=doc.page_at(a),
                dense=wants_vector(text, sec, template),
            ))
    return out
