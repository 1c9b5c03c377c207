"""The measure words reports count in, shared by the readers (ingest) and question understanding (assistant)."""
from __future__ import annotations

# Longest first where one begins another (人次 before 人, 万元 before 元).
COUNTING_UNITS = ("人次", "万元", "亿元", "元", "件", "条", "个", "项", "篇", "次", "人", "名", "期", "场",
                  "家", "宗", "位", "批", "轮", "套", "份", "户", "起", "类", "种", "部", "所", "台", "张", "天")
