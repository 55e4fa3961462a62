"""Dashboard latency: what a filter change costs at 10k, 100k and 1M generated statistics.

Two measurements per size, each the median of several runs after one warm-up:

* the pure path a rerun takes once the prepared table is cached, per view: the indicator (all regions,
  three regions, parts of years), places (changes, ranking, tile map) and the category overview: select the
  points, build the Plotly figures and serialise them to JSON (as Streamlit does).
* ``app rerun``: the whole dashboard script in streamlit.testing.AppTest after a filter change to a state
  not seen before (so the per-state figure cache misses; store reads replaced by the generated table):
  Streamlit's own work included, the browser's not.

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

from metrics.views import figures as figs  # noqa: E402
from metrics.views import indicators as ind  # noqa: E402
from metrics.views.prepare import prepare_statistics  # noqa: E402

CATEGORIES = [
    "criminal",
    "public_order",
    "telecom_fraud",
    "vice",
    "injury",
    "homicide",
    "theft_robbery",
    "economic_crime",
    "drugs",
    "organized_crime",
    "cybercrime",
    "firearms_explosives",
    "smuggling_border",
    "environment",
    "food_drug_safety",
    "traffic",
    "public_service",
    "security_ops",
    "police_force",
    "other",
]
MEASURES = [
    "reports",
    "cases",
    "solved",
    "apprehended",
    "punished",
    "arrested",
    "losses",
    "money_recovered",
    "seized",
    "prevented",
]
PROVINCES = ["11", "12", "13", "32", "33", "35", "44", "45", "51", "61"]
REGION_CODES = [f"{p}0000" for p in PROVINCES] + [f"{p}{c:02d}00" for p in PROVINCES for c in range(1, 5)]
LABELS = {"year": 0.85, "H1": 0.05, "Q3": 0.04, "01/10": 0.06}
FIGURE_LABELS = {
    "derived": "推算",
    "source": "来源",
    "alternatives": "同期",
    "axis_period": "期间",
    "axis_value": "数值",
    "axis_change": "同比变化（%）",
    "computed": "计算",
    "no_figure": "无",
}


def generate_statistics(count: int, seed: int = 7) -> pd.DataFrame:
    """``count`` statistics over count/20 reports of 50 regions, 20 categories x 10 measures, 2015-2025,
    mostly whole years; counts paired with yoy changes (so previous years are derived)."""
    rng = np.random.default_rng(seed)
    docs = rng.integers(0, max(count // 20, 1), count)
    category = rng.integers(0, 20, count)
    measure = rng.integers(0, 10, count)
    kind = rng.choice(["count", "change_pct", "amount"], count, p=[0.6, 0.3, 0.1])
    period = 2015 + docs % 11
    direction = np.where(kind == "change_pct", rng.choice(["up", "down"], count), None)
    shape = rng.choice(list(LABELS), count, p=list(LABELS.values()))
    year = pd.Series(period).astype(str)
    label = np.select(
        [shape == "year", shape == "H1", shape == "Q3"],
        [year, year + "-H1", year + "-Q3"],
        year + "-01/" + year + "-10",
    )
    code = np.array(REGION_CODES)[docs % len(REGION_CODES)]
    start = np.arange(count) % 5000 * 10
    unit = np.where(kind == "change_pct", "%", np.where(kind == "amount", "元", "起"))
    return pd.DataFrame(
        {
            "stat_id": [f"s{i}" for i in range(count)],
            "doc_id": pd.Series(docs).map("doc{}".format),
            "region": pd.Series(code).map("地区{}".format),
            "published": (pd.Series(period) + 1).astype(str) + "-01-10",
            "metric": [f"{CATEGORIES[c]}-{MEASURES[m]}" for c, m in zip(category, measure)],
            "category": np.array(CATEGORIES)[category],
            "kind": kind,
            "value": rng.integers(1, 5000, count).astype(float),
            "unit": unit,
            "qualifier": "exact",
            "direction": direction,
            "basis": np.where(kind == "change_pct", "yoy", None),
            "period": period,
            "surface": "123起",
            "start": start,
            "end": start + 4,
            "sentence": "全年破获案件123起，同比上升5%。",
            "period_label": label,
            "measure": np.array(MEASURES)[measure],
            "scope": rng.choice(["area", "case", "context"], count, p=[0.9, 0.07, 0.03]),
            "region_code": code,
            "province": pd.Series(code).str.slice(0, 2) + "0000",
            "unit_norm": pd.Series(unit).map({"%": "percent", "元": "yuan", "起": "cases"}),
            "corrected": False,
        }
    )


def indicator(prepared: pd.DataFrame, regions: tuple[str, ...], partial: bool) -> int:
    """Indicator view: the points of one indicator and its figure as JSON; the JSON's length."""
    prepared = sliced(prepared, "telecom_fraud")
    measure, family, unit = ind.resolve_indicator(prepared, "telecom_fraud", "cases")
    points = ind.indicator_points(prepared, "telecom_fraud", measure, family, regions, partial=partial)
    if not regions:  # as the page does: the 8 busiest regions when none is chosen
        points = points[points["region_key"].isin(ind.busiest_regions(points, 8))]
    figure = figs.indicator_figure(
        points, title="t", unit=unit, unit_family=family, partial=partial, labels=FIGURE_LABELS
    )
    return len(figure.to_json())


