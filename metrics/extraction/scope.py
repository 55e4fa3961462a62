"""Whether a figure speaks for the jurisdiction (SCHEMA v2 `scope`): area, case or context.

Word lists in metrics/patterns/scope.yaml: a marker of one case in the figure's sentence before it makes
it `case`; a word of the metric that names no police work makes it `context`; else `area`.
"""

from __future__ import annotations

from functools import cache

from metrics.extraction.any_of import FragmentLists, any_of
from metrics.extraction.normalize import FILLER, normalize
from metrics.rules import load


def word_lists() -> dict[str, list[str]]:
    """The `case` and `context` fragments of scope.yaml, normalized as the text they are read on."""
    data = load("scope")
    return {name: [normalize(str(w)) for w in data[name]] for name in ("case", "context")}


@cache
def _patterns() -> tuple[FragmentLists, FragmentLists]:
    lists = word_lists()
    return any_of(lists["case"], "metrics/patterns/scope.yaml case"), any_of(
        lists["context"], "metrics/patterns/scope.yaml context"
    )


def scope_of(metric: str, sentence_before: str) -> str:
    """'context' when the metric names no police work, 'case' when the sentence before the figure is
    about one case (normalised text), else 'area'."""
    case, context = _patterns()
    metric, sentence_before = metric.replace(FILLER, ""), sentence_before.replace(FILLER, "")
    if context.any(metric):
        return "context"
    if case.any(sentence_before):
        return "case"
    return "area"
