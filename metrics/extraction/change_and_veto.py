"""What stands right around a number: a change word before it (上升, 下降, ↑) gives its direction, and the
patterns of patterns/ignore.yaml veto it (a date, a year, a phone number, an ordinal, a name).
"""

from __future__ import annotations

from functools import cache

import regex

from metrics.rules import alternation, compile_checked, load


@cache
def direction_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    """(adjacent, nearby): a change word right before a figure, or a little before with filler between."""
    data = load("changes")
    up, down = data["up"], data["down"]
    words = up + down
    long_words = [w for w in words if len(w) > 1]
    adjacent = rf"(?P<word>{alternation(long_words)})(?:了)?$|(?<!新)(?P<word>{alternation([w for w in words if len(w) == 1])})$"  # noqa: E501 - one regex
    nearby = rf"(?P<word>{alternation(long_words)})(?:{alternation(data['filler'])}){{1,6}}$"
    return (compile_checked(adjacent, "changes.yaml adjacent"), compile_checked(nearby, "changes.yaml nearby"))


@cache
def direction_of_word() -> dict[str, str]:
    data = load("changes")
    return {**{w: "down" for w in data["down"]}, **{w: "up" for w in data["up"]}}


@cache
def veto_patterns() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern]:
    data = load("ignore")
    return (
        compile_checked("|".join(f"(?:{p})" for p in data["before"]), "ignore.yaml before"),
        compile_checked("|".join(f"(?:{p})" for p in data["after"]), "ignore.yaml after"),
        compile_checked("|".join(f"(?:{p})" for p in data["around"]), "ignore.yaml around"),
    )


LOOKBACK = 12  # characters looked at before a figure for a change word or a veto
LOOKAHEAD = 16


def is_vetoed(norm: str, start: int, end: int) -> bool:
    """Is the number at norm[start:end] one of the non-statistics of ignore.yaml?"""
    before, after, around = veto_patterns()
    if before.search(norm[max(0, start - LOOKBACK) : start]):
        return True
    if after.match(norm[end : end + LOOKAHEAD]):
        return True
    window_start = max(0, start - 16)
    return any(
        m.start() <= start - window_start and m.end() >= end - window_start
        for m in around.finditer(norm[window_start : end + 16])
    )


def find_direction(norm: str, start: int, single_char_ok: bool) -> tuple[str | None, int]:
    """The change direction right before ``start`` and where its word starts (``start`` when not in the surface)."""
    adjacent, nearby = direction_patterns()
    window = norm[max(0, start - LOOKBACK) : start]
    offset = start - len(window)
    m = adjacent.search(window)
    if m and (len(m["word"]) > 1 or single_char_ok or not m["word"].isalpha()):  # ↑/↓: a symbol, never part of a word
        return direction_of_word()[m["word"]], offset + m.start()
    m = nearby.search(window)
    if m:
        return direction_of_word()[m["word"]], start
    return None, start
