"""Dashboard latency: what a filter change costs at 10k, 100k and 1M generated statistics.

Two measurements per size, each the median of several runs after one warm-up:

* ``filter+charts``: the pure path a rerun takes once the prepared table is cached: filter, aggregate
  every chart (category/year counts, yoy changes, headline cards, trend choices and trend), build the
  three Plotly figures, serialise them to JSON (as Streamlit does), and build the shown table rows.
* ``app rerun``: the whole dashboard script in streamlit.testing.AppTest after a filter change (store
  reads replaced by the generated table, cache warm): Streamlit's own work included, the browser's not.

``prepare`` is the one-off cost per store version (de-duplication, derived values), cached by the app.
Usage: ``.venv/bin/python bench/bench_dashboard.py [--sizes 10000 100000 1000000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics.views.charts import (category_year_counts, category_year_figure, chart_title, headline_figures,  # noqa: E402
                                 largest_changes, metric_trend, trend_choices, trend_figure, yoy_changes,
                                 yoy_figure)
from metrics.views.filters import Filters, filter_statistics  # noqa: E402
from metrics.views.prepare import prepare_statistics  # noqa: E402
from metrics.views.strings import load_ui_strings  # noqa: E402
from metrics.views.text import display_table  # noqa: E402

CATEGORIES = ["criminal", "public_order", "telecom_fraud", "vice", "injury", "homicide", "theft_robbery",
              "economic_crime", "drugs", "organized_crime", "cybercrime", "firearms_explosives",
              "smuggling_border", "environment", "food_drug_safety", "traffic", "public_service",
              "security_ops", "police_force", "other"]
SCENARIOS = {
    "one category": Filters(categories=("drugs",)),
    "3 categories + years": Filters(categories=("drugs", "criminal", "telecom_fraud"), years=(2019, 2023)),
    "region": Filters(regions=("地区7",)),
    "metric search": Filters(metric_search="指标1"),
    "no filter": Filters(),
}


def generate_statistics(count: int, seed: int = 7) -> pd.DataFrame:
    """``count`` statistics over count/20 reports, 50 regions, 500 metrics; counts paired with yoy changes."""
    rng = np.random.default_rng(seed)
    docs = rng.integers(0, max(count // 20, 1), count)
    metric = rng.integers(0, 500, count)
    kind = rng.choice(["count", "change_pct", "amount", "rate"], count, p=[0.5, 0.3, 0.1, 0.1])
    period = rng.integers(2015, 2026, count)
    direction = np.where(kind == "change_pct", rng.choice(["up", "down"], count), None)
    label = np.where(rng.random(count) < 0.05, pd.Series(period).astype(str) + "-H1", None)
    start = np.arange(count) % 5000 * 10
    return pd.DataFrame({
        "stat_id": [f"s{i}" for i in range(count)], "doc_id": pd.Series(docs).map("doc{}".format),
        "region": pd.Series(docs % 50).map("地区{}".format),
        "published": pd.Series(period + 1).astype(str) + "-01-10",
        "metric": pd.Series(metric).map("指标{}".format), "category": np.array(CATEGORIES)[metric % 20],
        "kind": kind, "value": rng.integers(1, 5000, count).astype(float),
        "unit": np.where(kind == "change_pct", "%", "起"), "qualifier": "exact", "direction": direction,
        "basis": np.where(kind == "change_pct", "yoy", None), "period": period, "surface": "123起",
        "start": start, "end": start + 4, "sentence": "全年破获案件123起，同比上升5%。", "period_label": label,
        "corrected": False})


def filter_and_draw(prepared: pd.DataFrame, filters: Filters, strings) -> int:
    """Everything a rerun computes after a filter change; the bytes of figure JSON (to keep it honest)."""
    filtered = filter_statistics(prepared, filters)
    counts = category_year_counts(filtered)
    shown_changes = largest_changes(yoy_changes(filtered))
    headline_figures(filtered)
    choices = trend_choices(filtered)
    figures = [category_year_figure(counts, strings, chart_title("a", "b")),
               yoy_figure(shown_changes, strings, chart_title("a", "b"))]
    if not choices.empty:
        first = choices.iloc[0]
        trend = metric_trend(filtered, first["metric"], first["unit"], first["kind"])
        figures.append(trend_figure(trend, strings, chart_title("a", "b")))
    display_table(filtered.head(1000), ["period_display", "region", "category", "metric", "value", "evidence"])
    return sum(len(figure.to_json()) for figure in figures)


def median_ms(action, repeat: int) -> float:
    """Median wall time of ``action`` in milliseconds, after one warm-up call."""
    action()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def app_rerun_ms(prepared_source: pd.DataFrame, repeat: int) -> float:
    """Median AppTest rerun after switching the category filter, store reads replaced by ``prepared_source``."""
    from streamlit.testing.v1 import AppTest

    from metrics.views import data as view_data

    view_data.read_statistics = lambda db: prepared_source
    view_data.read_version = lambda db: f"bench-{len(prepared_source)}"
    view_data.read_corrections = lambda db: pd.DataFrame()
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    app.run()
    times = []
    for index in range(repeat + 1):
        app.multiselect(key="category").set_value([CATEGORIES[index % 5]])
        began = time.perf_counter()
        app.run()
        if app.exception:
            raise RuntimeError(app.exception)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-app", action="store_true", help="skip the AppTest rerun measurement")
    args = parser.parse_args()
    strings = load_ui_strings("zh")
    print(f"{'statistics':>10} | {'prepare (once)':>14} | " + " | ".join(f"{name:>20}" for name in SCENARIOS)
          + (" | app rerun" if not args.no_app else ""))
    for size in args.sizes:
        raw = generate_statistics(size)
        began = time.perf_counter()
        prepared = prepare_statistics(raw)
        prepare_ms = (time.perf_counter() - began) * 1000
        cells = [median_ms(lambda f=f, p=prepared: filter_and_draw(p, f, strings), args.repeat)
                 for f in SCENARIOS.values()]
        line = f"{size:>10,} | {prepare_ms:>11.0f} ms | " + " | ".join(f"{c:>17.0f} ms" for c in cells)
        if not args.no_app:
            line += f" | {app_rerun_ms(raw, args.repeat):.0f} ms"
        print(line, flush=True)


if __name__ == "__main__":
    main()
