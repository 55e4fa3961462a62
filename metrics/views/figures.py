"""Plotly figures of the analyst's dashboard, built from the frames of metrics.views.indicators.

Every trace carries the point's id in customdata[0] (a click on it opens its sources) and hover text with
value, unit, period, region and source. Counts get integer axes; the unit is in the axis title. Derived
values are hollow markers on a dashed line, stated ones filled on a solid line.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metrics.views.indicators import is_count_unit, period_end

TONE_COLOURS = {"good": "#1e8449", "bad": "#d68910", "neutral": "#7f8c8d"}
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22")
PERIOD_SYMBOLS = {"half": "square", "quarter": "diamond", "month": "circle", "months": "triangle-up",
                  "days": "star"}


def escaped(values: pd.Series) -> pd.Series:
    """Report text for hover labels: HTML-escaped (Plotly renders a subset of HTML in hover text)."""
    return values.astype("string").fillna("").map(html.escape)


def format_value(value: float) -> str:
    """A value for people: thousands separated, no trailing .0.

    >>> format_value(2441000.0), format_value(7.25)
    ('2,441,000', '7.25')
    """
    if pd.isna(value):
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def hover_text(points: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """Value, unit, period, region and source (report and sentence) of each point, escaped."""
    sentence = escaped(points["sentence"].astype("string").str.slice(0, 80))
    region, doc = escaped(points["region"]), escaped(points["doc_id"])
    out = []
    for value, unit, period, reg, source, text, derived, alternatives in zip(
            points["value"], escaped(points["unit"]), escaped(points["period_label"]), region, doc, sentence,
            points["derived"], points.get("alternatives", pd.Series(1, index=points.index))):
        mark = f" ({labels['derived']})" if derived else ""
        more = f"<br>{labels['alternatives']}: {int(alternatives)}" if alternatives and int(alternatives) > 1 else ""
        out.append(f"<b>{reg}</b> · {period}<br>{format_value(value)} {unit}{mark}<br>{labels['source']}: {source}"
                   f"<br>{text}{more}")
    return out


def apply_axes(figure: go.Figure, *, unit_family: str, unit: str, x_title: str, y_title: str,
               integer_x: bool) -> go.Figure:
    """Axis titles with the unit, integer ticks for counts and for years."""
    figure.update_yaxes(title_text=f"{y_title} ({unit})" if unit else y_title, rangemode="tozero")
    if is_count_unit(unit_family):
        figure.update_yaxes(tickformat=",d")
    figure.update_xaxes(title_text=x_title)
    if integer_x:
        figure.update_xaxes(tickformat="d", dtick=1)
    return figure


def indicator_figure(points: pd.DataFrame, *, title: str, unit: str, unit_family: str, partial: bool,
                     labels: dict[str, str]) -> go.Figure:
    """The indicator over periods, one line per region: whole years on a year axis, or (``partial``) each
    kind of period its own series on a date axis (the period's last day). Derived points hollow, dashed."""
    figure = go.Figure()
    x_all = period_end(points["period_label"]) if partial else points["period_label"].astype(int)
    points = points.assign(x=x_all)
    for number, (region_key, own) in enumerate(points.groupby("region_key", sort=True, observed=True)):
        colour = PALETTE[number % len(PALETTE)]
        kinds = own.groupby("period_type", observed=True) if partial else [("year", own)]
        for kind, series in kinds:
            series = series.sort_values("x")
            name = str(series["region"].iloc[0]) + (f" · {labels.get('period_' + str(kind), kind)}" if partial else "")
            figure.add_trace(go.Scatter(
                x=series["x"].tolist(), y=series["value"].tolist(), mode="lines+markers", name=name, legendgroup=str(region_key),
                line={"color": colour, "dash": "solid"},
                marker={"color": [("white" if d else colour) for d in series["derived"]], "size": 10,
                        "line": {"color": colour, "width": 2},
                        "symbol": PERIOD_SYMBOLS.get(str(kind), "circle")},
                customdata=series[["stat_id"]].astype(str).to_numpy().tolist(), hovertext=hover_text(series, labels),
                hoverinfo="text"))
            derived = series[series["derived"]]
            if len(derived):  # a dashed segment from each derived point to the stated point of the next period
                for _, point in derived.iterrows():
                    after = series[(series["x"] > point["x"]) & ~series["derived"]].head(1)
                    if len(after):
                        figure.add_trace(go.Scatter(x=[point["x"], after["x"].iloc[0]],
                                                    y=[point["value"], after["value"].iloc[0]], mode="lines",
                                                    line={"color": colour, "dash": "dash"}, showlegend=False,
                                                    hoverinfo="skip"))
    figure.update_layout(title=title, hovermode="closest", legend={"orientation": "h", "y": -0.2},
                         margin={"l": 10, "r": 10, "t": 60, "b": 10}, clickmode="event+select")
    return apply_axes(figure, unit_family=unit_family, unit=unit, x_title=labels["axis_period"],
                      y_title=labels["axis_value"], integer_x=not partial)


def multiples_figure(points: pd.DataFrame, measure_titles: dict[str, str], *, labels: dict[str, str],
                     columns: int = 3) -> go.Figure:
    """Small multiples: one panel per measure (its own y axis and unit), whole years, a line per region."""
    measures = list(dict.fromkeys(points["measure"].tolist()))
    rows = max(1, -(-len(measures) // columns))
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=[measure_titles.get(m, m) for m in measures],
                           vertical_spacing=0.12 if rows > 1 else 0.2, horizontal_spacing=0.08)
    regions = sorted(points["region_key"].unique())
    for index, measure in enumerate(measures):
        row, col = index // columns + 1, index % columns + 1
        own = points[points["measure"] == measure]
        for region_key, series in own.groupby("region_key", observed=True):
            colour = PALETTE[regions.index(region_key) % len(PALETTE)]
            series = series.assign(x=series["period_label"].astype(int)).sort_values("x")
            figure.add_trace(go.Scatter(
                x=series["x"].tolist(), y=series["value"].tolist(), mode="lines+markers", name=str(series["region"].iloc[0]),
                legendgroup=str(region_key), showlegend=index == 0, line={"color": colour},
                marker={"color": [("white" if d else colour) for d in series["derived"]], "size": 8,
                        "line": {"color": colour, "width": 2}},
                customdata=series[["stat_id"]].astype(str).to_numpy().tolist(), hovertext=hover_text(series, labels),
                hoverinfo="text"), row=row, col=col)
        family = str(own["unit_family"].iloc[0]) if len(own) else ""
        figure.update_yaxes(title_text=str(own["unit"].iloc[0]) if len(own) else "", rangemode="tozero",
                            tickformat=",d" if is_count_unit(family) else None, row=row, col=col)
        figure.update_xaxes(tickformat="d", dtick=1, row=row, col=col)
    figure.update_layout(height=max(320, 280 * rows), margin={"l": 10, "r": 10, "t": 50, "b": 10},
                         legend={"orientation": "h", "y": -0.08})
    return figure


def ranking_figure(ranking: pd.DataFrame, *, title: str, unit: str, unit_family: str,
                   labels: dict[str, str]) -> go.Figure:
    """The regions' values in one period as horizontal bars, largest at the top."""
    shown = ranking.iloc[::-1]
    figure = go.Figure(go.Bar(
        x=shown["value"].tolist(), y=shown["region"].astype(str).tolist(), orientation="h",
        marker={"color": "#2874a6", "pattern": {"shape": ["/" if d else "" for d in shown["derived"]]}},
        customdata=shown[["stat_id"]].astype(str).to_numpy().tolist(), hovertext=hover_text(shown, labels), hoverinfo="text",
        text=[format_value(v) for v in shown["value"]], textposition="auto"))
    figure.update_layout(title=title, height=max(260, 40 * len(shown) + 120), margin={"l": 10, "r": 10, "t": 60, "b": 10})
    figure.update_xaxes(title_text=f"{labels['axis_value']} ({unit})" if unit else labels["axis_value"],
                        tickformat=",d" if is_count_unit(unit_family) else None)
    return figure


def change_figure(changes: pd.DataFrame, tones: pd.Series, *, title: str, labels: dict[str, str]) -> go.Figure:
    """Each region's year-on-year change (%), the largest fall at the top, coloured by what it means."""
    order = changes.assign(tone=tones.to_numpy()).iloc[::-1]
    hover = [f"<b>{html.escape(str(r))}</b><br>{c:+.1f}%"
             f"{' (' + labels['computed'] + ')' if computed else ''}<br>{labels['source']}: {html.escape(str(d))}"
             f"<br>{html.escape(str(s)[:80])}"
             for r, c, computed, d, s in zip(order["region"], order["change_pct"], order["computed"], order["doc_id"],
                                             order["sentence"])]
    figure = go.Figure(go.Bar(
        x=order["change_pct"].tolist(), y=order["region"].astype(str).tolist(), orientation="h",
        marker={"color": [TONE_COLOURS[t] for t in order["tone"]]},
        customdata=order[["stat_id"]].astype(str).to_numpy().tolist(), hovertext=hover, hoverinfo="text",
        text=[f"{c:+.1f}%" for c in order["change_pct"]], textposition="auto"))
    figure.update_layout(title=title, height=max(260, 40 * len(order) + 120), margin={"l": 10, "r": 10, "t": 60, "b": 10})
    figure.update_xaxes(title_text=labels["axis_change"], zeroline=True, zerolinewidth=2)
    return figure


def tile_map_figure(tiles: pd.DataFrame, column: str, tones: pd.Series | None, *, title: str,
                    labels: dict[str, str], suffix: str = "") -> go.Figure:
    """Provinces as squares at their usual places; a tile with a figure is coloured (by tone for changes)."""
    has = tiles[column].notna()
    colours = ["#eaeded"] * len(tiles)
    for i, (present, tone) in enumerate(zip(has, tones if tones is not None else [None] * len(tiles))):
        if present:
            colours[i] = TONE_COLOURS.get(tone, "#2874a6") if tones is not None else "#2874a6"
    text = [f"{n}<br>{(format(v, '+.1f') + suffix) if suffix == '%' else format_value(v)}" if p else str(n)
            for n, v, p in zip(tiles["name"], tiles[column], has)]
    figure = go.Figure(go.Scatter(
        x=tiles["col"].tolist(), y=(-tiles["row"]).tolist(), mode="markers+text", text=text, textfont={"size": 11},
        marker={"symbol": "square", "size": 46, "color": colours, "line": {"color": "white", "width": 1}},
        hovertext=[f"{n}: {t.split('<br>')[-1]}" if p else f"{n}: {labels['no_figure']}"
                   for n, t, p in zip(tiles["name"], text, has)], hoverinfo="text"))
    figure.update_xaxes(visible=False, range=[-0.7, 9.7])
    figure.update_yaxes(visible=False, range=[-7.7, 0.7], scaleanchor="x")
    figure.update_layout(title=title, height=460, margin={"l": 0, "r": 0, "t": 50, "b": 0}, showlegend=False,
                         plot_bgcolor="white")
    return figure


def sparkline(years: list[int], values: list[float]) -> go.Figure:
    """A small trend line for a headline card."""
    figure = go.Figure(go.Scatter(x=years, y=values, mode="lines+markers", line={"width": 2}, hoverinfo="skip"))
    figure.update_layout(height=70, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure
