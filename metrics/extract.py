"""extract(): report text in, grounded statistics out. (First cut; the full pipeline replaces it.)"""

from __future__ import annotations

import regex

from metrics.record import Record

_FIGURE = regex.compile(r"(?P<num>\d+(?:\.\d+)?)(?P<mag>万|亿)?(?P<unit>人|起|件|%)")
_MAG = {"万": 1e4, "亿": 1e8, None: 1}


def extract(text: str, *, published: str | None = None, region: str | None = None,
            doc_id: str | None = None) -> list[Record]:
    records = []
    for m in _FIGURE.finditer(text):
        value = float(m["num"]) * _MAG[m["mag"]]
        records.append(Record(doc_id=doc_id, region=region, published=published, metric="",
                              category="other", kind="rate" if m["unit"] == "%" else "count",
                              value=value, unit=m["unit"], qualifier="exact", direction=None,
                              basis=None, period=None, surface=m.group(), start=m.start(),
                              end=m.end(), sentence=""))
    return records
