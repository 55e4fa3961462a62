"""Report text for display: the number marked in its sentence, and whole documents highlighted, escaped.

Nothing from a report reaches the page unescaped: every piece of report text goes through html.escape
before it is wrapped in our own <mark> tags.
"""

from __future__ import annotations

import html

import pandas as pd

from metrics.store.exports import neutralise_frame

OPEN_MARK, CLOSE_MARK = "【", "】"


def mark_in_sentence(sentences: pd.Series, surfaces: pd.Series) -> pd.Series:
    """Each sentence with its figure's surface in 【】 (first occurrence); the surface alone if no sentence.

    >>> mark_in_sentence(pd.Series(["打处2129人。"]), pd.Series(["2129人"])).tolist()
    ['打处【2129人】。']
    """
    sentence = sentences.astype("string").fillna("")
    surface = surfaces.astype("string").fillna("")
    marked = surface.map(lambda s: f"{OPEN_MARK}{s}{CLOSE_MARK}" if s else s)
    out = [
        s.replace(f, m, 1) if s and f and f in s else (s or m)
        for s, f, m in zip(sentence.tolist(), surface.tolist(), marked.tolist())
    ]
    return pd.Series(out, index=sentences.index, dtype="object")


def escape_md(text: str) -> str:
    """Text from data, safe inside st.markdown: every markdown control character escaped.

    >>> escape_md("[a](b) *c*")
    '\\\\[a\\\\]\\\\(b\\\\) \\\\*c\\\\*'
    """
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in str(text))


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A small frame made safe for st.dataframe: text columns as strings, formula text neutralised."""
    return neutralise_frame(frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object}))


def display_table(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The rows to show in st.dataframe: chosen columns plus the marked sentence, formula text neutralised.

    st.dataframe's own toolbar CSV does not neutralise cells, so this is done before display.
    """
    shown = frame.assign(evidence=mark_in_sentence(frame["sentence"], frame["surface"]))
    shown = shown[columns].copy()
    for column in shown.columns:
        if isinstance(shown[column].dtype, pd.CategoricalDtype):
            shown[column] = shown[column].astype("string")
    return neutralise_frame(shown).reset_index(drop=True)


def non_overlapping_spans(spans: pd.DataFrame) -> pd.DataFrame:
    """Spans (start, end, category) sorted by start, a span overlapping an earlier one dropped."""
    ordered = spans.dropna(subset=["start", "end"]).sort_values(["start", "end"]).reset_index(drop=True)
    previous_end = ordered["end"].cummax().shift(fill_value=-1)
    return ordered[ordered["start"] >= previous_end]


def document_html(
    text: str, spans: pd.DataFrame, colours: dict[str, str], titles: dict[str, str], selected_start: int | None = None
) -> str:
    """The document as escaped HTML, every statistic in a <mark> coloured by its category.

    ``spans`` has start, end, category (offsets index ``text``). The selected statistic gets an outline.

    >>> spans = pd.DataFrame({"start": [3], "end": [5], "category": ["x"]})
    >>> page = document_html("<b>2人</b>", spans, {"x": "#f00"}, {})
    >>> page.removeprefix('<div class="report" style="white-space:pre-wrap;line-height:1.8">')
    '&lt;b&gt;<mark style="background:#f00" title="">2人</mark>&lt;/b&gt;</div>'
    """
    pieces, cursor = [], 0
    for start, end, category in non_overlapping_spans(spans)[["start", "end", "category"]].itertuples(index=False):
        start, end = int(start), int(end)
        if start < cursor or end > len(text):
            continue
        outline = ";outline:3px solid #000" if selected_start is not None and start == selected_start else ""
        pieces.append(html.escape(text[cursor:start]))
        pieces.append(
            f'<mark style="background:{html.escape(colours.get(str(category), "#ddd"))}{outline}" '
            f'title="{html.escape(titles.get(str(category), ""))}">{html.escape(text[start:end])}</mark>'
        )
        cursor = end
    pieces.append(html.escape(text[cursor:]))
    return '<div class="report" style="white-space:pre-wrap;line-height:1.8">' + "".join(pieces) + "</div>"


def category_legend_html(categories: list[str], colours: dict[str, str], titles: dict[str, str]) -> str:
    """A row of coloured category chips explaining a document's highlights (labels escaped)."""
    chips = "".join(
        f'<mark style="background:{html.escape(colours.get(c, "#ddd"))};margin-right:6px">'
        f"{html.escape(titles.get(c, c))}</mark>"
        for c in categories
    )
    return f'<div class="legend">{chips}</div>'


def compact_number(value: float) -> str:
    """A figure short enough for a metric card, in the reports' own magnitudes (万, 亿).

    >>> [compact_number(v) for v in (2129.0, 37500.0, 375000000.0, 7.8)]
    ['2,129', '3.75万', '3.75亿', '7.8']
    """
    for size, word in ((1e8, "亿"), (1e4, "万")):
        if abs(value) >= size:
            return f"{value / size:.3g}{word}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"
