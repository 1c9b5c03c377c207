"""Splitting runs of digits that extraction glued together (``713000074`` = 71|3|0|0|0|0|74).

Only the template's own arithmetic makes a split certain: each block's last
cell is the sum of the cells before it. We enumerate every split without
leading zeros, keep those that satisfy the sums, and report a cell only where
every surviving split agrees on it; the caller records the rest as unreadable.
"""
from __future__ import annotations

import itertools
import math
from functools import lru_cache
from typing import Iterator

Split = tuple[int, ...]


def _parts(digits: str, n: int) -> Iterator[tuple[int, ...]]:
    """All ways to cut ``digits`` into ``n`` numbers with no leading zeros."""
    if n == 1:
        if digits and (digits == "0" or digits[0] != "0"):
            yield (int(digits),)
        return
    # Each remaining part needs at least one digit.
    for cut in range(1, len(digits) - n + 2):
        head = digits[:cut]
        if len(head) > 1 and head[0] == "0":
            break
        for rest in _parts(digits[cut:], n - 1):
            yield (int(head),) + rest


@lru_cache(maxsize=4096)
def sum_splits(digits: str, block: int, blocks: int = 1) -> tuple[Split, ...]:
    """Splits into ``blocks`` blocks of ``block`` cells whose last cell is the sum of the others."""
    return tuple(_sum_blocks(digits, block, blocks))


def _sum_blocks(digits: str, block: int, blocks: int) -> Iterator[Split]:
    # Block by block: the sum of a block's parts fixes its last cell's digits, so only the
    # parts are enumerated (splitting all 15 review cells at once would take minutes).
    if blocks == 0:
        if not digits:
            yield ()
        return
    rest_min = block * (blocks - 1)
    for k in range(block - 1, len(digits) - rest_min):
        for cells in _parts(digits[:k], block - 1):
            total = str(sum(cells))
            if digits.startswith(total, k):
                for rest in _sum_blocks(digits[k + len(total):], block, blocks - 1):
                    yield cells + (int(total),) + rest


@lru_cache(maxsize=4096)
def free_splits(digits: str, n: int) -> tuple[Split, ...]:
    """Splits with no arithmetic to check (e.g. the 第二十条 items)."""
    return tuple(_parts(digits, n))


@lru_cache(maxsize=4096)
def blank_placements(figures: tuple[int, ...], n: int, block: int | None, printed: int) -> tuple[Split, ...]:
    """The figures as whole cells in order among ``n`` cells, the rest blank (0), keeping the block sums.

    ``printed``: how many figures the text held (a figure with a leading zero cannot be a whole cell,
    so when fewer came in, no placement exists). Bounded: beyond 20 000 placements none are returned.
    """
    k = len(figures)
    if k != printed or k >= n or math.comb(n, k) > 20_000:
        return ()
    out = []
    for pos in itertools.combinations(range(n), k):
        cells = [0] * n
        for p, v in zip(pos, figures):
            cells[p] = v
        if block and not all(sum(cells[b:b + block - 1]) == cells[b + block - 1] for b in range(0, n, block)):
            continue
        out.append(tuple(cells))
    return tuple(out)


def agreed_cells(splits: tuple[Split, ...] | list[Split], n: int) -> list[int | None]:
    """Per position: the value every split agrees on, else None (unreadable)."""
    if not splits:
        return [None] * n
    return [splits[0][i] if all(s[i] == splits[0][i] for s in splits) else None for i in range(n)]
