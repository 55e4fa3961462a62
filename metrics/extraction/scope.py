"""Whether a figure speaks for the jurisdiction (SCHEMA v2 `scope`): area, case or context.

Word lists in metrics/patterns/scope.yaml: a marker of one case in the figure's sentence before it makes
it `case`; a word of the metric that names no police work makes it `context`; else `area`.
"""

from __future__ import annotations

from functools import cache

import regex

from metrics.extraction.normalize import FILLER, normalize
from metrics.rules import compile_checked, load


@cache
def _patterns() -> tuple[regex.Pattern, regex.Pattern]:
    data = load("scope")
    case = "|".join(f"(?:{normalize(str(w))})" for w in data["case"])
    context = "|".join(f"(?:{normalize(str(w))})" for w in data["context"])
    return compile_checked(case, "scope.yaml case"), compile_checked(context, "scope.yaml context")


def scope_of(metric: str, sentence_before: str) -> str:
    """'context' when the metric names no police work, 'case' when the sentence before the figure is
    about one case (normalised text), else 'area'."""
    case, context = _patterns()
    metric, sentence_before = metric.replace(FILLER, ""), sentence_before.replace(FILLER, "")
    if context.search(metric):
        return "context"
    if case.search(sentence_before):
        return "case"
    return "area"
