"""What a figure counts: its metric phrase, category, kind and basis."""

from __future__ import annotations

import bisect
import re
from functools import cache

import ahocorasick_rs
import regex

from metrics.errors import PatternError
from metrics.extraction.normalize import FILLER
from metrics.rules import alternation, compile_checked, load


@cache
def _override_pattern() -> tuple[regex.Pattern | None, dict[str, str]]:
    owners = {str(w): key for key, spec in load("categories")["categories"].items() for w in spec.get("overrides", [])}
    return (compile_checked(alternation(list(owners)), "categories.yaml overrides") if owners else None), owners


def keyword_trie(words: list[str], between: str = "") -> str:
    """A pattern matching any of ``words`` (the longest where several start at one place), written as a
    trie so that the engine tries one branch per character instead of every word; ``between`` may stand
    between two characters (converter junk).

    >>> re.fullmatch(keyword_trie(["刑事", "刑事案件", "刑拘"]), "刑事案件") is not None
    True
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict) -> str:
        parts = [
            re.escape(char) + (between + branch(child) if set(child) - {""} else "")
            for char, child in sorted(node.items())
            if char
        ]
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if "" in node else body

    return branch(trie)


NO_CATEGORY = ""  # the category of categories.yaml not_keywords: a name whose keyword is no evidence


@cache
def _keyword_index() -> tuple[re.Pattern, dict[str, tuple[str, str, bool]]]:
    """One pattern over every keyword (converter junk may stand between its characters), and
    keyword → (category, level, broad): a broad outright keyword (刑事, 办理) yields in the metric to
    another outright keyword there (电诈刑事立案 is telecom fraud, 办理涉赌案件 vice).

    Written for the standard library's ``re``: the keywords are plain literals, and ``re`` scans this
    trie at about 40 MB/s where the ``regex`` package manages about 6. It is used where converter junk stands
    in the text; elsewhere an automaton finds the same keywords faster (_keywords_in).
    """
    index: dict[str, tuple[str, str, bool]] = {}
    for key, spec in load("categories")["categories"].items():
        weak = spec.get("weak")  # true: every keyword is weak; a list: those words are
        level = "weak" if weak is True else "strong"
        for word in weak if isinstance(weak, list) else []:
            index.setdefault(str(word), (key, "weak", False))
        for word in spec.get("keywords", []):
            index.setdefault(str(word), (key, level, False))
        for word in spec.get("broad", []):
            index.setdefault(str(word), (key, level, True))
        for word in spec.get("generic", []):
            index.setdefault(str(word), (key, "generic", False))
    for word in load("categories").get("not_keywords") or []:
        index.setdefault(str(word), (NO_CATEGORY, "none", False))  # found as a word, so its keyword is not
    try:
        pattern = re.compile(keyword_trie(list(index), between=f"{FILLER}*"))
    except re.error as exc:
        raise PatternError(f"categories.yaml keywords: {exc}") from None
    return pattern, index


Hit = tuple[int, int, str, str, bool, int]  # start, end, category, level, broad, item (list items before it)

ITEM_BREAK = re.compile(r"[、,，;；:：。与和及\n]")  # what ends one item of a list (刑事与治安类警情)


def keyword_hits(text: str, start: int = 0, end: int | None = None) -> list[Hit]:
    """Every keyword in text[start:end], left to right, with its category, level, breadth and the
    number of list-item breaks before it (two hits with one number stand in one item)."""
    _, index = _keyword_index()
    end = len(text) if end is None else end
    hits: list[Hit] = []
    item, counted = 0, start
    for hit_start, hit_end, word in _keywords_in(text, start, end):
        # breaks counted from the hit before, not listed for the whole text (a million 、 cost nothing)
        item += len(ITEM_BREAK.findall(text, counted, hit_start))
        counted = hit_start
        if index[word][0] != NO_CATEGORY:
            hits.append((hit_start, hit_end, *index[word], item))
    return hits


@cache
def _keyword_automaton() -> tuple[ahocorasick_rs.AhoCorasick, list[str]]:
    words = list(_keyword_index()[1])
    return ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest), words


def _keywords_in(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, keyword) of each keyword in text[start:end], leftmost-longest. Where no converter junk
    was blanked (nearly always) one Aho-Corasick automaton finds them, about 3.5x faster than the trie
    pattern, which finds the same; the pattern reads junk between a keyword's characters (萬(wàn))."""
    if text.find(FILLER, start, end) < 0:
        automaton, words = _keyword_automaton()
        part = text if start == 0 and end == len(text) else text[start:end]
        return [(start + a, start + b, words[i]) for i, a, b in automaton.find_matches_as_indexes(part)]
    pattern, _ = _keyword_index()
    return [(m.start(), m.end(), m.group().replace(FILLER, "")) for m in pattern.finditer(text, start, end)]


