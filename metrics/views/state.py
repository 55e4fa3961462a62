"""The page's state and its link: what the user chose, read from and written to the query string.

The link carries keys (category=telecom_fraud, measure=cases, regions=350200), never labels, so it reads the
same in both languages; it carries only what differs from the defaults, and every value is checked against
what the store holds now (a value the store no longer has falls back to the default, it never hides data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

VIEWS = ("indicator", "category", "places", "coverage", "table", "add", "corrections")
EDIT_VIEWS = ("add", "corrections")  # offered only to a viewer who may edit (metrics/views/settings.py)
PERIOD_MODES = ("years", "partial")
LANGS = ("zh", "en")
DEFAULT_CATEGORY = "telecom_fraud"
WIDGET_KEYS = {  # each part of the state → the key of the widget that holds it
    "tab": "w_tab",
    "category": "w_category",
    "measure": "w_measure",
    "regions": "w_regions",
    "periods": "w_periods",
    "period": "w_period",
    "derived": "w_derived",
    "lang": "w_lang",
}


@dataclass(frozen=True)
class PageState:
    """Everything a link restores."""

    lang: str = "zh"
    tab: str = "indicator"
    category: str = ""
    measure: str = ""  # a measure key, or measure/unit_family when it has several units
    regions: tuple[str, ...] = field(default_factory=tuple)  # region keys (GB/T 2260 codes)
    periods: str = "years"
    period: str = ""  # the period of the Places view
    derived: bool = True
    point: str = ""  # the chosen point's stat_id (its sources are shown)


def first(values: str | Sequence[str] | None) -> str:
    """The first of a query value (a string or a list of them), '' when absent."""
    if values is None:
        return ""
    if isinstance(values, str):
        return values
    return str(values[0]) if len(values) else ""


def as_list(values: str | Sequence[str] | None) -> list[str]:
    """A query value as a list of strings (a comma-separated string is split too)."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    return [part for item in items for part in str(item).split(",") if part]


def choose(value: str, options: Sequence[str], default: str) -> str:
    """``value`` when it is one of ``options``, else ``default`` (the first option when default is not one).

    >>> choose("x", ["a", "b"], "b"), choose("a", ["a", "b"], "b"), choose("z", ["a"], "q")
    ('b', 'a', 'a')
    """
    if value in options:
        return value
    if default in options:
        return default
    return options[0] if options else ""


def default_category(categories: Sequence[str]) -> str:
    """Telecom fraud when the store has it, else the first category."""
    return choose(DEFAULT_CATEGORY, categories, DEFAULT_CATEGORY)


def state_from_query(query: Mapping[str, str | Sequence[str]]) -> PageState:
    """The state a link asks for, unchecked against the store (see settle)."""
    derived = first(query.get("derived")).lower()
    return PageState(
        lang=choose(first(query.get("lang")), LANGS, "zh"),
        tab=choose(first(query.get("tab")), VIEWS, "indicator"),
        category=first(query.get("category")),
        measure=first(query.get("measure")),
        regions=tuple(dict.fromkeys(as_list(query.get("regions")))),
        periods=choose(first(query.get("periods")), PERIOD_MODES, "years"),
        period=first(query.get("period")),
        derived=derived not in ("false", "0", "no"),
        point=first(query.get("point")),
    )


def query_from_state(state: PageState, defaults: PageState) -> dict[str, str | list[str]]:
    """The link's query: only what differs from ``defaults`` (what the user chose), keys not labels.

    >>> query_from_state(PageState(lang="en", regions=("350200",)), PageState())
    {'lang': 'en', 'regions': ['350200']}
    """
    query: dict[str, str | list[str]] = {}
    mine, base = asdict(state), asdict(defaults)
    for name, value in mine.items():
        if value == base[name]:
            continue
        if isinstance(value, tuple):
            query[name] = list(value)
        elif isinstance(value, bool):
            query[name] = "true" if value else "false"
        else:
            query[name] = str(value)
    return query


def measure_key(choice: str) -> tuple[str, str]:
    """A measure choice split into (measure, unit family): 'reports/items' → ('reports', 'items');
    a plain key has no family ('')."""
    measure, _, family = choice.partition("/")
    return measure, family


def offered_views(may_edit: bool) -> list[str]:
    """The views this viewer is offered: the editing ones only to a viewer who may edit.

    >>> offered_views(False)
    ['indicator', 'category', 'places', 'coverage', 'table']
    """
    return [v for v in VIEWS if may_edit or v not in EDIT_VIEWS]


def widget_values(state: PageState) -> dict[str, object]:
    """Widget key → the value a link's state puts into it (a tuple of regions as a list).

    >>> widget_values(PageState(regions=("350200",)))["w_regions"]
    ['350200']
    """
    values: dict[str, object] = {}
    for name, key in WIDGET_KEYS.items():
        value = getattr(state, name)
        values[key] = list(value) if isinstance(value, tuple) else value
    return values


def selected_ids(event: Mapping | None) -> list[str]:
    """The stat_ids of the points a chart's selection event holds (their customdata's first item)."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    return [str(p.get("customdata", [""])[0]) for p in points if p.get("customdata")]


def chosen_row(selected: Sequence[int], count: int) -> int | None:
    """The first selected table row that still exists (a row deleted meanwhile is none), or None.

    >>> chosen_row([5], 3), chosen_row([2, 0], 3), chosen_row([], 3)
    (None, 2, None)
    """
    rows = [r for r in selected if 0 <= r < count]
    return rows[0] if rows else None
