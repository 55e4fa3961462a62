"""Plotly figures of the analyst's dashboard, built from the frames of metrics.views.indicators.

Every trace carries the point's id in customdata[0] (a click on it opens its sources) and hover text with
value, unit, period, region and source. Counts get integer axes; the unit is in the axis title. Derived
values are hollow markers on a dashed line, stated ones filled on a solid line.
"""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from metrics.views.rows import is_count_unit, period_end

TONE_COLOURS = {"good": "#1e8449", "bad": "#d68910", "neutral": "#7f8c8d"}
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
PERIOD_SYMBOLS = {"half": "square", "quarter": "diamond", "month": "circle", "months": "triangle-up", "days": "star"}


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
        points["value"],
        escaped(points["unit"]),
        escaped(points["period_label"]),
        region,
        doc,
        sentence,
        points["derived"],
        points.get("alternatives", pd.Series(1, index=points.index)),
    ):
        mark = f" ({labels['derived']})" if derived else ""
        more = f"<br>{labels['alternatives']}: {int(alternatives)}" if alternatives and int(alternatives) > 1 else ""
        out.append(
            f"<b>{reg}</b> · {period}<br>{format_value(value)} {unit}{mark}<br>{labels['source']}: {source}"
            f"<br>{text}{more}"
        )
    return out


def apply_axes(
    figure: go.Figure, *, unit_family: str, unit: str, x_title: str, y_title: str, integer_x: bool
) -> go.Figure:
    """Axis titles with the unit, integer ticks for counts and for years."""
    figure.update_yaxes(title_text=f"{y_title} ({unit})" if unit else y_title, rangemode="tozero")
    if is_count_unit(unit_family):
        figure.update_yaxes(tickformat=",d")
    figure.update_xaxes(title_text=x_title)
    if integer_x:
        figure.update_xaxes(tickformat="d", dtick=1)
    return figure


TITLE_LINE = 30  # characters of a chart title on one line: a phone's width (390 px) at 18 px
TITLE_LINE_HEIGHT = 24  # pixels of top margin for each line a title gains


def wrapped_title(title: str, line: int = TITLE_LINE) -> str:
    """A chart title as Plotly markup, escaped (its unit comes from reports) and broken into lines of about
    ``line`` characters, Plotly does not wrap a title: at its ' · ' parts, and inside a part too long for
    one line at its spaces (textwrap): 'firearms and explosives ·<br>money frozen or protected (起)'."""
    lines: list[str] = []
    parts = title.split(" · ")
    for number, part in enumerate(parts):
        room = line if number == len(parts) - 1 else line - 2  # room for the ' ·' that follows
        pieces = textwrap.wrap(part, room, break_long_words=False) or [part]
        if len(pieces) == 1 and lines and lines[-1].endswith(" ·") and len(lines[-1]) + 1 + len(part) <= room:
            lines[-1] += " " + part
        else:
            lines.extend(pieces)
        if number < len(parts) - 1:
            lines[-1] += " ·"
    return "<br>".join(html.escape(text) for text in lines)


def titled(figure: go.Figure, title: str, top: int, size: int | None = None) -> None:
    """The figure's title (wrapped_title) and a top margin of ``top`` pixels plus one line per break."""
    text = wrapped_title(title)
    font = {"size": size} if size else {}
    figure.update_layout(title={"text": text, "font": font}, margin={"t": top + TITLE_LINE_HEIGHT * text.count("<br>")})


