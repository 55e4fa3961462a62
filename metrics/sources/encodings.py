"""Bytes to text: a BOM, a declared charset, UTF-8, else the codec whose decoding reads most like Chinese."""

from __future__ import annotations

import codecs
from functools import lru_cache

import regex

from metrics.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Declared or detected names → the codec that decodes them best (GBK and GB2312 are subsets of GB18030).
_CODEC_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "hz-gb-2312": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cp950": "big5hkscs",
    "x-big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode": "utf-16",
    "utf-16le": "utf-16-le",
    "utf-16be": "utf-16-be",
}
_DECLARED_CHARSET = regex.compile(
    rb"""
    (?: <meta [^>]{0,200}? charset \s* = \s* ["']? \s*     # <meta charset="gbk"> or content="...; charset=gbk"
      | <\?xml [^>]{0,100}? encoding \s* = \s* ["'] )      # <?xml version="1.0" encoding="gbk"?>
    (?P<name> [A-Za-z0-9_:.\-]{2,40} )
""",
    regex.IGNORECASE | regex.VERBOSE,
)
_TOLERATED_BAD_SHARE = 0.02  # a declared charset giving more decode errors than this is a lie


def codec_for(name: str) -> str | None:
    """The Python codec to use for a declared or detected charset name; None when unknown."""
    name = name.strip().lower()
    name = _CODEC_ALIASES.get(name, name)
    try:
        return _CODEC_ALIASES.get(codecs.lookup(name).name, codecs.lookup(name).name)
    except LookupError:
        return None


def declared_charset(raw: bytes) -> str | None:
    """The charset a web page declares in its first 4 KB (meta charset, http-equiv or XML declaration)."""
    match = _DECLARED_CHARSET.search(raw[:4096])
    return codec_for(match["name"].decode("ascii")) if match else None


def decode_bytes(raw: bytes, *, path: str = "", html: bool = False) -> tuple[str, str]:
    """Decoded text and the codec used: BOM, declared charset, UTF-8, then the best-scoring guess.

    A few invalid bytes become U+FFFD and the rest of the text is kept; binary data is an InputError.
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace"), codec
    if b"\x00" in raw[:8192]:
        raise InputError(path, "binary file (contains NUL bytes)")
    declared = declared_charset(raw) if html or b"<" in raw[:4096] else None
    if declared:
        text = raw.decode(declared, errors="replace")
        if text.count("\ufffd") <= _TOLERATED_BAD_SHARE * max(len(text), 1):
            return text, declared
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if looks_binary(text):  # valid UTF-8 that is mostly control characters: a binary file all the same
            raise InputError(path, "binary file (control characters)")
        return text, "utf-8"
    codec = best_codec(raw)
    if codec is None:
        raise InputError(path, "undecodable: not text in any supported encoding")
    text = raw.decode(codec, errors="replace")
    if looks_binary(text):
        raise InputError(path, "binary file (control characters)")
    return text, codec


def best_codec(raw: bytes) -> str | None:
    """The candidate codec whose decoding reads most like Chinese text (detector's guess included)."""
    candidates = ["utf-8", "gb18030", "big5hkscs"]
    sample = raw[:65536]
    scored = [(readability(sample.decode(codec, errors="replace")), codec) for codec in candidates]
    if max(score for score, _ in scored) < CLEARLY_CHINESE:  # the detector only when none reads well (3 ms a file)
        detected = _detector_guess(raw)
        if detected and detected not in candidates:
            scored.append((readability(sample.decode(detected, errors="replace")), detected))
    score, codec = max(scored, key=lambda pair: pair[0])
    return codec if score > 0.5 else None


CLEARLY_CHINESE = 0.98  # readability above which a candidate codec is taken without asking the detector


def _detector_guess(raw: bytes) -> str | None:
    """charset-normalizer's best guess, as a codec name."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:65536]).best()
    return codec_for(best.encoding) if best is not None else None


def readability(text: str) -> float:
    """Share of characters that are plausible report text: ASCII, punctuation, or frequent Chinese.

    Frequent Chinese means level-1 of GB2312 (3,755 common simplified) or of Big5 (5,401 common
    traditional): the wrong codec turns text into rare characters and U+FFFD, which score zero.
    """
    if not text:
        return 0.0
    good = sum(1 for ch in text if _plausible_char(ch))
    return good / len(text)


@lru_cache(maxsize=65536)
def _plausible_char(ch: str) -> bool:
    if ch == "\ufffd":
        return False
    if ch < "\x80":
        return ch.isprintable() or ch in "\n\r\t"
    if ch in "\xa0\u3000" or "\u2000" <= ch <= "\u206f" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef":
        return True
    try:
        if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        encoded = ch.encode("big5")
        return 0xA4 <= encoded[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def looks_binary(text: str) -> bool:
    """True when more than 1% of the first characters are control characters other than whitespace."""
    sample = text[:8192]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\r\t\f\v")
    return controls > 0.01 * max(len(sample), 1)
