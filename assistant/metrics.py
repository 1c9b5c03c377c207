"""Which figure a question asks for, scored against the template and the stored prose facts.

Every candidate is described by words: a template cell by its row's label and
aliases, the group it belongs to, its column and its table (all from
ingest/template.py); a narrative fact by the clause the report printed before
the number and, more weakly, by its sentence. The question's content words are
weighted by how rare they are in the stored reports, and a candidate scores the
weight of the question words its description contains. No rule names a question.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ingest import template as T

from .synonyms import COUNTING_UNITS, NEGATION_START, QUESTION_REWRITES, STOPWORDS, SYNONYM_GROUPS, UNIT_WORDS
from .textutil import PUNCT, Segmenter

# A column asked for without a row means the applications received (自然人提出的申请).
DEFAULT_ROW = {"applications": "new", "review": "review"}
# The cell read when a row is named without a column.
DEFAULT_COLUMN = {"applications": "total", "review": "total", "item1": "made", "item5": "decisions",
                  "item6": "decisions", "item8": "fee_amount", "item9": "amount"}
SINGLE_ROW = {t.key for fmt in T.FORMATS.values() for t in fmt.tables if len(t.rows) == 1}
SECONDARY_DEFAULT_COLUMN = {"item8": "prev_count", "item5": "decisions", "item6": "decisions"}

# Rows and columns the ingest derives (kind "derived"), described like template ones.
DERIVED_ROWS = {
    ("applications", key): (label, ()) for key, (label, _) in T.DERIVED_GROUPS.items()
}
DERIVED_ROWS[("review", "lawsuit")] = ("行政诉讼", ("诉讼", "起诉", "打官司"))
DERIVED_COLUMNS = {("applications", "legal_person"): ("法人或其他组织", ("法人", "法人或者其他组织", "单位"))}

_MONEY_WORD = re.compile("(?:金额|钱|费用|款项)$")
# What a column named without its row keeps of its score against one whose row is named.
COLUMN_ONLY = 0.7
# How much a question word counts when found in a prose figure's lead clause or its context
# rather than in its own label.
LEAD_WEIGHT = 0.7
CONTEXT_WEIGHT = 0.4
# What each word of a prose figure's label that the question does not use costs its rank.
LABEL_EXTRA = 0.25
# Weight of a function word or verb that no template label uses (提起, 弄, 搞, 发生): it says how the
# question is asked, not which figure; nouns keep their weight, so an unknown topic still lowers coverage.
FILLER_WEIGHT = 0.3
# A prose figure whose unit the question's measure word only allows (个 for 几项), against one in that unit.
LOOSE_UNIT = 0.9
# jieba's part-of-speech tags of words that say how a question is asked, never what about (怎么样, 究竟):
# adverbs, pronouns, prepositions, conjunctions, particles, modal and onomatopoeic words.
FORM_TAGS = ("d", "r", "p", "c", "u", "ud", "ug", "uj", "ul", "uv", "uz", "y", "e", "o")
# Tags of filler words for choosing a figure: those, and verbs, numerals and measure words.
FILLER_TAGS = ("v", "vd", "ad") + FORM_TAGS + ("m", "mq", "q", "f")

_SYN = {}
for group in SYNONYM_GROUPS:
    for w in group:
        _SYN.setdefault(w, set()).update(x for x in group if x != w)

# 多少税款 / 多少罚款 / 多少经费: a sum of money, as 多少钱 is.
_UNIT_ASKED = re.compile(r"(?:多少|几)(" + "|".join(COUNTING_UNITS) + r")|多少(?:钱|[\u4e00-\u9fa5]?款|费用|资金|经费)|(金额)")
_COUNT_OF = re.compile("(" + "|".join(u for u in COUNTING_UNITS if u in UNIT_WORDS) + ")数(?!量|据|字)")
_COUNT_ASKED = re.compile(r"数量|数目|总数|多少|几")
_FEE_ASKED = re.compile(r"(?:收费|收钱|费)[^。]{0,12}?收了多少(?![件条个项次])")
COUNT = "count"
_RATE = re.compile(r"率|比例|占比|百分之|百分比|几成")
_REWRITES = [(re.compile(("(?<!有)" if src.startswith(NEGATION_START) else "") + re.escape(src)), QUESTION_REWRITES[src])
             for src in sorted(QUESTION_REWRITES, key=len, reverse=True)]


@dataclass
class Entry:
    """One candidate figure: a template cell kind, or one narrative fact."""
    kind: str                      # "cell" | "narrative"
    table_key: str
    row_key: str
    column_key: str
    own: str                       # row label + aliases ("|"-joined)
    group: str = ""                # parent group label (不予公开 …)
    column: str = ""               # column label + aliases
    table: str = ""                # table title + aliases
    context: str = ""              # narrative: the text before the figure and the rest of its clause
    lead: str = ""                 # narrative: what the figure before it in the sentence counts
    unit: str = ""
    group_is_derived: bool = False
    fact: dict | None = None       # narrative: the stored fact
    not_for: tuple[str, ...] = ()  # a cell: what its row does not count though its words may read so


@dataclass
class Match:
    entry: Entry
    score: float
    coverage: float
    used: set[str] = field(default_factory=set)   # question words the description explains
    exact: int = 0      # question words that are a whole label or alias (其他组织 for 其他, not 法人或其他组织)
    row_named: bool = True  # a cell: the question names its row, not only its column


def _join(*parts) -> str:
    return "|".join(p for p in parts if p)


def _derived_parent(table, row_key: str) -> str:
    """The heading a derived group total stands under: a group of outcomes (不予公开) is one of the
    outcomes its members' siblings are (本年度办理结果, the group of (七)总计)."""
    if row_key not in T.DERIVED_GROUPS:
        return ""
    total = next((r for r in table.rows if r.key == "total"), None)
    return total.group if total else ""