def indicator_figure(
    points: pd.DataFrame, *, title: str, unit: str, unit_family: str, partial: bool, labels: dict[str, str]
) -> go.Figure:
    """The indicator over periods, one line per region: whole years on a year axis, or (``partial``) each
    kind of period its own series on a date axis (the period's last day). Stated points filled on a solid
    line; derived points hollow, joined to the next stated one by a dashed line. At most three traces per
    series (points, line, dashes), so a figure stays cheap to build."""
    traces = []
    x_all = period_end(points["period_label"]) if partial else points["period_label"].astype(int)
    points = points.assign(x=x_all)
    for number, (region_key, own) in enumerate(points.groupby("region_key", sort=True, observed=True)):
        colour = PALETTE[number % len(PALETTE)]
        kinds = own.groupby("period_type", observed=True) if partial else [("year", own)]
        for kind, series in kinds:
            series = series.sort_values("x")
            name = str(series["region"].iloc[0]) + (f" · {labels.get('period_' + str(kind), kind)}" if partial else "")
            xs = series["x"].tolist()
            traces.append(
                go.Scatter(
                    x=xs,
                    y=series["value"].tolist(),
                    mode="markers",
                    name=name,
                    legendgroup=str(region_key),
                    marker={
                        "color": [("white" if d else colour) for d in series["derived"]],
                        "size": 10,
                        "line": {"color": colour, "width": 2},
                        "symbol": PERIOD_SYMBOLS.get(str(kind), "circle"),
                    },
                    customdata=series[["stat_id"]].astype(str).to_numpy().tolist(),
                    hovertext=hover_text(series, labels),
                    hoverinfo="text",
                )
            )
            stated = series[~series["derived"]]
            if len(stated) > 1:
                traces.append(
                    go.Scatter(
                        x=stated["x"].tolist(),
                        y=stated["value"].tolist(),
                        mode="lines",
                        line={"color": colour},
                        showlegend=False,
                        hoverinfo="skip",
                        legendgroup=str(region_key),
                    )
                )
            dash_x, dash_y = [], []
            flags, values = series["derived"].tolist(), series["value"].tolist()
            for index, derived in enumerate(flags):  # derived point → the next stated point, gaps between
                following = next((j for j in range(index + 1, len(flags)) if not flags[j]), None)
                if derived and following is not None:
                    dash_x += [xs[index], xs[following], None]
                    dash_y += [values[index], values[following], None]
            if dash_x:
                traces.append(
                    go.Scatter(
                        x=dash_x[:-1],
                        y=dash_y[:-1],
                        mode="lines",
                        showlegend=False,
                        line={"color": colour, "dash": "dash"},
                        hoverinfo="skip",
                        legendgroup=str(region_key),
                    )
                )
    figure = go.Figure(traces)
    figure.update_layout(
        hovermode="closest",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "b": 10},
        clickmode="event+select",
    )
    titled(figure, title, 60, size=18)  # the page's heading for the chart: no subheader repeats it
    return apply_axes(
        figure,
        unit_family=unit_family,
        unit=unit,
        x_title=labels["axis_period"],
        y_title=labels["axis_value"],
        integer_x=not partial,
    )