class KeywordIndex:
    """The keywords of a whole document, found once, looked up by range."""

    def __init__(self, norm: str) -> None:
        self.hits = keyword_hits(norm)
        self.starts = [h[0] for h in self.hits]
        self.ends = [h[1] for h in self.hits]

    def between(self, start: int, end: int) -> list[Hit]:
        return self.hits[bisect.bisect_left(self.starts, start) : bisect.bisect_right(self.ends, end)]


def _pick(hits: list[Hit], level: str, first: bool) -> str | None:
    chosen = [h[2] for h in hits if h[3] == level]
    if not chosen:
        return None
    if first:  # in one item of the figure's own words a narrow keyword comes before a broad one
        lead = next(h for h in hits if h[3] == level)
        return next((h[2] for h in hits if h[3] == level and not h[4] and h[5] == lead[5]), lead[2])
    return chosen[-1]


@cache
def _enumeration_pattern() -> regex.Pattern:
    return compile_checked(load("categories")["enumeration_end"], "categories.yaml enumeration_end")


@cache
def _remainder() -> tuple[str, ...]:
    return tuple(str(w) for w in load("categories").get("remainder") or [])


def _enumeration_end(metric: str) -> int | None:
    """Where the last enumeration word of the metric ends (盗窃、诈骗等|侵财案件), if it has one."""
    ends = [m.end() for m in _enumeration_pattern().finditer(metric)]
    return ends[-1] if ends else None


def _class_of_enumeration(metric: str, end: int, hits: list[Hit]) -> list[Hit]:
    """The keywords of an enumeration's class (after ``end``) when an outright, not broad, one stands there;
    else the metric's own ``hits``."""
    after = keyword_hits(metric, end)
    return after if any(h[3] == "strong" and not h[4] for h in after) else hits


@cache
def _narrower_kinds() -> dict[str, frozenset[str]]:
    """category → the categories whose keywords, before the figure, decide instead of its generic words
    (categories.yaml generic_yields_to; a category without the list yields to any)."""
    table = load("categories")["categories"]
    narrower = {key: frozenset(spec["generic_yields_to"]) for key, spec in table.items() if "generic_yields_to" in spec}
    unknown = set().union(*narrower.values()) - set(table) if narrower else set()
    if unknown:
        raise PatternError(f"categories.yaml generic_yields_to: unknown categories {sorted(unknown)}")
    return narrower


@cache
def _staying() -> frozenset[str]:
    """The categories whose keywords name only the figures they stand with (categories.yaml stays_put)."""
    return frozenset(k for k, spec in load("categories")["categories"].items() if spec.get("stays_put"))


def _yielded_to(metric_hits: list[Hit], hits: list[Hit]) -> list[Hit]:
    """``hits`` (of the sentence or paragraph before), without those a generic word of the metric that
    names a kind of crime does not yield to: its own category's stay, and those of narrower kinds
    (诈骗案 after an enumeration of 伤人…: no injury; after 电诈: telecom fraud)."""
    narrower = _narrower_kinds()
    kinds = [narrower[h[2]] | {h[2]} for h in metric_hits if h[3] == "generic" and h[2] in narrower]
    if not kinds or any(h[3] in ("strong", "weak") for h in metric_hits):
        return hits
    allowed = frozenset().union(*kinds)  # the narrower kinds and the word's own category
    return [h for h in hits if h[2] in allowed]