def template_entries() -> dict[tuple[str, str, str], Entry]:
    """Every (table, row, column) the template defines, both formats merged."""
    entries: dict[tuple[str, str, str], Entry] = {}
    groups = {label for label, _ in T.DERIVED_GROUPS.values()}
    for fmt in T.FORMATS.values():
        for table in fmt.tables:
            tdesc = _join(table.title, *table.aliases)
            for row in table.rows:
                for col in table.columns:
                    key = (table.key, row.key, col.key)
                    e = entries.get(key)
                    own = _join(row.label, *row.aliases)
                    cdesc = _join(col.label, *col.aliases)
                    if e is None:
                        entries[key] = Entry("cell", *key, own=own, group=row.group, column=cdesc, table=tdesc,
                                             unit=col.unit, group_is_derived=row.group in groups,
                                             not_for=row.not_for)
                    else:
                        e.own = _join(e.own, own)
                        e.column = _join(e.column, cdesc)
            for (tkey, rkey), (label, aliases) in DERIVED_ROWS.items():
                if tkey != table.key:
                    continue
                for col in table.columns:
                    entries.setdefault((tkey, rkey, col.key), Entry(
                        "cell", tkey, rkey, col.key, own=_join(label, *aliases), column=_join(col.label, *col.aliases),
                        group=_derived_parent(table, rkey), table=tdesc, unit=col.unit))
            for (tkey, ckey), (label, aliases) in DERIVED_COLUMNS.items():
                if tkey != table.key:
                    continue
                for row in table.rows:
                    entries.setdefault((tkey, row.key, ckey), Entry(
                        "cell", tkey, row.key, ckey, own=_join(row.label, *row.aliases), group=row.group,
                        column=_join(label, *aliases), table=tdesc, unit="件", group_is_derived=row.group in groups))
    for (tkey, rkey), (label, aliases) in DERIVED_ROWS.items():
        for (tkey2, ckey), (clabel, caliases) in DERIVED_COLUMNS.items():
            if tkey == tkey2:
                entries.setdefault((tkey, rkey, ckey), Entry(
                    "cell", tkey, rkey, ckey, own=_join(label, *aliases), column=_join(clabel, *caliases),
                    table=entries[(tkey, "new", "total")].table, unit="件"))
    return entries


