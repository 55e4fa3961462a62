"""Which document is this? Identity from the normalised text, and near-duplicates by MinHash/LSH.

A report may arrive as annotated JSON, as a .txt, as a saved web page or pasted into the dashboard: the
reader gives each its text, and two texts that differ only in how they were written down are one
document. ``normalised_text`` keeps what a reader of the report sees and drops the rest:

- the project's matching normalisation (``metrics.normalize``): full-width → ASCII (２１２９ → 2129,
  ， → ,), traditional → simplified (萬 → 万), converter junk inside words (萬(wàn)) dropped;
- Unicode NFKC (compatibility forms: ① → 1, ﹪ → %, non-breaking and ideographic spaces → space);
- all whitespace and invisible format characters (line breaks, indents, zero-width spaces, BOMs): a page
  puts every paragraph on its own line and strips indents, a text file keeps them, a paste turns them
  into CRLF.

What a page wrapper adds around the article (navigation bars, headers, footers) is removed by the reader
(``metrics/patterns/reader_html.yaml``); what is left of it (a navigation line in a plain ``<div>``, a
headline added above the text, a few characters changed by a repost) makes a *near*-duplicate:
``NearDuplicateIndex`` finds those with MinHash over character shingles and LSH (as ``datasketch`` does them).

A near-duplicate is judged on two things, as a reader would: what the text says (its *wording*, numbers
masked: MinHash/LSH over 4-character shingles) and the figures it states. Measured on the 70 shipped
reports (tests/test_identity.py): every repost (other navigation lines, a headline, five characters
changed) keeps at least 0.30 of the shingles of its report's wording (Jaccard; a table, few words and
many figures, gives the lowest) and all of its figures; two different reports share at most 0.055 of
their wording, except two monthly bulletins of one city on one template (0.45), which share only 0.21 of
their figures; a release on the same template with other figures has the same wording and at most 0.23
of the figures. Hence ``THRESHOLD`` 0.2 on the wording and ``FIGURE_SHARE`` 0.8 on the figures; the LSH
holds one entry per wording, so a thousand bulletins on one template are one candidate.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import numpy as np
import regex

from metrics.extraction.normalize import normalize

SHINGLE = 4  # characters per shingle of the wording (see tests/test_identity.py for 4 to 6)
NUM_PERM = 128  # MinHash permutations: standard error of a similarity estimate ≤ 0.045
THRESHOLD = 0.2  # Jaccard similarity of the wording from which a text may be a near-duplicate...
FIGURE_SHARE = 0.8  # ...when it also states the same figures: this share of the shorter list's figures
LSH_ROWS = 2  # LSH bands of 2 hash values (64 bands of 128): datasketch's choice for a threshold of 0.1
# (tests/test_identity.py checks it); a pair at 0.3 (the least similar repost measured) is a candidate with
# p = 0.998, at 0.25 with p = 0.984
# A wording with this many documents (a template's bulletins) gets an index of its figures; fewer documents
# are compared with a probe one by one. The index costs ~4 KB a document (22 figures): 389 of the 500 MB of
# an index of 100,000 documents of distinct wordings when every wording had one.
STATING_FROM = 8
_SEED = 1

_INVISIBLE = regex.compile(r"[\s\p{Cf}\p{Co}\x1f]+")  # whitespace, format chars (ZWSP, BOM), private use, FILLER


def normalised_text(text: str) -> str:
    """The text as a reader sees it, without the marks of how it was stored.

    >>> normalised_text("全年刑事打处２１２９人，\\n\\u3000\\u3000同比上升７．８％") == normalised_text("全年刑事打处2129人,同比上升7.8%")
    True
    >>> normalised_text("破獲 1.8萬(wàn)餘人")
    '破获1.8万余人'
    """
    return _INVISIBLE.sub("", _readable(text))


def _readable(text: str) -> str:
    """The project's matching normalisation, then NFKC: what the characters say, whitespace kept."""
    return unicodedata.normalize("NFKC", normalize(text))


