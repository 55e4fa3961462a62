"""The jurisdiction a report speaks for: a GB/T 2260 six-digit code, a canonical name and its province.

``resolve_region(text, hint=None, title=None)`` reads the hint when one is given (a ``--region`` value or page
metadata: 厦门, 厦门市, 廈門, 靑海, 350200), else the text: every jurisdiction named in the title and the first
characters is weighed (more in the title and the opening, much more when a police agency follows the name:
"苍南县公安局", "厦门警方"; little for a dateline such as "中新网福州1月9日电"), a named county also counts for its
city and province, and "全省 / 全市 / 本县" wording counts for that level. The answer is then found top down:
from the best-supported province the resolver goes to a city, then to a county, while that narrower place
holds at least half of the evidence, so "苍南县公安局 … 温州市" gives 苍南县 (330327) and a provincial report
that names its capital in a dateline stays the province.
Page metadata: ``source`` (the address a report came from) names Hong Kong, Macao or Taiwan by its domain.

The divisions, their names and codes come from the gazetteer (metrics/extraction/gazetteer.py, where
``region_by_code(code)`` names a code).

What the text's wording adds lives in ``metrics/patterns/regions.yaml``: the agency and level wording,
the weights of the evidence, variant characters OpenCC leaves alone (靑 → 青).
Traditional script is read through the project's OpenCC table (metrics.normalize).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import regex

from metrics.extraction.gazetteer import COUNTRY, Gazetteer, Region, gazetteer_of, region_by_code, year_in_dataset
from metrics.extraction.normalize import CharMap, translation_table
from metrics.rules import alternation, compile_checked, load

# ------------------------------------------------------------------------------------------------ wording


@dataclass(frozen=True)
class _Wording:
    agency: regex.Pattern
    dateline: regex.Pattern
    level_words: dict[str, regex.Pattern]
    weights: dict[str, float]


@cache
def _wording() -> _Wording:
    config = load("regions")
    agency = compile_checked(f"(?:{alternation(config['agency_suffixes'])})", "regions.yaml agency_suffixes")
    dateline = compile_checked(config["dateline"], "regions.yaml dateline")
    levels = {
        kind: compile_checked(alternation(words), f"regions.yaml level_words {kind}")
        for kind, words in config["level_words"].items()
    }
    return _Wording(agency, dateline, levels, {k: float(v) for k, v in config["weights"].items()})


@cache
def _simplify_map() -> CharMap:
    table = dict(translation_table())
    table.update({ord(k): v for k, v in load("regions")["variant_chars"].items()})
    return CharMap(table, "regions.yaml variant_chars")


def simplified(text: str) -> str:
    """Text in simplified script with full-width ASCII folded, variants as in the dataset (靑 → 青)."""
    return _simplify_map().translate(text)


# ------------------------------------------------------------------------------------------------ reading


def _mentions(gaz: Gazetteer, text: str, weight: float, head_chars: int, hint: bool) -> list[tuple[set[str], float]]:
    """(candidate divisions, weight) for each name found in the text."""
    words = _wording()
    w = words.weights
    found = []
    for start, after, name in gaz.find_names(text):
        agency = words.agency.match(text, after)
        is_agency = name in gaz.agencies or agency is not None
        if not hint and (name in gaz.prose or (name in gaz.agency_only and agency is None)):
            continue
        if agency is not None and _name_at(gaz, text, agency.end()):
            is_agency = False  # 海口市公安局琼山分局: the branch that follows is the agency
        value = w["mention"] + (w["agency"] if is_agency else 0.0)
        if words.dateline.match(text, after):
            value *= w["dateline"]
        if start < head_chars:
            value *= w["head"]
        found.append((set(gaz.names[name]), value * weight))
    return found


def _name_at(gaz: Gazetteer, text: str, position: int) -> bool:
    """Whether a known name begins at this position."""
    names = gaz.names
    return any(text[position : position + n] in names for n in range(2, 12))


def _choose_among(gaz: Gazetteer, candidates: set[str], supported: set[str]) -> str | None:
    """One division for an ambiguous name (鼓楼区, 吉林): the one whose closest enclosing division the rest of
    the text names (福州市 → 福州's 鼓楼区), else the widest; None when that is still a tie."""
    if len(candidates) == 1:
        return next(iter(candidates))

    def backing(key: str) -> int:  # depth of the narrowest named division on its chain (0: none)
        chain = [key, *gaz.ancestors(key)][::-1][1:]  # from the province down, the country left out
        return max((depth for depth, k in enumerate(chain, 1) if k in supported), default=0)

    strength = {k: backing(k) for k in candidates}
    strongest = max(strength.values())
    pool = [k for k in candidates if strength[k] == strongest]
    depth = {k: len(gaz.ancestors(k)) for k in pool}
    widest = [k for k in pool if depth[k] == min(depth.values())]
    return widest[0] if len(widest) == 1 else None


def _evidence(gaz: Gazetteer, mentions: list[tuple[set[str], float]]) -> dict[str, float]:
    """Weight per division, each name given to one division; the names of unambiguous mentions decide."""
    supported: set[str] = set()
    for candidates, _ in mentions:
        if len(candidates) == 1:
            key = next(iter(candidates))
            supported.add(key)
            supported.update(gaz.ancestors(key))
    own: dict[str, float] = defaultdict(float)
    for candidates, value in mentions:
        chosen = _choose_among(gaz, candidates, supported)
        if chosen is not None:
            own[chosen] += value
    return own


def _level_counts(text: str) -> dict[str, int]:
    return {kind: len(pattern.findall(text)) for kind, pattern in _wording().level_words.items()}


def _descend(gaz: Gazetteer, own: dict[str, float], levels: dict[str, int], ratio: float) -> str | None:
    """From the country down: go to the best-supported child while it holds ``ratio`` of the evidence."""
    w = _wording().weights
    total: dict[str, float] = defaultdict(float)
    children: dict[str, set[str]] = defaultdict(set)
    for key, value in own.items():
        total[key] += value
        child = key
        for parent in gaz.ancestors(key):
            total[parent] += value
            children[parent].add(child)
            child = parent

    def support(key: str) -> float:
        bonus = sum(levels.get(kind, 0) for kind in gaz.divisions[key].kinds) * w["level_word"]
        return total[key] + bonus

    if not total:
        return None
    current = COUNTRY
    while children.get(current):
        ranked = sorted(children[current], key=support, reverse=True)
        best = ranked[0]
        if len(ranked) > 1 and support(ranked[1]) == support(best):
            break  # places equally supported (江苏、辽宁、河南…6省): none of them is the jurisdiction
        if current != COUNTRY and support(best) < ratio * support(current):
            break
        if current == COUNTRY and own.get(COUNTRY, 0) > support(best):
            break
        current = best
    if current != COUNTRY:
        return current
    # The whole country only when it outweighs "全市 / 全省" wording: "市公安局 … 全国同级城市最低" is a city's
    # report that does not name its city.
    sub_national = sum(levels.values()) * w["level_word"]
    return COUNTRY if own.get(COUNTRY, 0) > sub_national else None


def _resolve_hint(gaz: Gazetteer, hint: str) -> Region | None:
    hint = simplified(hint).strip()
    if regex.fullmatch(r"\d{6}", hint):
        return region_by_code(hint)
    keys = gaz.names.get(hint)
    if keys:
        key = _choose_among(gaz, set(keys), set())
        if key is not None:
            return gaz.divisions[key].region
    own = _evidence(gaz, _mentions(gaz, hint, 1.0, 0, hint=True))
    key = _descend(gaz, own, {}, ratio=0.0)
    return gaz.divisions[key].region if key else None


def _region_of_source(source: str | None) -> Region | None:
    """Hong Kong, Macao or Taiwan from a source address's top-level domain (td.gov.hk → 810000)."""
    if not source:
        return None
    host = regex.match(r"(?:[a-z][a-z0-9+.-]*://)?([^/:?#\s]+)", source.strip().lower())
    if not host:
        return None
    code = load("regions")["source_domains"].get(host.group(1).rsplit(".", 1)[-1])
    return region_by_code(str(code)) if code else None


def _own_story(text: str) -> str:
    """The text up to where the page's other stories begin (新闻推荐, 相关阅读: regions.yaml other_stories)."""
    cut = min((i for word in load("regions")["other_stories"] if (i := text.find(word)) > 0), default=len(text))
    return text[:cut]


def resolve_region(
    text: str, hint: str | None = None, title: str | None = None, *, source: str | None = None, year: int | None = None
) -> Region | None:
    """The jurisdiction of a report: from ``hint`` when it names one, else from the title and the text.

    ``source`` (page metadata: the address a report came from) is read after the hint and before the text,
    for the top-level domains of one jurisdiction only (.hk, .mo, .tw). ``year`` picks the division list of that year
    (the code of the time for an abolished division); by
    default the latest. None when nothing in the hint or the text names a known jurisdiction.

    >>> resolve_region("", hint="廈門").code
    '350200'
    """
    gaz = gazetteer_of(year_in_dataset(year))
    if hint and hint.strip():
        region = _resolve_hint(gaz, hint)
        if region is not None:
            return region
    region = _region_of_source(source)
    if region is not None:
        return region
    w = _wording().weights
    body = _own_story(simplified((text or "")[: int(w["read_chars"])]))
    head = simplified(title or "")
    mentions = _mentions(gaz, head, w["title"], 0, hint=False) + _mentions(
        gaz, body, 1.0, int(w["head_chars"]), hint=False
    )
    levels = _level_counts(head + "\n" + body)
    key = _descend(gaz, _evidence(gaz, mentions), levels, ratio=w["narrower_share"])
    return gaz.divisions[key].region if key else None
