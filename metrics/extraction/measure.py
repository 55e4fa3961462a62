"""What a figure measures (SCHEMA v2 `measure`) and the family of its unit (`unit_norm`).

Both are read from data: metrics/patterns/measures.yaml (the 28 measures with their labels and the
ordered word rules) and metrics/patterns/unit_norm.yaml (unit families). Rules match the normalised,
simplified text, so the script does not matter.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import regex

from metrics.errors import PatternError
from metrics.extraction.any_of import FragmentLists
from metrics.extraction.normalize import FILLER, normalize
from metrics.rules import category_labels, compile_checked, load

# The measure keys of SCHEMA.md, in its order (metrics/patterns/measures.yaml must hold exactly these).
MEASURE_KEYS: tuple[str, ...] = (
    "reports",
    "cases",
    "solved",
    "clearance_rate",
    "apprehended",
    "punished",
    "arrested",
    "prosecuted",
    "groups",
    "money_involved",
    "losses",
    "money_recovered",
    "money_protected",
    "seized",
    "prevented",
    "accidents",
    "deaths",
    "injuries",
    "violations",
    "inspections",
    "services",
    "deployments",
    "police_casualties",
    "honours",
    "satisfaction",
    "outreach",
    "registered",
    "other",
)
RISES = ("+", "-", "·")
RULE_KEYS = {"measure", "words", "units", "not_units", "kinds", "weak", "generic", "noun"}


@dataclass(frozen=True)
class Rule:
    measure: str
    pattern: regex.Pattern
    units: frozenset[str] | None
    not_units: frozenset[str]
    kinds: frozenset[str] | None
    weak: bool = False  # a noun rule: decides only when no verb rule does
    generic: bool = False  # a word naming no thing (发生): the nouns around decide first
    noun: bool = False  # a strong noun (警情): not read from the clause before the metric
    words: tuple[str, ...] = ()  # the regex fragments of ``pattern``, one per word

    def holds_for(self, family: str, kind: str) -> bool:
        if self.units is not None and family not in self.units:
            return False
        if family in self.not_units:
            return False
        return self.kinds is None or kind in self.kinds


@cache
def measure_table() -> dict[str, dict[str, str]]:
    """key → {'zh', 'en', 'rise'}, checked against SCHEMA's 28 keys (for the extractor and dashboard)."""
    table = load("measures")["measures"]
    where = "metrics/patterns/measures.yaml"
    if tuple(table) != MEASURE_KEYS:
        raise PatternError(
            f"{where}: measures must be exactly SCHEMA's keys in order, "
            f"missing {sorted(set(MEASURE_KEYS) - set(table))}, unknown {sorted(set(table) - set(MEASURE_KEYS))}"
        )
    for key, spec in table.items():
        if not isinstance(spec, dict) or set(spec) != {"zh", "en", "rise"} or spec["rise"] not in RISES:
            raise PatternError(f"{where}: measure {key} needs zh, en and rise (one of {RISES})")
    return {k: dict(v) for k, v in table.items()}


@cache
def _rules() -> tuple[Rule, ...]:
    measure_table()
    families = set(unit_families().values()) | {""}
    rules = []
    for i, spec in enumerate(load("measures")["rules"]):
        where = f"metrics/patterns/measures.yaml rule {i + 1}"
        if not isinstance(spec, dict) or set(spec) - RULE_KEYS or "measure" not in spec or not spec.get("words"):
            raise PatternError(f"{where}: a rule is a mapping of {sorted(RULE_KEYS)} with measure and words")
        if spec["measure"] not in MEASURE_KEYS:
            raise PatternError(f"{where}: unknown measure {spec['measure']!r}")
        for name in ("units", "not_units"):
            unknown = set(spec.get(name) or []) - families
            if unknown:
                raise PatternError(f"{where}: unknown unit families {sorted(unknown)} (see unit_norm.yaml)")
        words = tuple(normalize(str(w)) for w in spec["words"])
        rules.append(
            Rule(
                spec["measure"],
                compile_checked("|".join(f"(?:{w})" for w in words), where),
                frozenset(spec["units"]) if spec.get("units") is not None else None,
                frozenset(spec.get("not_units") or []),
                frozenset(spec["kinds"]) if spec.get("kinds") else None,
                bool(spec.get("weak")),
                bool(spec.get("generic")),
                bool(spec.get("noun")),
                words,
            )
        )
    return tuple(rules)


@cache
def unit_families() -> dict[str, str]:
    """Written unit (simplified) → its family, from unit_norm.yaml."""
    mapping: dict[str, str] = {}
    for family, units in load("unit_norm")["families"].items():
        for unit in units:
            if str(unit) in mapping:
                raise PatternError(f"metrics/patterns/unit_norm.yaml: unit {unit!r} is in two families")
            mapping[str(unit)] = str(family)
    return mapping


@lru_cache(maxsize=4096)
def unit_norm(unit: str) -> str:
    """The family of a written unit: 名 → persons, 宗 → cases, 公斤 → kg; unlisted units stay themselves."""
    simple = normalize(unit or "").strip()
    return unit_families().get(simple, simple)