def _sha256(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def document_identity(text: str) -> str:
    """A document's identity: the SHA-256 (hex) of its normalised text, whatever file or upload brought it."""
    return _sha256(normalised_text(text))


# ---------------------------------------------------------------------------------- near-duplicates

_FIGURE = regex.compile(r"[0-9]+(?:\.[0-9]+)?")


def wording(normalised: str) -> str:
    """A normalised text with each number replaced by ``#``: what it says, without its figures.

    Releases on one template (next month's bulletin) share their wording and differ in figures; a
    repost shares both. Comparing the two separately tells them apart, and lets one LSH entry stand for
    every release on a template.

    >>> wording("逮捕684人,同比上升42.2%")
    '逮捕#人,同比上升#%'
    """
    return _FIGURE.sub("#", normalised)


def shingles(normalised: str, size: int = SHINGLE) -> set[str]:
    """The set of overlapping character ``size``-grams of a normalised text (the whole text when shorter)."""
    if len(normalised) <= size:
        return {normalised} if normalised else set()
    return {normalised[i : i + size] for i in range(len(normalised) - size + 1)}


def figures(text: str) -> Counter[str]:
    """The numbers a text states (Arabic digits after normalisation), with how often each occurs.

    Numbers are read before whitespace is dropped, so that two numbers on adjacent lines stay two.

    >>> sorted(figures("全年刑事打处２１２９人\\n2129人、逮捕684人").items())
    [('2129', 2), ('684', 1)]
    """
    return Counter(_FIGURE.findall(_readable(text)))


def figure_share(a: Counter[str], b: Counter[str]) -> float:
    """The share of the shorter list's figures that the other list states too (1.0 when one has none).

    Two reposts of one release state the same figures; next year's release on the same template, which
    is as similar in wording, states others.
    """
    if not a or not b:
        return 1.0
    return sum((a & b).values()) / min(sum(a.values()), sum(b.values()))


def jaccard(a: set, b: set) -> float:
    """Exact Jaccard similarity of two sets (1.0 for two empty sets)."""
    return len(a & b) / len(a | b) if a or b else 1.0


_HASH_BASE = np.uint32(1_000_003)  # polynomial hash of a shingle's code points, modulo 2**32


def shingle_hashes(normalised: str, size: int = SHINGLE) -> np.ndarray:
    """32-bit hashes of the distinct shingles of a normalised text (numpy, no Python loop per shingle).

    A polynomial hash of the ``size`` code points; datasketch mixes it (MurmurHash3 finaliser) before
    permuting, so its spread is enough.
    """
    points = np.frombuffer(normalised.encode("utf-32-le"), dtype="<u4").astype(np.uint32)
    if len(points) <= size:
        points = np.pad(points, (0, size - len(points))) if len(points) else points
        count = 1 if len(points) else 0
    else:
        count = len(points) - size + 1
    hashes = np.zeros(count, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for offset in range(size if count else 0):
            hashes = hashes * _HASH_BASE + points[offset : offset + count]
    return np.unique(hashes)


# datasketch's MinHash with its "affine32" scheme (MurmurHash3's 32-bit finaliser on each shingle hash, then
# h -> a*h + b modulo 2**32 per permutation, the minimum kept), written in numpy: importing datasketch pulls
# SciPy (40 MB, a second) into every process that fingerprints, for these few lines. The signatures are
# datasketch's, bit for bit (tests/test_identity.py compares them on every report), so stores stay valid.
_FMIX32 = tuple(np.uint32(c) for c in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16))
_CHUNK = 8192  # shingles permuted at once: a chunk costs 4 MB at 128 permutations, whatever the text's size


@cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's (a, b) of each permutation for ``_SEED``: odd multipliers, any offsets."""
    generator = np.random.RandomState(_SEED)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(hashes: np.ndarray) -> np.ndarray:
    shift1, multiply1, shift2, multiply2, shift3 = _FMIX32
    hashes = (hashes ^ (hashes >> shift1)) * multiply1
    hashes = (hashes ^ (hashes >> shift2)) * multiply2
    return hashes ^ (hashes >> shift3)


def _minhash_of_normalised(normalised: str, num_perm: int) -> bytes:
    a, b = _permutations(num_perm)
    values = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)  # no shingle seen: datasketch's empty value
    hashes = _fmix32(shingle_hashes(normalised))
    for start in range(0, len(hashes), _CHUNK):
        permuted = hashes[start : start + _CHUNK, None] * a + b  # wraps modulo 2**32, as intended
        values = np.minimum(values, permuted.min(axis=0))
    return values.astype("<u4").tobytes()


