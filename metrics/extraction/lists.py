"""Figures that stand in a list, and the lists of words that pair with them.

A list of figures (分别上升7.8%、42.2%) is a run of figures with only a list separator between them
(``group_lists``); its items share the head's change direction and the last item's unit
(``share_within_list``). A list of subjects before it (治安、电诈、黄赌、伤害类警情) gives one metric to each
figure (``distribute_subjects``), a list of bases (同比、环比) one basis to each (``basis_list``).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import regex

from metrics.extraction.figure import Figure
from metrics.rules import alternation, compile_checked, load

LIST_GAP = regex.compile(r"^\s*+(?:(?:、|和|及|与|以及|,)\s*+)?$")  # possessive: linear on a long run of spaces
LEVEL_GROUPS = ("percent", "none", "tenths", "score")
NOUN_ENDINGS = "数率量件人案情额员点所"
SUBJECT_GAP_BREAK = regex.compile(r"[,;:。]")
CLAUSE_GAP_BREAK = regex.compile(r"[;:。]")  # between the clauses of one sentence a 分别 list may reach back


def group_lists(norm: str, figures: list[Figure]) -> list[list[Figure]]:
    """Consecutive figures with only a list separator between them form one group."""
    groups: list[list[Figure]] = []
    for figure in figures:
        if groups and LIST_GAP.match(norm[groups[-1][-1].end : figure.start]):
            groups[-1].append(figure)
        else:
            groups.append([figure])
    return groups


RESPECTIVELY_REACH = 4  # characters before a list's change word where 分别 makes every item a change


def share_within_list(group: list[Figure], norm: str = "") -> list[Figure]:
    """Items of a list take the head's change direction and the last item's unit where they have none; a
    level in counts takes it only after 分别, from a head of its kind (分别减少4起、10人: both changes;
    上升7.8%、逮捕684人 and 分别上升5.1%,70起命案: levels)."""
    head, last = group[0], group[-1]
    every_item = bool(head.direction) and says_respectively(norm[max(0, head.start - RESPECTIVELY_REACH) : head.start])
    shared = []
    for figure in group:
        if (
            figure.direction is None
            and head.direction
            and (figure.unit_group in LEVEL_GROUPS or (every_item and figure.unit_group == head.unit_group))
        ):
            figure = replace(figure, direction=head.direction)
        if figure.unit_group == "none" and not figure.magnitude and last.unit_group != "none":
            figure = replace(
                figure, unit_group=last.unit_group, unit=last.unit, unit_start=last.unit_start, unit_end=last.unit_end
            )
        shared.append(figure)
    return shared


def is_subject_list(norm: str, figures: list[Figure], across_clauses: bool = False) -> bool:
    """Do these figures stand in one subject list (刑事打处2129人、逮捕684人)? ``across_clauses``: also
    when each stands in a short clause of its own (刑事拘留604人,逮捕368人,抓获逃犯185人,同比分别上升…)."""
    gaps = [norm[a.end : b.start] for a, b in zip(figures, figures[1:])]
    breaks = CLAUSE_GAP_BREAK if across_clauses else SUBJECT_GAP_BREAK
    return all(len(g) <= 12 and not breaks.search(g) for g in gaps)


@cache
def _respectively() -> regex.Pattern:
    return compile_checked(alternation(load("metric")["respectively"]), "metric.yaml respectively")


def says_respectively(phrase: str) -> bool:
    """Does the phrase pair a list of figures one by one with what stands before (分别, 依次)?"""
    return _respectively().search(phrase) is not None


@cache
def _list_separator() -> regex.Pattern:
    return compile_checked(alternation(load("metric")["list_seps"]), "metric.yaml list_seps")


def split_items(phrase: str) -> list[str]:
    return [item for item in _list_separator().split(phrase) if item]


def distribute_subjects(phrase: str, count: int) -> list[str] | None:
    """'治安、电诈、黄赌、伤害类警情' with 4 figures → one metric each ('治安类警情' ...), or None."""
    items = split_items(phrase)
    if len(items) > count and len(by_comma := [i for i in phrase.split("、") if i]) == count:
        items = by_comma  # 电诈及关联案件破案数、抓人数: 及 joins inside one item, 、 parts the items
    if len(items) != count or count < 2:
        return None
    *heads, last = items
    if all(len(h) <= 4 and h[-1] not in NOUN_ENDINGS for h in heads) and len(last) > len(heads[-1]):
        suffix = last[len(heads[-1]) :]
        return [h + suffix for h in heads] + [last]
    return items


@cache
def _basis_list() -> regex.Pattern:
    data = load("changes")
    words = alternation(data["yoy"] + data["mom"])
    return compile_checked(rf"(?P<b>{words})(?:、(?P<b>{words}))+", "basis list")


def basis_list(phrase: str, count: int) -> list[str] | None:
    """'同比、环比分别下降33.42%、28.69%' → ['yoy', 'mom']."""
    m = _basis_list().search(phrase)
    if not m or len(m.captures("b")) != count:
        return None
    mom = set(load("changes")["mom"])
    return ["mom" if b in mom else "yoy" for b in m.captures("b")]
