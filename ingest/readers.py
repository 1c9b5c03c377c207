"""Read a report file of any supported kind into a Document (dispatch by extension).

Every failure on bad input is a ReportError naming the file and the problem,
so callers (the ingest CLI, the staff upload) can report it and carry on.
"""
from __future__ import annotations

from pathlib import Path

from . import html_reader, pdf_reader, text_reader
from .records import Document, ReportError

SUPPORTED = (".pdf", ".html", ".htm", ".txt", ".md")

_READERS = {".pdf": pdf_reader.read, ".html": html_reader.read, ".htm": html_reader.read,
            ".txt": text_reader.read, ".md": text_reader.read}


def read(path) -> Document:
    path = Path(path)
    ext = path.suffix.lower()
    try:
        if not path.exists():
            raise ReportError(path, "文件不存在 (file not found)")
        if not path.is_file():
            raise ReportError(path, "不是文件 (not a regular file)")
        if ext not in _READERS:
            raise ReportError(path, f"不支持的文件类型“{ext or '（无扩展名）'}”，支持：{'、'.join(SUPPORTED)} "
                                    f"(unsupported file type)")
        if path.stat().st_size == 0:
            raise ReportError(path, "文件为空 (empty file)")
        return _READERS[ext](path)
    except ReportError:
        raise
    except OSError as e:
        raise ReportError(path, f"无法读取文件 (cannot read file: {e.strerror or e})") from None
    except RecursionError:
        raise ReportError(path, "文件结构嵌套过深，无法解析 (document nested too deeply)") from None
    except Exception as e:  # a reader bug or a library choking on odd input must not surface as a traceback
        raise ReportError(path, f"无法读取 (unreadable: {type(e).__name__}: {e})") from None