def minhash(text: str, *, num_perm: int = NUM_PERM) -> bytes:
    """The MinHash signature of the shingles of a text's wording, stable across processes: datasketch's hash
    values as bytes (little-endian uint32, one per permutation), the form a BLOB column stores."""
    return _minhash_of_normalised(wording(normalised_text(text)), num_perm)


_VALUE = 4  # bytes per hash value
_NO_SHINGLE = b"\xff" * _VALUE  # datasketch's hash value of a permutation that saw no shingle


def checked_signature(data: bytes) -> bytes:
    """``data`` if it can be a signature (hash values of 4 bytes); ValueError if not."""
    if not data or len(data) % _VALUE:
        raise ValueError(f"not a MinHash signature: {len(data)} bytes")
    return bytes(data)


def permutations_of(signature: bytes) -> int:
    return len(signature) // _VALUE


def is_empty(signature: bytes) -> bool:
    """True for the signature of a text with no shingle (nothing to compare)."""
    return signature == _NO_SHINGLE * permutations_of(signature)


def signature_similarity(a: bytes, b: bytes) -> float:
    """MinHash's estimate of the Jaccard similarity of two texts: the share of equal hash values."""
    equal = np.frombuffer(a, dtype="<u4") == np.frombuffer(b, dtype="<u4")
    return np.count_nonzero(equal) / permutations_of(a)