def vocabulary(entries) -> set[str]:
    """Phrases the segmenter should keep whole."""
    words = set()
    for e in entries:
        for part in (e.own, e.group, e.column, e.table):
            words.update(p for p in part.split("|") if 2 <= len(p) <= 12)
        words.update(e.not_for)  # 信息处理费 whole, not 信息处理|费收
    words.update(QUESTION_REWRITES.values())
    # Question phrases come out whole (数|是多少, not 数是|多少), so that they are dropped whole.
    words.update(w for w in STOPWORDS if len(w) >= 2)
    for group in SYNONYM_GROUPS:
        words.update(group)
    words.update({"政府信息公开", "信息公开", "政务公开", "主动公开", "依申请公开", "门户网站", "新媒体",
                  "公众号", "访问量", "工作人员"})
    return words


# 被老百姓告上法庭 / 被企业申请复议: who sued or appealed is not a column of the review table,
# and read as the applicant column (自然人) it would outweigh the row the question names.
_PASSIVE_AGENT = re.compile(r"(被|遭)(?:老百姓|群众|市民|百姓|公民|个人|企业|公司|单位|律师|别人|他人|人)"
                            r"(?=告|起诉|诉|申请复议|申请行政复议|提起|复议)")


# 先申请复议、之后又去法院起诉: a suit brought after a review, however the order is said.
_AFTER_REVIEW = re.compile(r"复议[^，,。？?]{0,6}?(?:之后|以后|然后|后|再|又)[^，,。？?]{0,6}?(?:起诉|告|诉讼)")


# 企业、律所这些法人或其他组织 / 公司等法人: examples before the class they belong to; the class is asked.
_EXAMPLES = re.compile(r"(?:[\u4e00-\u9fa5]{1,6}?[、和及与或])*[\u4e00-\u9fa5]{1,6}?(?:这些|这类|那些|之类的?|等等|等)"
                       r"(?=法人|组织)")


# 办信息公开收没收过钱 / 信息公开有没有收费: the one fee the reports tie to disclosure is the
# 信息处理费 (《政府信息公开信息处理费管理办法》, reported under 六), not an agency's own fees.
_DISCLOSURE_FEE = re.compile(r"(?:信息公开|公开信息|依申请公开|申请公开)[^，,。？?]{0,6}?"
                             r"(?:收没收过?钱|收过钱|收钱|要钱|交钱|收费|收取费用|收了费)")


def rewrite(text: str) -> str:
    text = _DISCLOSURE_FEE.sub("信息处理费", text)
    text = _EXAMPLES.sub("", text)
    text = _PASSIVE_AGENT.sub(r"\1", text)
    text = _AFTER_REVIEW.sub("复议后起诉", text)
    for rx, dst in _REWRITES:
        text = rx.sub(dst, text)
    return text


def asked_unit(text: str) -> str | None:
    if _FEE_ASKED.search(text):
        return "钱"  # 收费…收了多少: a sum of money, whatever measure word is missing
    m = _UNIT_ASKED.search(text)
    if m:
        return m.group(1) or ("金额" if m.group(2) else "钱")
    # 天数 / 人数 / 条数: a count of that unit, asked for without 多少 before it.
    m = _COUNT_OF.search(text)
    if m:
        return m.group(1)
    # 办结率 / 占比: a share, not a count.
    if _RATE.search(text):
        return "%"
    # 数量 / 多少 without a measure word: a count of something, whatever its unit, but not a share.
    return COUNT if _COUNT_ASKED.search(text) else None


def unit_fits(asked: str | None, unit: str) -> bool:
    if not asked or not unit:
        return True
    if asked == COUNT:
        return unit not in UNIT_WORDS["%"]
    allowed = UNIT_WORDS.get(asked)
    if allowed is None:
        return True
    return unit in allowed or (asked in ("金额", "钱") and unit.endswith("元"))