def places(prepared: pd.DataFrame) -> int:
    """Places view: changes and values of one indicator in one year, both rankings and the tile map."""
    prepared = sliced(prepared, "drugs")
    points = ind.indicator_points(prepared, "drugs", "solved", "cases")
    ranking = ind.value_ranking(points, "2023")
    changes = ind.change_points(prepared, "drugs", "solved", "2023")
    tones = ind.change_tone(changes["change_pct"], "+")
    tiles = ind.tile_grid(changes, "change_pct", ind.load_provinces(), "zh")
    built = [
        figs.ranking_figure(ranking, title="t", unit="起", unit_family="cases", labels=FIGURE_LABELS),
        figs.change_figure(changes, tones, title="t", labels=FIGURE_LABELS),
        figs.tile_map_figure(
            tiles,
            "change_pct",
            ind.change_tone(tiles["change_pct"].fillna(0), "+"),
            title="t",
            labels=FIGURE_LABELS,
            suffix="%",
        ),
    ]
    return sum(len(f.to_json()) for f in built)


def overview(prepared: pd.DataFrame) -> int:
    """Category overview for three regions: every measure's small multiple."""
    prepared = sliced(prepared, "vice")
    points = ind.category_multiples(prepared, "vice", ("110000", "320000", "350100"))
    return len(figs.multiples_figure(points, {}, labels=FIGURE_LABELS).to_json())


SLICES: dict = {}


def sliced(prepared: pd.DataFrame, category: str) -> pd.DataFrame:
    """The category's slice, made once per table as the page's cache does (timed apart: ``slice``)."""
    key = (id(prepared), category)
    if key not in SLICES:
        SLICES[key] = ind.category_slice(prepared, category)
    return SLICES[key]


SCENARIOS = {
    "indicator, all regions": lambda p: indicator(p, (), False),
    "indicator, 3 regions": lambda p: indicator(p, ("110000", "320000", "350100"), False),
    "parts of years": lambda p: indicator(p, (), True),
    "places": places,
    "category overview": overview,
}


def median_ms(action, repeat: int) -> str:
    """Median wall time and CPU time of ``action`` in milliseconds ('wall/cpu'), after one warm-up call.

    On a shared machine the wall time grows with the load; the CPU time is what the work itself costs."""
    action()
    walls, cpus = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - began_cpu) * 1000)
    return f"{statistics.median(walls):.0f}/{statistics.median(cpus):.0f}"


def app_rerun_ms(prepared_source: pd.DataFrame, repeat: int) -> float:
    """Median AppTest rerun after switching the category filter, store reads replaced by ``prepared_source``."""
    from streamlit.testing.v1 import AppTest

    from metrics.views import data as view_data

    view_data.read_statistics = lambda db: prepared_source
    view_data.read_version = lambda db: f"bench-{len(prepared_source)}"
    view_data.read_corrections = lambda db: pd.DataFrame()
    view_data.store_needs_build = lambda db, reports: False
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
    app.run()
    if app.exception:
        raise RuntimeError(app.exception)
    app.selectbox(key="w_category").set_value("drugs").run()  # a category already visited (its slice cached)
    walls, cpus = [], []
    for index in range(repeat + 1):  # each rerun a state not seen before: the per-state caches miss
        app.selectbox(key="w_measure").set_value(MEASURES[index % len(MEASURES)])
        app.multiselect(key="w_regions").set_value([REGION_CODES[index], REGION_CODES[index + 10]])
        began, began_cpu = time.perf_counter(), time.process_time()
        app.run()
        if app.exception:
            raise RuntimeError(app.exception)
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - began_cpu) * 1000)
    return f"{statistics.median(walls[1:]):.0f}/{statistics.median(cpus[1:]):.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-app", action="store_true", help="skip the AppTest rerun measurement")
    args = parser.parse_args()
    print("milliseconds, wall/cpu (median)")
    print(
        f"{'statistics':>10} | {'prepare (once)':>14} | {'category slice':>14} | "
        + " | ".join(f"{name:>20}" for name in SCENARIOS)
        + (" | app rerun" if not args.no_app else "")
    )
    for size in args.sizes:
        raw = generate_statistics(size)
        began = time.perf_counter()
        prepared = prepare_statistics(raw)
        prepare_ms = (time.perf_counter() - began) * 1000
        slice_ms = median_ms(lambda p=prepared: ind.category_slice(p, "criminal"), args.repeat)
        cells = [median_ms(lambda f=f, p=prepared: f(p), args.repeat) for f in SCENARIOS.values()]
        line = f"{size:>10,} | {prepare_ms:>11.0f} ms | {slice_ms:>14} | " + " | ".join(f"{c:>20}" for c in cells)
        if not args.no_app:
            line += f" | {app_rerun_ms(raw, args.repeat)}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