def category_of(
    metric: str,
    after: list[Hit] | str,
    sentence_before: list[Hit] | str,
    paragraph_before: list[Hit] | str,
    metric_hits: list[Hit] | None = None,
    list_hits: list[Hit] | None = None,
) -> str:
    """The category: keywords in the metric first (the leftmost), then in the rest of its clause after
    the figure, then nearest before it in the sentence and paragraph; outright keywords before generic.
    The sentence and paragraph may be given as text or as their keyword hits."""
    override, owners = _override_pattern()
    if override is not None and (survey_words := list(override.finditer(metric))):
        ending = survey_words[-1]  # what the metric ends on: 群众安全感 is a survey figure, 安全感…的暴力案件 is not
        if not any(h[3] in ("strong", "generic") for h in keyword_hits(metric, ending.end())):
            return owners[ending.group()]
    in_metric = keyword_hits(metric) if metric_hits is None else metric_hits
    if metric.startswith(_remainder()) and not any(h[3] in ("strong", "weak") for h in in_metric):
        return "other"  # 其他报警 after 交通事故…: the rest of a breakdown is no kind the list names
    if (class_from := _enumeration_end(metric)) is not None:
        in_metric = _class_of_enumeration(metric, class_from, in_metric)
    in_after = keyword_hits(after) if isinstance(after, str) else after
    in_sentence = keyword_hits(sentence_before) if isinstance(sentence_before, str) else sentence_before
    in_paragraph = keyword_hits(paragraph_before) if isinstance(paragraph_before, str) else paragraph_before
    in_list = list_hits or []
    in_sentence, in_paragraph = _yielded_to(in_metric, in_sentence), _yielded_to(in_metric, in_paragraph)
    staying = _staying()
    if any(h[2] in staying for h in in_sentence):
        in_sentence = [h for h in in_sentence if h[2] not in staying]
    if any(h[2] in staying for h in in_paragraph):
        in_paragraph = [h for h in in_paragraph if h[2] not in staying]
    for hits, level in (
        (in_metric, "strong"),
        (in_after, "strong"),
        (in_list, "strong"),
        (in_metric, "weak"),
        (in_sentence, "strong"),
        (in_paragraph, "strong"),
        (in_metric, "generic"),
        (in_after, "generic"),
        (in_sentence, "generic"),
        (in_sentence, "weak"),
        (in_paragraph, "generic"),
    ):
        found = _pick(hits, level, first=hits is in_metric or hits is in_after or hits is in_list)
        if found:
            return found
    return "other"


# ---------------------------------------------------------------- metric phrase


@cache
def _trimmers() -> tuple[regex.Pattern, regex.Pattern]:
    data = load("metric")
    lead = compile_checked(rf"^(?:{alternation(data['lead_trim'])}|[\s\"“”'‘’、,]+)+", "metric.yaml lead_trim")
    comparisons = "|".join(p.rstrip("$") for p in data.get("tail_patterns", []))
    words = alternation(data["tail_trim"]) + (f"|{comparisons}" if comparisons else "")
    tail = compile_checked(rf"(?:{words}|[\s\"“”'‘’、,]+)+$", "metric.yaml tail_trim")
    return lead, tail


def clean_metric(phrase: str) -> str:
    """Trim function words from both ends: '全年刑事打处' → '刑事打处'."""
    lead, tail = _trimmers()
    keep = tuple(load("metric")["keep_endings"])
    phrase = phrase.replace(FILLER, "")
    for _ in range(3):
        trimmed = lead.sub("", phrase)
        trimmed = trimmed if trimmed.endswith(keep) else tail.sub("", trimmed)
        if trimmed == phrase:
            break
        phrase = trimmed
    limit = load("metric")["max_len"]
    return phrase[-limit:]


@cache
def _change_words() -> regex.Pattern:
    data = load("changes")
    words = (
        data["up"]
        + data["down"]
        + data["yoy"]
        + data["mom"]
        + data["filler"]
        + data["level_after"]
        + ["分别", "同比", "环比", "从", "由"]
    )
    named_year = rf"(?:{data['year_comparison']})度?(?:同期)?(?:相比|相较)?"  # 较2017年, 与2024年度相比
    return compile_checked(rf"^(?:{alternation(words)}|{named_year}|[\s,、])*$", "changes.yaml words")


