"""The jurisdiction columns of a document's records (`region_code`, `province`).

One place to wire the region resolver (metrics/regions.py, another branch):
``resolve_region(text, hint=None, title=None) -> Region(code, name, province) | None``. Until it is
wired, both columns are empty strings.
"""

from __future__ import annotations


def region_fields(region: str | None, text: str = "", title: str | None = None) -> dict[str, str]:
    """{'region_code': ..., 'province': ...} for a document with this ``region`` hint (--region or
    page metadata) and text; empty strings where the jurisdiction is not resolved."""
    return {"region_code": "", "province": ""}
