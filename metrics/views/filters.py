"""The dashboard's filters as a value, the options they offer, and the vectorised slicing they do."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.views.strings import UiStrings


@dataclass(frozen=True)
class Filters:
    """What the user chose. Empty tuples and ``None`` mean "no restriction"."""

    categories: tuple[str, ...] = ()
    years: tuple[int, int] | None = None  # inclusive; rows with no year are left out when set
    regions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    metric_search: str = ""  # substring of the metric, case-insensitive
    include_derived: bool = True


@dataclass(frozen=True)
class FilterOptions:
    """What the filters can offer, from the whole (unfiltered) table."""

    categories: list[str]
    regions: list[str]
    kinds: list[str]
    year_range: tuple[int, int] | None


def present_values(column: pd.Series) -> list[str]:
    """The distinct non-empty values of a column that occur in it, sorted."""
    counts = column.value_counts(dropna=True)
    return sorted(str(v) for v in counts[counts > 0].index if str(v) != "")


def filter_options(frame: pd.DataFrame, category_order: list[str]) -> FilterOptions:
    """Options for each filter, categories in the string table's order."""
    present = set(present_values(frame["category"]))
    years = frame["period"].dropna()
    year_range = (int(years.min()), int(years.max())) if len(years) else None
    return FilterOptions(
        categories=[c for c in category_order if c in present] + sorted(present - set(category_order)),
        regions=present_values(frame["region"]),
        kinds=present_values(frame["kind"]),
        year_range=year_range,
    )


def matching_metrics(metrics: pd.Series, search: str) -> list[str]:
    """The distinct metric names containing ``search`` (case-insensitive), looked up once per name."""
    names = pd.Series(
        metrics.cat.categories if isinstance(metrics.dtype, pd.CategoricalDtype) else metrics.dropna().unique(),
        dtype="string",
    )
    return names[names.str.contains(search, case=False, regex=False, na=False)].tolist()


def filter_mask(frame: pd.DataFrame, filters: Filters) -> pd.Series:
    """A boolean mask of the rows ``filters`` keep (vectorised)."""
    mask = pd.Series(True, index=frame.index)
    if filters.categories:
        mask &= frame["category"].isin(filters.categories)
    if filters.regions:
        mask &= frame["region"].isin(filters.regions)
    if filters.kinds:
        mask &= frame["kind"].isin(filters.kinds)
    if filters.years is not None:
        low, high = filters.years
        mask &= frame["period"].between(low, high).fillna(False).astype(bool)
    if filters.metric_search.strip():
        mask &= frame["metric"].isin(matching_metrics(frame["metric"], filters.metric_search.strip()))
    if not filters.include_derived:
        mask &= ~frame["derived"]
    return mask


def filter_statistics(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of ``frame`` that ``filters`` keep, in the same order."""
    return frame[filter_mask(frame, filters)]


def describe_filters(filters: Filters, strings: UiStrings) -> str:
    """The filters in words, for chart titles and captions: '毒品 drugs; 2020–2024; 苍南县' or 'no filters'."""
    parts = []
    if filters.categories:
        parts.append(", ".join(strings.category(c) for c in filters.categories))
    if filters.years is not None:
        parts.append(f"{filters.years[0]}–{filters.years[1]}")
    if filters.regions:
        parts.append(", ".join(filters.regions))
    if filters.kinds:
        parts.append(", ".join(strings.kind(k) for k in filters.kinds))
    if filters.metric_search.strip():
        parts.append(f"“{filters.metric_search.strip()}”")
    if not parts:
        return strings.text("no_filters")
    return f"{strings.text('filters_applied')}: " + "; ".join(parts)


def file_slug(filters: Filters) -> str:
    """A short, file-name-safe summary of the filters for download names ('drugs_2020-2024' or 'all')."""
    parts = list(filters.categories[:3]) + (["more"] if len(filters.categories) > 3 else [])
    if filters.years is not None:
        parts.append(f"{filters.years[0]}-{filters.years[1]}")
    parts += list(filters.regions[:2])
    parts += list(filters.kinds[:2])
    if filters.metric_search.strip():
        parts.append(filters.metric_search.strip())
    slug = "_".join(parts) or "all"
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in slug)[:80]