@cache
def _change_word_start() -> regex.Pattern:
    data = load("changes")
    words = data["up"] + data["down"] + data["yoy"] + data["mom"] + ["较", "比", "同比", "环比"]
    return compile_checked(alternation(words), "changes.yaml words")


def starts_with_change_word(phrase: str) -> bool:
    """True for '下降至', '同比上升', '较上年' — the start of a change, not a counted noun."""
    return bool(_change_word_start().match(phrase))


def is_only_change_words(phrase: str) -> bool:
    """True for '同比上升', '较上年同期', '' — a phrase that names no metric of its own."""
    return bool(_change_words().match(phrase))


# ---------------------------------------------------------------- basis


@cache
def _basis_patterns() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    data = load("changes")
    return (
        compile_checked(alternation(data["yoy"]), "changes.yaml yoy"),
        compile_checked(alternation(data["mom"]), "changes.yaml mom"),
        compile_checked(data["year_comparison"], "changes.yaml year_comparison"),
    )


def basis_of(text: str, period: int | None) -> str | None:
    """yoy / mom from the words of the figure's clause; 较2018年 in a 2019 figure is yoy too."""
    yoy, mom, year_cmp = _basis_patterns()
    hits = []
    for m in mom.finditer(text):
        hits.append((m.end(), "mom"))
    for m in year_cmp.finditer(text):
        year = int(m["year"])
        hits.append((m.end(), "yoy" if period is not None and year == period - 1 else "none"))
    for m in yoy.finditer(text):
        if not any(start <= m.start() < end for start, end in ((h.start(), h.end()) for h in year_cmp.finditer(text))):
            hits.append((m.end(), "yoy"))
    if not hits:
        return None
    basis = max(hits)[1]
    return None if basis == "none" else basis


@cache
def _basis_frames() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    data = load("changes")
    return (
        compile_checked(data["frame_yoy"], "changes.yaml frame_yoy"),
        compile_checked(data["frame_mom"], "changes.yaml frame_mom"),
        compile_checked(data["own_comparison"], "changes.yaml own_comparison"),
    )


def compares_on_its_own(clause: str) -> bool:
    """Does the clause compare with something itself (比10月份, 较2019年), basis word or not?"""
    return _basis_frames()[2].search(clause) is not None


def framed_basis(before: str, clause: str) -> str | None:
    """yoy / mom from the last comparison in the sentence ``before`` the figure's ``clause`` (与去年国庆假期
    相比,…下降11.1%), unless the clause compares with something of its own (比10月份减少474起)."""
    frames = _basis_frames()[:2]
    if compares_on_its_own(clause):
        return None
    hits = [(m.end(), basis) for pattern, basis in zip(frames, ("yoy", "mom")) for m in pattern.finditer(before)]
    return max(hits)[1] if hits else None


# ---------------------------------------------------------------- kind

MONEY_CONTEXT = regex.compile(r"资金|金额|损失|财物|赃款|价值|获利|经济|资产|钱|被骗|涉案额|款")


def kind_of(unit_group: str, direction: str | None, has_magnitude: bool, metric: str) -> str:
    """The SCHEMA.md kind from the unit's group, a change word and, for bare numbers, the metric."""
    if unit_group in ("percent", "tenths", "ratio", "fraction"):
        return "change_pct" if direction or unit_group == "ratio" else "rate"
    if unit_group == "none":
        if direction:
            return "change_pct"
        return "amount" if MONEY_CONTEXT.search(metric) else "count"
    if unit_group == "money":  # 同比增加4309.3万元: a change in money counts money, as 减少120起 counts cases
        return "change_abs" if direction else "amount"
    if unit_group == "score":
        return "change_pct" if direction else "rate"
    if unit_group in ("quantity", "duration"):
        return unit_group
    return "change_abs" if direction else "count"
