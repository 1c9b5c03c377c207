"""Answers questions about the stored annual reports (read-only side of the project)."""
from .service import Assistant

__all__ = ["Assistant"]