class Bands:
    """LSH banding of MinHash signatures, as datasketch's ``MinHashLSH`` does it: a key is a candidate for a
    signature when one band of ``rows`` hash values is equal in both. Written here for the reason
    ``_minhash_of_normalised`` is; ``tests/test_identity.py`` checks the candidates against MinHashLSH.

    Compact for an index of many documents: each band's values are one sorted numpy array (8 bytes a
    value, 4 for its key's number) searched by bisection; new ones wait in small dicts until they are
    merged in. Python dicts of the band values took about 160 bytes an entry, 64 entries a document: a
    store of 100,000 documents took the ingest parent to 1.5 GB."""

    def __init__(self, bands: int, rows: int, merge_at: int = 1024) -> None:
        if rows * _VALUE != 8:  # a band is then one 64-bit value, compared as it is
            raise ValueError(f"bands of 2 hash values only (LSH_ROWS), not {rows}")
        self._bands, self._merge_at = bands, merge_at
        self._keys: list[str | None] = []  # a key's number → the key (None once removed)
        self._number: dict[str, int] = {}
        self._values = np.empty((bands, 0), dtype=np.uint64)  # per band, sorted
        self._owners = np.empty((bands, 0), dtype=np.int32)  # the key number of each value
        self._pending: list[tuple[np.ndarray, int]] = []  # (band values, key number) not merged yet
        self._pending_bands: list[dict[int, list[int]]] = [{} for _ in range(bands)]  # the same, to look up
        self._loading = False

    @contextmanager
    def loading(self) -> Iterator[None]:
        """Inserts without queries in between (an index read back from the store): merged once at the end."""
        self._loading = True
        try:
            yield
        finally:
            self._loading = False
            if self._pending:
                self._merge()

    def _band_values(self, signature: bytes) -> np.ndarray:
        """One 64-bit value per band: its two hash values as they are stored."""
        return np.frombuffer(signature, dtype="<u8", count=self._bands).astype(np.uint64)

    def insert(self, key: str, signature: bytes) -> None:
        if key in self._number:
            raise ValueError(f"{key!r} is held already")
        self._number[key] = len(self._keys)
        self._keys.append(key)
        values = self._band_values(signature)
        self._pending.append((values, self._number[key]))
        if self._loading:
            return
        for table, value in zip(self._pending_bands, values.tolist(), strict=True):
            table.setdefault(value, []).append(self._number[key])
        if len(self._pending) >= max(self._merge_at, self._values.shape[1] // 4):
            self._merge()

    def _merge(self) -> None:
        """Sort the pending values in, leaving out those of removed keys."""
        values = np.concatenate([self._values, np.stack([v for v, _ in self._pending], axis=1)], axis=1)
        owners = np.concatenate(
            [self._owners, np.tile(np.array([n for _, n in self._pending], dtype=np.int32), (self._bands, 1))], axis=1
        )
        self._pending, self._pending_bands = [], [{} for _ in range(self._bands)]
        alive = np.array([k is not None for k in self._keys], dtype=bool)[owners]  # each band holds each key once
        values, owners = values[alive].reshape(self._bands, -1), owners[alive].reshape(self._bands, -1)
        order = np.argsort(values, axis=1, kind="stable")
        self._values = np.take_along_axis(values, order, axis=1)
        self._owners = np.take_along_axis(owners, order, axis=1)

    def remove(self, key: str) -> None:
        """Forget ``key`` (its values go at the next merge)."""
        self._keys[self._number.pop(key)] = None

    def query(self, signature: bytes) -> set[str]:
        """The keys sharing at least one band with ``signature``."""
        wanted = self._band_values(signature)
        numbers: list[int] = []
        if self._values.shape[1]:
            for band in range(self._bands):
                row = self._values[band]
                low = int(np.searchsorted(row, wanted[band], side="left"))
                high = int(np.searchsorted(row, wanted[band], side="right"))
                if high > low:
                    numbers.extend(self._owners[band, low:high].tolist())
        for table, value in zip(self._pending_bands, wanted.tolist(), strict=True):
            numbers.extend(table.get(value, ()))
        return {key for n in numbers if (key := self._keys[n]) is not None}


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the index keeps of a document: enough to recognise it again, without its text. Compact, for
    an index of many documents: its figures as one string (``listed``), their items made when asked (the
    figures as a Counter: ``figures(text)``)."""

    identity: str  # document_identity of its text
    wording_id: str  # SHA-256 of its wording (numbers masked): one per template
    signature: bytes  # MinHash of its wording's shingles (``minhash``)
    listed: str  # the numbers it states, sorted, separated by spaces (2129 2129 684)

    @property
    def figure_items(self) -> list[str]:
        """One item per number stated, repeats numbered: 2129#0, 2129#1, 684#0."""
        items, seen = [], Counter[str]()
        for number in self.listed.split():
            items.append(f"{number}#{seen[number]}")
            seen[number] += 1
        return items

    @property
    def figure_count(self) -> int:
        return self.listed.count(" ") + 1 if self.listed else 0

    @classmethod
    def of(cls, text: str, num_perm: int = NUM_PERM) -> Fingerprint:
        """The fingerprint of a text (normalised once for all its parts)."""
        readable = _readable(text)
        normalised = _INVISIBLE.sub("", readable)
        words = wording(normalised)
        return cls(
            _sha256(normalised),
            _sha256(words),
            _minhash_of_normalised(words, num_perm),
            " ".join(sorted(_FIGURE.findall(readable))),
        )

    def to_row(self) -> tuple[str, str, bytes, str]:
        """(identity, wording_id, signature bytes, figures as text) for a table beside the documents."""
        return self.identity, self.wording_id, self.signature, self.listed

    @classmethod
    def from_row(cls, identity: str, wording_id: str, signature: bytes, listed: str) -> Fingerprint:
        return cls(identity, wording_id, checked_signature(signature), listed)  # to_row wrote it sorted


_NO_FIGURES = ""  # the figure item under which a document that states no number is listed


class NearDuplicateIndex:
    """Stored documents, to tell whether a new text is one of them or a near-duplicate of one.

    A near-duplicate says nearly the same (at least ``THRESHOLD`` of the shingles of its wording in
    common with a stored text: Jaccard, estimated by MinHash, candidates from LSH) and states the same
    figures (``figure_share`` ≥ ``FIGURE_SHARE``). The LSH holds one entry per wording, so a thousand
    bulletins on one template cost one candidate, not a thousand.

    >>> index = NearDuplicateIndex()
    >>> index.add("a", "全年刑事打处2129人、逮捕684人,分别同比上升7.8%、42.2%。破获电信网络诈骗案件426起。")
    >>> index.find("首页 > 警务动态\\n全年刑事打处2129人、逮捕684人,分别同比上升7.8%、42.2%。破获电信网络诈骗案件426起。")
    'a'
    >>> index.find("全年刑事打处2306人、逮捕701人,分别同比上升8.3%、2.5%。破获电信网络诈骗案件389起。") is None
    True
    """

    def __init__(
        self,
        threshold: float = THRESHOLD,
        figure_share: float = FIGURE_SHARE,
        num_perm: int = NUM_PERM,
        lsh_rows: int = LSH_ROWS,
        stating_from: int = STATING_FROM,
    ) -> None:
        self.threshold = threshold
        self.figure_share = figure_share
        self.num_perm = num_perm
        self.stating_from = stating_from
        self._lsh = Bands(num_perm // lsh_rows, lsh_rows)
        self._held: dict[str, Fingerprint] = {}
        self._first_with: dict[str, str] = {}  # identity → doc_id of the first document with it
        self._with_wording: dict[str, list[str]] = {}  # wording_id → doc_ids; the LSH holds the wording once
        # for a wording of at least ``stating_from`` documents: figure item → doc_ids stating it (lists, not
        # sets: one item is mostly one document's)
        self._stating: dict[str, dict[str, list[str]]] = {}

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._held

    def add(self, doc_id: str, text: str) -> None:
        """Index a stored document's text under ``doc_id`` (a doc_id already held is replaced)."""
        self.add_fingerprint(doc_id, Fingerprint.of(text, self.num_perm))

    def add_fingerprint(self, doc_id: str, fingerprint: Fingerprint) -> None:
        """Index a document by a fingerprint kept from before (``Fingerprint.from_row``)."""
        if (permutations := permutations_of(fingerprint.signature)) != self.num_perm:
            raise ValueError(f"signature of {permutations} permutations, the index uses {self.num_perm}")
        if doc_id in self._held:
            self.remove(doc_id)
        self._held[doc_id] = fingerprint
        self._first_with.setdefault(fingerprint.identity, doc_id)
        siblings = self._with_wording.setdefault(fingerprint.wording_id, [])
        siblings.append(doc_id)
        if fingerprint.wording_id in self._stating:
            self._state(self._stating[fingerprint.wording_id], doc_id, fingerprint)
        elif len(siblings) >= self.stating_from:
            stating = self._stating[fingerprint.wording_id] = {}
            for sibling in siblings:
                self._state(stating, sibling, self._held[sibling])
        if len(siblings) == 1 and not is_empty(fingerprint.signature):  # no shingles: nothing to compare
            self._lsh.insert(fingerprint.wording_id, fingerprint.signature)

    def remove(self, doc_id: str) -> None:
        """Forget a document (KeyError when it is not held)."""
        fingerprint = self._held.pop(doc_id)
        if self._first_with.get(fingerprint.identity) == doc_id:
            del self._first_with[fingerprint.identity]
            other = next((d for d, f in self._held.items() if f.identity == fingerprint.identity), None)
            if other is not None:
                self._first_with[fingerprint.identity] = other
        siblings = self._with_wording[fingerprint.wording_id]
        siblings.remove(doc_id)
        if len(siblings) < self.stating_from:
            self._stating.pop(fingerprint.wording_id, None)
        elif fingerprint.wording_id in self._stating:
            stating = self._stating[fingerprint.wording_id]
            for item in fingerprint.figure_items or [_NO_FIGURES]:
                holders = stating[item]
                holders.remove(doc_id)
                if not holders:
                    del stating[item]
        if not siblings:
            del self._with_wording[fingerprint.wording_id]
            if not is_empty(fingerprint.signature):
                self._lsh.remove(fingerprint.wording_id)

    def similarities(self, text: str | Fingerprint) -> list[tuple[str, float, float]]:
        """(doc_id, estimated similarity of wording, figure share) of held documents that ``text`` (or its
        fingerprint) nearly is, most similar first."""
        probe = text if isinstance(text, Fingerprint) else Fingerprint.of(text, self.num_perm)
        if is_empty(probe.signature):
            return []
        found = []
        for wording_id in self._lsh.query(probe.signature):
            held = self._held[self._with_wording[wording_id][0]].signature  # one wording, one signature
            similarity = signature_similarity(probe.signature, held)
            if similarity < self.threshold:
                continue
            found.extend(
                (doc_id, similarity, share)
                for doc_id, share in self._figure_shares(probe, wording_id)
                if share >= self.figure_share
            )
        return sorted(found, key=lambda row: (-row[1], -row[2], row[0]))

    def _figure_shares(self, probe: Fingerprint, wording_id: str) -> Iterator[tuple[str, float]]:
        """(doc_id, figure share with ``probe``) for the documents of one wording that share a figure with
        it, or state none (then the share is 1.0, as ``figure_share`` says): document by document for a
        wording of few documents, through its index of figures for one of many (``stating_from``)."""
        if not probe.listed:
            yield from ((doc_id, 1.0) for doc_id in self._with_wording[wording_id])
            return
        probe_count = probe.figure_count
        stating = self._stating.get(wording_id)
        if stating is None:  # a few documents: each one's figures against the probe's
            numbers = Counter(probe.listed.split())
            for doc_id in self._with_wording[wording_id]:
                held = self._held[doc_id]
                if not held.listed:
                    yield doc_id, 1.0
                elif count := sum((numbers & Counter(held.listed.split())).values()):
                    yield doc_id, count / min(held.figure_count, probe_count)
            return
        yield from ((doc_id, 1.0) for doc_id in stating.get(_NO_FIGURES, ()))
        shared: Counter[str] = Counter()
        for item in probe.figure_items:
            shared.update(stating.get(item, ()))
        for doc_id, count in shared.items():
            yield doc_id, count / min(self._held[doc_id].figure_count, probe_count)

    @staticmethod
    def _state(stating: dict[str, list[str]], doc_id: str, fingerprint: Fingerprint) -> None:
        """List a document under each figure item it states (a doc_id once: held ones are removed first)."""
        for item in fingerprint.figure_items or [_NO_FIGURES]:
            stating.setdefault(item, []).append(doc_id)

    def find(self, text: str | Fingerprint) -> str | None:
        """The held document ``text`` (or its fingerprint) is, by identity, or nearly is; None when new."""
        return self.classify(text)[1]

    def classify(self, text: str | Fingerprint) -> tuple[str, str | None]:
        """What to do with an incoming document: ``("same", doc_id)`` (store once, keep the new source
        address), ``("near", doc_id)`` (a near-duplicate: link it, do not count its statistics again) or
        ``("new", None)``."""
        probe = text if isinstance(text, Fingerprint) else Fingerprint.of(text, self.num_perm)
        same = self._first_with.get(probe.identity)
        if same is not None:
            return "same", same
        found = self.similarities(probe)
        return ("near", found[0][0]) if found else ("new", None)

    def rows(self) -> Iterator[tuple[str, str, str, bytes, str]]:
        """(doc_id, identity, wording_id, signature bytes, figures) of every held document, to persist."""
        for doc_id, fingerprint in self._held.items():
            yield (doc_id, *fingerprint.to_row())

    @classmethod
    def from_texts(cls, documents: Iterable[tuple[str, str]], **options) -> NearDuplicateIndex:
        """An index rebuilt from stored (doc_id, text) pairs."""
        index = cls(**options)
        for doc_id, text in documents:
            index.add(doc_id, text)
        return index

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, bytes, str]], **options) -> NearDuplicateIndex:
        """An index rebuilt from persisted rows (``rows()``), without re-reading any text."""
        index = cls(**options)
        with index._lsh.loading():
            for doc_id, *row in rows:
                index.add_fingerprint(doc_id, Fingerprint.from_row(*row))
        return index