def multiples_figure(
    points: pd.DataFrame, measure_titles: dict[str, str], *, labels: dict[str, str], columns: int = 3
) -> go.Figure:
    """Small multiples: one panel per measure (its own y axis and unit), whole years, a line per region.
    The grid of axes is laid out directly (no make_subplots) and the traces are plain dicts of known-good
    properties, built unvalidated (``_validate=False``: validating ~60 traces cost 140 ms at 1M statistics;
    tests/test_views.py validates the result), so the figure is cheap to build."""
    measures = list(dict.fromkeys(points["measure"].tolist()))
    rows = max(1, -(-len(measures) // columns))
    regions = sorted(points["region_key"].unique())
    colours = {key: PALETTE[index % len(PALETTE)] for index, key in enumerate(regions)}
    gap_x, gap_y = 0.1, (70 / (260 * rows)) if rows > 1 else 0
    width, height = (1 - gap_x * (columns - 1)) / columns, (1 - gap_y * (rows - 1)) / rows
    layout, titles = {}, []
    for index, measure in enumerate(measures):
        row, col = index // columns, index % columns
        suffix = "" if index == 0 else str(index + 1)
        x0, y1 = col * (width + gap_x), 1 - row * (height + gap_y)
        family = str(points.loc[points["measure"] == measure, "unit_family"].iloc[0])
        layout[f"xaxis{suffix}"] = {"domain": [x0, x0 + width], "anchor": f"y{suffix}", "tickformat": "d", "dtick": 1}
        layout[f"yaxis{suffix}"] = {
            "domain": [y1 - height, y1],
            "anchor": f"x{suffix}",
            "rangemode": "tozero",
            **({"tickformat": ",d"} if is_count_unit(family) else {}),
        }  # unit: in the title
        titles.append(
            {
                "text": html.escape(measure_titles.get(measure, measure)),
                "x": x0 + width / 2,
                "y": y1,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    ordered = points.assign(
        panel=points["measure"].map({measure: index for index, measure in enumerate(measures)}),
        x=points["period_label"].astype(int),
        hover=hover_text(points, labels),
    ).sort_values("x", kind="stable")
    traces = []
    for (panel, region_key), series in ordered.groupby(["panel", "region_key"], observed=True):
        colour, suffix = colours[region_key], ("" if panel == 0 else str(panel + 1))
        traces.append(
            {
                "type": "scatter",
                "x": series["x"].tolist(),
                "y": series["value"].tolist(),
                "mode": "lines+markers",
                "name": str(series["region"].iloc[0]),
                "legendgroup": str(region_key),
                "showlegend": suffix == "",
                "line": {"color": colour},
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "marker": {
                    "color": [("white" if d else colour) for d in series["derived"]],
                    "size": 8,
                    "line": {"color": colour, "width": 2},
                },
                "customdata": series[["stat_id"]].astype(str).to_numpy().tolist(),
                "hovertext": series["hover"].tolist(),
                "hoverinfo": "text",
            }
        )
    layout.update(
        height=max(320, 260 * rows),
        margin={"l": 10, "r": 10, "t": 40, "b": 30},
        legend={"orientation": "h", "y": -0.08},
        annotations=titles,
    )
    return go.Figure(data=traces, layout=layout, _validate=False)


def ranking_figure(
    ranking: pd.DataFrame, *, title: str, unit: str, unit_family: str, labels: dict[str, str]
) -> go.Figure:
    """The regions' values in one period as horizontal bars, largest at the top."""
    shown = ranking.iloc[::-1]
    figure = go.Figure(
        go.Bar(
            x=shown["value"].tolist(),
            y=shown["region"].astype(str).tolist(),
            orientation="h",
            marker={"color": "#2874a6", "pattern": {"shape": ["/" if d else "" for d in shown["derived"]]}},
            customdata=shown[["stat_id"]].astype(str).to_numpy().tolist(),
            hovertext=hover_text(shown, labels),
            hoverinfo="text",
            text=[format_value(v) for v in shown["value"]],
            textposition="auto",
        )
    )
    figure.update_layout(height=max(260, 40 * len(shown) + 120), margin={"l": 10, "r": 10, "b": 10})
    titled(figure, title, 60)
    figure.update_xaxes(
        title_text=f"{labels['axis_value']} ({unit})" if unit else labels["axis_value"],
        tickformat=",d" if is_count_unit(unit_family) else None,
    )
    return figure


def change_figure(changes: pd.DataFrame, tones: pd.Series, *, title: str, labels: dict[str, str]) -> go.Figure:
    """Each region's year-on-year change (%), the largest fall at the top, coloured by what it means."""
    order = changes.assign(tone=tones.to_numpy()).iloc[::-1]
    hover = [
        f"<b>{html.escape(str(r))}</b><br>{c:+.1f}%"
        f"{' (' + labels['computed'] + ')' if computed else ''}<br>{labels['source']}: {html.escape(str(d))}"
        f"<br>{html.escape(str(s)[:80])}"
        for r, c, computed, d, s in zip(
            order["region"], order["change_pct"], order["computed"], order["doc_id"], order["sentence"]
        )
    ]
    figure = go.Figure(
        go.Bar(
            x=order["change_pct"].tolist(),
            y=order["region"].astype(str).tolist(),
            orientation="h",
            marker={"color": [TONE_COLOURS[t] for t in order["tone"]]},
            customdata=order[["stat_id"]].astype(str).to_numpy().tolist(),
            hovertext=hover,
            hoverinfo="text",
            text=[f"{c:+.1f}%" for c in order["change_pct"]],
            textposition="auto",
        )
    )
    figure.update_layout(height=max(260, 40 * len(order) + 120), margin={"l": 10, "r": 10, "b": 10})
    titled(figure, title, 60)
    figure.update_xaxes(title_text=labels["axis_change"], zeroline=True, zerolinewidth=2)
    return figure


def tile_map_figure(
    tiles: pd.DataFrame, column: str, tones: pd.Series | None, *, title: str, labels: dict[str, str], suffix: str = ""
) -> go.Figure:
    """Provinces as squares at their usual places: one heatmap of the grid (cells scale with the width),
    a tile with a figure coloured (by tone for changes: good, bad, neutral), the others grey."""
    rows, cols = int(tiles["row"].max()) + 1, int(tiles["col"].max()) + 1
    scale = {"none": 0, "neutral": 1, "good": 2, "bad": 3, "value": 4}
    z = [[None] * cols for _ in range(rows)]
    text = [[""] * cols for _ in range(rows)]
    hover = [[""] * cols for _ in range(rows)]
    tone_list = tones.tolist() if tones is not None else ["value"] * len(tiles)
    for name, row, col, value, tone in zip(tiles["name"], tiles["row"], tiles["col"], tiles[column], tone_list):
        present = pd.notna(value)
        shown = ((format(value, "+.1f") + suffix) if suffix == "%" else format_value(value)) if present else ""
        z[row][col] = scale[tone if present and tone in scale else "value" if present else "none"]
        text[row][col] = f"{name}<br>{shown}" if shown else str(name)
        hover[row][col] = f"{name}: {shown or labels['no_figure']}"
    colours = ["#eaeded", TONE_COLOURS["neutral"], TONE_COLOURS["good"], TONE_COLOURS["bad"], "#2874a6"]
    colourscale = [
        [bound, colour]
        for index, colour in enumerate(colours)
        for bound in (index / len(colours), (index + 1) / len(colours))
    ]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            hovertext=hover,
            hoverinfo="text",
            texttemplate="%{text}",
            textfont={"size": 10},
            zmin=-0.5,
            zmax=4.5,
            colorscale=colourscale,
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    figure.update_xaxes(visible=False, fixedrange=True)
    figure.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", fixedrange=True)
    figure.update_layout(height=480, margin={"l": 0, "r": 0, "b": 0}, plot_bgcolor="white")
    titled(figure, title, 50)
    return figure