class Rules(NamedTuple):
    """Rules in file order, and their words, which tell at once which rules match (one pass for all)."""

    rules: tuple[Rule, ...]
    words: FragmentLists

    @classmethod
    def of(cls, rules: tuple[Rule, ...]) -> Rules:
        return cls(rules, FragmentLists([list(r.words) for r in rules], "metrics/patterns/measures.yaml words"))

    def matching(self, text: str) -> list[Rule]:
        """The rules that match ``text``, in file order."""
        return [self.rules[i] for i in self.words.which(text)]


def _nearest(rules: Rules, text: str) -> str | None:
    """The measure of the rule whose last match ends nearest the end of ``text`` (ties: rule order)."""
    best, best_end = None, -1
    for rule in rules.matching(text):
        found = collections.deque(rule.pattern.finditer(text), maxlen=1).pop()
        if found.end() > best_end:
            best, best_end = rule.measure, found.end()
    return best


@cache
def _by_category() -> dict[str, dict[str, str]]:
    table = load("measures").get("by_category") or {}
    for category, mapping in table.items():
        unknown = (set(mapping) | set(mapping.values())) - set(MEASURE_KEYS)
        if unknown:
            raise PatternError(
                f"metrics/patterns/measures.yaml by_category {category}: unknown measures {sorted(unknown)}"
            )
    return table


def verb_in_metric(metric: str, unit: str, kind: str) -> bool:
    """Does a verb rule (not a noun) decide the measure from the metric itself?"""
    family = unit_norm(unit)
    metric = metric.replace(FILLER, "")
    return _nearest(_rule_sets(family, kind).verbs_not_nouns, metric) is not None


def measure_of(
    metric: str,
    unit: str,
    kind: str,
    before: str = "",
    clause: str = "",
    category: str | None = None,
    paragraph: str = "",
) -> str:
    """The measure of a figure from its metric phrase (normalised text), its unit and kind.

    A verb rule matching the metric decides (first in file order); else one in ``clause``, the rest of
    the figure's clause before the metric, the nearest; else a noun (weak) rule matching the metric, the
    word nearest its end; else any rule in ``before`` (the sentence before the metric), the nearest.
    A generic word (发生) alone in the metric gives way to the nouns of ``before``, then ``paragraph``
    (the paragraph before the sentence)."""
    family = unit_norm(unit)
    metric = metric.replace(FILLER, "")
    sets = _rule_sets(family, kind)
    measure = _verb_of_metric(metric, family, kind)
    if measure is None:
        clause, before, paragraph = (t.replace(FILLER, "") for t in (clause, before, paragraph))
        measure = _nearest(sets.verbs_not_nouns, clause) or _nearest(sets.nouns, metric)
        if measure is None and _nearest(sets.generic, metric) is not None:
            measure = _nearest(sets.nouns, before) or _nearest(sets.nouns, paragraph) or _nearest(sets.generic, metric)
        measure = measure or _nearest(sets.every, before) or "other"
    return _by_category().get(category or "", {}).get(measure, measure)


class RuleSets(NamedTuple):
    every: Rules
    verbs: Rules
    nouns: Rules  # weak rules, not generic
    generic: Rules
    verbs_not_nouns: Rules  # verbs that are no strong noun (read from the clause before the metric)


@cache
def _rule_sets(family: str, kind: str) -> RuleSets:
    """The rules that hold for a unit family and kind: all, verbs, nouns, generic words."""
    rules = tuple(r for r in _rules() if r.holds_for(family, kind))
    verbs = tuple(r for r in rules if not r.weak)
    return RuleSets(
        Rules.of(rules),
        Rules.of(verbs),
        Rules.of(tuple(r for r in rules if r.weak and not r.generic)),
        Rules.of(tuple(r for r in rules if r.generic)),
        Rules.of(tuple(r for r in verbs if not r.noun)),
    )


@lru_cache(maxsize=65536)
def _verb_of_metric(metric: str, family: str, kind: str) -> str | None:
    """The first verb rule matching the metric (metrics repeat: cached)."""
    return next((r.measure for r in _rule_sets(family, kind).verbs.matching(metric)), None)


@cache
def _category_of_measure() -> dict[str, str]:
    table = load("measures").get("category_of_measure") or {}
    unknown = (set(table) - set(MEASURE_KEYS)) | (set(table.values()) - set(category_labels()))
    if unknown:
        raise PatternError(f"metrics/patterns/measures.yaml category_of_measure: unknown keys {sorted(unknown)}")
    return dict(table)


def category_for_measure(measure: str, category: str) -> str:
    """The category a measure implies (police_casualties → police_force), else ``category``."""
    return _category_of_measure().get(measure, category)


@cache
def part_takes_whole() -> frozenset[str]:
    """The measures a part's own words may give and still yield to its whole's (measures.yaml)."""
    keys = frozenset(load("measures").get("part_takes_whole") or [])
    if keys - set(MEASURE_KEYS):
        raise PatternError(
            f"metrics/patterns/measures.yaml part_takes_whole: unknown {sorted(keys - set(MEASURE_KEYS))}"
        )
    return keys