class Scorer:
    """Scores candidates against a question's words; weights come from the stored texts."""

    def __init__(self, segmenter: Segmenter, documents: list[str], labels: str = ""):
        """``labels``: the template's own wording (every row, column and table description), against
        which a verb is told apart from a term (维持 is a column; 提起 is only how one asks)."""
        self.seg = segmenter
        self.docs = documents
        self.n = len(documents)
        self.labels = labels
        self._df = lru_cache(maxsize=20000)(self._df_uncached)
        self._weight = lru_cache(maxsize=20000)(self._weight_uncached)
        self._labels: dict[str, list[str]] = {}
        self.topics = self._table_topics()

    def _table_topics(self) -> dict[str, str]:
        """Nouns that name one template table's subject and no other's (行政复议, 行政诉讼 → review):
        a prose figure whose label carries one counts that table's object (收到行政复议的申请), whatever
        else its words share with a question that names none of that table's subjects. Verbs every
        table may use (收到, 申请, 处理) say how, not what."""
        tables: dict[str, set[str]] = {}
        for e in template_entries().values():
            tables.setdefault(e.table_key, set()).update(self.words(e.table))
        seen: dict[str, int] = {}
        for words in tables.values():
            for w in words:
                seen[w] = seen.get(w, 0) + 1
        return {w: key for key, words in tables.items() for w in words
                if seen[w] == 1 and not self.seg.tag(w).startswith("v")}

    def names_other_subject(self, label_words: list[str], words: list[str]) -> bool:
        """The label names a table's subject (行政复议) the question neither names nor shares a table with."""
        asked = {self.topics[y] for y in self.topics for w in words if y in w or self.found(w, y)}
        return any(x in self.topics and self.topics[x] not in asked
                   and not any(x in w or self.found(w, x) for w in words) for x in label_words)

    def _df_uncached(self, word: str) -> int:
        return sum(1 for d in self.docs if word in d)

    def weight(self, word: str) -> float:
        return self._weight(word)

    def _weight_uncached(self, word: str) -> float:
        if not self.n:
            return 1.0
        df = self._df(word)
        if df == 0:
            # A word no report uses cannot point at a figure: colloquial filler.
            return FILLER_WEIGHT
        w = min(4.0, math.log((self.n + 1) / df)) + 0.2
        if self.labels and word not in self.labels and self.seg.tag(word) in FILLER_TAGS:
            return min(w, FILLER_WEIGHT)
        return w

    def words(self, text: str) -> list[str]:
        out = []
        for w in self.seg.cut(text):
            if w in STOPWORDS or w in PUNCT or len(w) < 2 or w.isdigit():
                continue
            if w not in out:
                out.append(w)
        return out

    @staticmethod
    def found(word: str, text: str) -> float:
        if not text:
            return 0.0
        if word in text:
            return 1.0
        for s in _SYN.get(word, ()):
            if s in text:
                return 0.8
        if len(word) >= 3:
            pairs = [word[i:i + 2] for i in range(len(word) - 1)]
            frac = sum(p in text for p in pairs) / len(pairs)
            if frac >= 0.5:
                return 0.6 * frac
        return 0.0

    def score_cell(self, e: Entry, words: list[str], weights: dict[str, float]) -> Match | None:
        own = grp = col = tbl = 0.0
        used = set()
        for w in words:
            wt = weights[w]
            in_group = self.found(w, e.group)
            in_own = self.found(w, e.own)
            if in_own and not (in_group >= in_own):
                own += wt * in_own
                used.add(w)
            elif in_group:
                # A word of the group that this row also carries in its own label (办理 in
                # 办理结果总计) reads a little more as this row than as its siblings.
                grp += wt * in_group * (1.01 if in_own else 1.0)
                used.add(w)
        if e.group_is_derived:
            # A sub-row needs a word of its own (重复, 信访 …), not one every row of the table shares
            # (申请): otherwise the group row (不予处理) stands for the question.
            distinct = [w for w in used if self.found(w, e.own) and not self.found(w, e.group)
                        and not self.found(w, e.table)]
            if not distinct:
                return None
        for w in words:
            if w in used:
                continue
            f = self.found(w, e.column)
            if f:
                col += weights[w] * f
                used.add(w)
        for w in words:
            if w in used:
                continue
            f = self.found(w, e.table)
            if f:
                tbl += weights[w] * f * 0.5
                used.add(w)
        row = own + grp
        total = sum(weights.values()) or 1.0
        score = row + col + tbl
        parts = set("|".join((e.own, e.group, e.column)).split("|"))
        exact = sum(1 for w in used if w in parts)
        # Row match is what names a figure; columns alone fall back to the table's default row, and
        # in a table of one row (收费金额) the column names the cell.
        if row == 0 and not (col and (DEFAULT_ROW.get(e.table_key) == e.row_key or e.table_key in SINGLE_ROW)):
            return None
        if col == 0 and DEFAULT_COLUMN.get(e.table_key) != e.column_key:
            # No column named: the table's usual figure, then its fallback (2019 收费: 项目数量).
            score *= 0.95 if SECONDARY_DEFAULT_COLUMN.get(e.table_key) == e.column_key else 0.9
        return Match(e, score, score / total, used, exact, row_named=row > 0 or e.table_key in SINGLE_ROW)

    def score_narrative(self, e: Entry, words: list[str], weights: dict[str, float]) -> Match | None:
        score, used = 0.0, set()
        for w in words:
            f = self.found(w, e.own)
            if not f:
                # The clause before may name what this figure counts; the surrounding text only hints.
                f = max(LEAD_WEIGHT * self.found(w, e.lead), CONTEXT_WEIGHT * self.found(w, e.context))
            if not f and e.unit in UNIT_WORDS["钱"] and _MONEY_WORD.search(w):
                f = LEAD_WEIGHT  # 收费金额, 多少钱: a sum of money says it in its unit (收取信息处理费200元)
            if f:
                score += weights[w] * f
                used.add(w)
        if not score or self.names_other_subject(self._label_words(e.own), words):
            return None
        total = sum(weights.values()) or 1.0
        coverage = score / total
        # A label that also names what the question does not (完成梳理行政权力事项 for 责任事项)
        # counts something narrower or other: it ranks behind one the question describes fully.
        extra = sum(self.weight(x) for x in self._label_words(e.own)
                    if not any(x in w or self.found(w, x) for w in words))
        score -= min(LABEL_EXTRA * extra, LABEL_EXTRA * score)
        return Match(e, score, coverage, used)

    def _label_words(self, label: str) -> list[str]:
        words = self._labels.get(label)
        if words is None:
            words = self._labels[label] = self.words(label)
        return words

    def rank(self, text: str, entries: list[Entry], unit: str | None = None) -> list[Match]:
        words = self.words(text)
        weights = {w: self.weight(w) for w in words}
        out = []
        for e in entries:
            m = self.score_cell(e, words, weights) if e.kind == "cell" else self.score_narrative(e, words, weights)
            if m is None:
                continue
            if not unit_fits(unit, e.unit):
                m.score *= 0.3
                m.coverage *= 0.3
            elif e.kind == "narrative" and unit in UNIT_WORDS and e.unit and e.unit != unit and unit not in ("钱", "金额"):
                # 多少项事项: a figure counted in 项 reads the question better than one in 个 that 项 allows.
                m.score *= LOOSE_UNIT
            out.append(m)
        if any(m.entry.kind == "cell" and m.row_named for m in out):
            # Where the question names some cell's row, a cell read from its column alone has its row
            # assumed: the named row reads the question better (被老百姓告上法庭: 行政诉讼 is named,
            # 自然人 is only who sued).
            for m in out:
                if m.entry.kind == "cell" and not m.row_named:
                    m.score *= COLUMN_ONLY
        # Ties go to table cells (checked figures) and then to the shorter description.
        out.sort(key=lambda m: (-round(m.score, 6), m.entry.kind != "cell", -m.exact,
                                DEFAULT_ROW.get(m.entry.table_key) != m.entry.row_key, len(m.entry.own)))
        return out
