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
``NearDuplicateIndex`` finds those with MinHash over character shingles and LSH (``datasketch``).

``SHINGLE``, ``THRESHOLD`` and ``FIGURE_SHARE`` were chosen by measurement on the 70 shipped reports
(tests/test_identity.py): a repost with other navigation lines, a headline and a few characters changed
shares at least 0.334 of its 5-character shingles with the report (Jaccard; the shortest report, 131
characters, gives the lowest figure) and states all of its figures; two different reports of the corpus
share at most 0.252 (two monthly bulletins of one city on one template, which share only 0.21 of their
figures); the same text with other figures (next period's release on the same template) shares up to
0.92 of its shingles but at most 0.23 of its figures. So a near-duplicate needs both: a similarity of
at least 0.3 and at least 0.8 of the figures in common.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import regex

from metrics.normalize import normalize

if TYPE_CHECKING:
    from datasketch import LeanMinHash

SHINGLE = 5            # characters per shingle (see tests/test_identity.py for 3 to 6)
NUM_PERM = 256         # MinHash permutations: standard error of a similarity estimate ≤ 0.032
THRESHOLD = 0.3        # Jaccard similarity of shingles from which a text may be a near-duplicate...
FIGURE_SHARE = 0.8     # ...when it also states the same figures: this share of the shorter list's figures
LSH_THRESHOLD = 0.15   # LSH tuned for this similarity: a pair at THRESHOLD is a candidate with p = 0.992
_SCHEME = "affine32"   # datasketch's permutation scheme (signatures of one index share one scheme)
_SEED = 1

_INVISIBLE = regex.compile(r"[\s\p{Cf}\p{Co}\x1f]+")   # whitespace, format chars (ZWSP, BOM), private use, FILLER


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

def shingles(normalised: str, size: int = SHINGLE) -> set[str]:
    """The set of overlapping character ``size``-grams of a normalised text (the whole text when shorter)."""
    if len(normalised) <= size:
        return {normalised} if normalised else set()
    return {normalised[i:i + size] for i in range(len(normalised) - size + 1)}


_FIGURE = regex.compile(r"[0-9]+(?:\.[0-9]+)?")


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


_HASH_BASE = np.uint32(1_000_003)    # polynomial hash of a shingle's code points, modulo 2**32


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
            hashes = hashes * _HASH_BASE + points[offset:offset + count]
    return np.unique(hashes)


@cache
def _datasketch():
    """datasketch, imported on first use: it pulls in SciPy (about a second), which identities never need."""
    import datasketch

    return datasketch


@cache
def _permutations(num_perm: int) -> np.ndarray:
    return _datasketch().MinHash(num_perm=num_perm, seed=_SEED, scheme=_SCHEME).permutations


def _minhash_of_normalised(normalised: str, num_perm: int) -> LeanMinHash:
    sketch = _datasketch().MinHash(num_perm=num_perm, seed=_SEED, hashfunc=int, scheme=_SCHEME,
                     permutations=_permutations(num_perm))
    sketch.update_batch(shingle_hashes(normalised).tolist())
    return _datasketch().LeanMinHash(sketch)


def minhash(text: str, *, num_perm: int = NUM_PERM) -> LeanMinHash:
    """The MinHash signature of a text's shingles (of its normalised form). Stable across processes."""
    return _minhash_of_normalised(normalised_text(text), num_perm)


def signature_to_bytes(signature: LeanMinHash) -> bytes:
    """A signature as bytes for a BLOB column: its hash values, little-endian uint32."""
    return np.asarray(signature.hashvalues, dtype="<u4").tobytes()


def signature_from_bytes(data: bytes) -> LeanMinHash:
    """The signature stored by ``signature_to_bytes``; ValueError for bytes that are not one."""
    if not data or len(data) % 4:
        raise ValueError(f"not a MinHash signature: {len(data)} bytes")
    values = np.frombuffer(data, dtype="<u4").astype(np.uint32)
    return _datasketch().LeanMinHash(seed=_SEED, hashvalues=values, scheme=_SCHEME)


@cache
def _lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's (bands, rows) for a threshold, computed once (its search takes a tenth of a second)."""
    lsh = _datasketch().MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the index keeps of a document: enough to recognise it again, without its text."""

    identity: str              # document_identity of its text
    signature: LeanMinHash     # MinHash of its shingles
    figures: Counter[str]      # the numbers it states

    @classmethod
    def of(cls, text: str, num_perm: int = NUM_PERM) -> Fingerprint:
        """The fingerprint of a text (normalised once for all three parts)."""
        readable = _readable(text)
        normalised = _INVISIBLE.sub("", readable)
        return cls(_sha256(normalised), _minhash_of_normalised(normalised, num_perm),
                   Counter(_FIGURE.findall(readable)))

    def to_row(self) -> tuple[str, bytes, str]:
        """(identity, signature bytes, figures as text) for a table beside the documents."""
        listed = " ".join(number for number, count in sorted(self.figures.items()) for _ in range(count))
        return self.identity, signature_to_bytes(self.signature), listed

    @classmethod
    def from_row(cls, identity: str, signature: bytes, listed: str) -> Fingerprint:
        return cls(identity, signature_from_bytes(signature), Counter(listed.split()))


class NearDuplicateIndex:
    """Stored documents, to tell whether a new text is one of them or a near-duplicate of one.

    A near-duplicate shares at least ``THRESHOLD`` of its shingles with a stored text (Jaccard, estimated
    by MinHash; candidates come from LSH) and states the same figures (``figure_share`` ≥ ``FIGURE_SHARE``).

    >>> index = NearDuplicateIndex()
    >>> index.add("a", "全年刑事打处2129人、逮捕684人,分别同比上升7.8%、42.2%。破获电信网络诈骗案件426起。")
    >>> index.find("首页 > 警务动态\\n全年刑事打处2129人、逮捕684人,分别同比上升7.8%、42.2%。破获电信网络诈骗案件426起。")
    'a'
    >>> index.find("全年刑事打处2306人、逮捕701人,分别同比上升8.3%、2.5%。破获电信网络诈骗案件389起。") is None
    True
    """

    def __init__(self, threshold: float = THRESHOLD, figure_share: float = FIGURE_SHARE,
                 num_perm: int = NUM_PERM, lsh_threshold: float = LSH_THRESHOLD) -> None:
        self.threshold = threshold
        self.figure_share = figure_share
        self.num_perm = num_perm
        self._lsh = _datasketch().MinHashLSH(num_perm=num_perm, params=_lsh_bands(lsh_threshold, num_perm))
        self._held: dict[str, Fingerprint] = {}
        self._first_with: dict[str, str] = {}          # identity → doc_id of the first document with it

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._held

    def add(self, doc_id: str, text: str) -> None:
        """Index a stored document's text under ``doc_id`` (a doc_id already held is replaced)."""
        self.add_fingerprint(doc_id, Fingerprint.of(text, self.num_perm))

    def add_fingerprint(self, doc_id: str, fingerprint: Fingerprint) -> None:
        """Index a document by a fingerprint kept from before (``Fingerprint.from_row``)."""
        if len(fingerprint.signature) != self.num_perm:
            raise ValueError(f"signature of {len(fingerprint.signature)} permutations, "
                             f"the index uses {self.num_perm}")
        if doc_id in self._held:
            self.remove(doc_id)
        self._held[doc_id] = fingerprint
        self._first_with.setdefault(fingerprint.identity, doc_id)
        if not fingerprint.signature.is_empty():        # an empty text has no shingles to compare
            self._lsh.insert(doc_id, fingerprint.signature)

    def remove(self, doc_id: str) -> None:
        """Forget a document (KeyError when it is not held)."""
        fingerprint = self._held.pop(doc_id)
        if self._first_with.get(fingerprint.identity) == doc_id:
            del self._first_with[fingerprint.identity]
            other = next((d for d, f in self._held.items() if f.identity == fingerprint.identity), None)
            if other is not None:
                self._first_with[fingerprint.identity] = other
        if not fingerprint.signature.is_empty():
            self._lsh.remove(doc_id)

    def similarities(self, text: str | Fingerprint) -> list[tuple[str, float, float]]:
        """(doc_id, estimated Jaccard similarity, figure share) of held documents that ``text`` (or its
        fingerprint) nearly is, most similar first."""
        probe = text if isinstance(text, Fingerprint) else Fingerprint.of(text, self.num_perm)
        if probe.signature.is_empty():
            return []
        found = []
        for doc_id in self._lsh.query(probe.signature):
            held = self._held[doc_id]
            similarity = probe.signature.jaccard(held.signature)
            share = figure_share(probe.figures, held.figures)
            if similarity >= self.threshold and share >= self.figure_share:
                found.append((doc_id, similarity, share))
        return sorted(found, key=lambda row: (-row[1], -row[2], row[0]))

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

    def rows(self) -> Iterator[tuple[str, str, bytes, str]]:
        """(doc_id, identity, signature bytes, figures) of every held document, to persist."""
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
    def from_rows(cls, rows: Iterable[tuple[str, str, bytes, str]], **options) -> NearDuplicateIndex:
        """An index rebuilt from persisted rows (``rows()``), without re-reading any text."""
        index = cls(**options)
        for doc_id, identity, signature, listed in rows:
            index.add_fingerprint(doc_id, Fingerprint.from_row(identity, signature, listed))
        return index
