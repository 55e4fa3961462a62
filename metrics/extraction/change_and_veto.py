"""What stands right around a number: a change word before it (上升, 下降, ↑) gives its direction, and the
patterns of patterns/ignore.yaml veto it (a date, a year, a phone number, an ordinal, a name).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
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
    adjacent = rf"(?P<word>{alternation(long_words)})(?:了)?\x20?$|(?<!新)(?P<word>{alternation([w for w in words if len(w) == 1])})$"  # noqa: E501 - one regex
    nearby = rf"(?P<word>{alternation(long_words)})(?:{alternation(data['filler'])}){{1,6}}$"
    return (compile_checked(adjacent, "changes.yaml adjacent"), compile_checked(nearby, "changes.yaml nearby"))


@cache
def _compared_before() -> regex.Pattern:
    own = load("changes")["own_comparison"]
    return compile_checked(rf"(?:{own})[^,;:。!?\n]{{0,12}}$", "changes.yaml own_comparison (before a change)")


def follows_comparison(norm: str, start: int) -> bool:
    """Does a comparison (较, 比: 较2017年增, 同比减) stand in the clause right before ``start``? There a
    one-character change word (增2人) is a change, not part of a word (新增2人)."""
    return _compared_before().search(norm, max(0, start - 16), start) is not None


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


class Vetoes:
    """The vetoes of one text: the ``around`` patterns (a phone number, a date, a road marker) found once
    over the whole text, every overlapping match, so that a number is looked up, not rescanned; the
    ``before`` and ``after`` patterns read the few characters beside each number."""

    def __init__(self, norm: str, found: Iterable[regex.Match] | None = None) -> None:
        _, _, around = veto_patterns()
        matches = around.finditer(norm, overlapped=True) if found is None else found
        self.norm = norm
        self.starts: list[int] = []
        self.reach: list[int] = []  # the furthest end of any match starting at or before starts[i]
        for m in matches:
            self.starts.append(m.start())
            self.reach.append(max(m.end(), self.reach[-1]) if self.reach else m.end())

    def inside_around(self, start: int, end: int) -> bool:
        """Does one match of an ``around`` pattern hold all of norm[start:end]?"""
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.reach[i] >= end

    def is_vetoed(self, start: int, end: int) -> bool:
        """Is the number at norm[start:end] one of the non-statistics of ignore.yaml?"""
        before, after, _ = veto_patterns()
        norm = self.norm
        return bool(
            before.search(norm[max(0, start - LOOKBACK) : start])
            or after.match(norm[end : end + LOOKAHEAD])
            or self.inside_around(start, end)
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
