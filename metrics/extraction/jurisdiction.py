"""The jurisdiction columns of a document's records (`region`, `region_code`, `province`).

The region resolver (``metrics/extraction/regions.py``) reads the hint (``--region`` or page metadata) or
else the text; a resolved place gives the canonical simplified name (厦门 → 厦门市), its GB/T 2260 code of
the time and its province. An unresolved one keeps the hint as written and empty codes.
"""

from __future__ import annotations

from metrics.extraction.regions import resolve_region


def region_fields(
    region: str | None, text: str = "", title: str | None = None, year: int | None = None
) -> dict[str, str | None]:
    """{'region': ..., 'region_code': ..., 'province': ...} for a document with this ``region`` hint and text."""
    # the latest division list first (built once); a year's own list (built per year, ~0.5 s each) only
    # where the latest does not know the place: an abolished division keeps the code of its time
    place = resolve_region(text, hint=region or None, title=title)
    if place is None and year is not None:
        place = resolve_region(text, hint=region or None, title=title, year=year)
    if place is None:
        return {"region": region, "region_code": "", "province": ""}
    return {"region": place.name, "region_code": place.code, "province": place.province}
