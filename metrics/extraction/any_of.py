"""Which lists of regex fragments match a text, and does any? The same answers as a search of each list's
alternation, found faster.

The `regex` engine tries every branch of an alternation at every character (about 15 ns a branch and a
character: 36 µs for the 28 verb rules of measures.yaml over 92 characters), where a fragment searched alone
skips ahead to its literal prefix. Most fragments of the word lists are plain words: those go into one
Aho-Corasick automaton (ahocorasick_rs, one pass over the text for every list), the others are searched one
by one (2.6 µs for the same verb rules and text). Used where only *whether* a list matches counts; where the
match itself counts (where it ends), the list's own pattern is searched after.
"""

from __future__ import annotations

import ahocorasick_rs
import regex

from metrics.rules import compile_checked

# An inline flag such as (?i) applies to the whole alternation it stands in: such a list stays one pattern.
INLINE_FLAGS = regex.compile(r"\(\?[aiLmsuxfbevrw]+\)")


def is_plain_word(fragment: str) -> bool:
    """A fragment that matches only itself (no metacharacter, no space): 破获, 110."""
    return bool(fragment) and regex.escape(fragment) == fragment


class FragmentLists:
    """``FragmentLists(lists, where).which(text)``: the indexes of the lists whose alternation
    ``'|'.join(f'(?:{f})' for f in fragments)`` is found in ``text``, in order; ``any(text)``: whether one is.
    ``where`` names the fragments' file in an error."""

    def __init__(self, lists: list[list[str]], where: str, flags: int = 0) -> None:
        owners: dict[str, list[int]] = {}  # plain word → the lists it stands in
        self.others: list[tuple[int, regex.Pattern]] = []
        flagged: list[tuple[int, regex.Pattern]] = []  # lists with an inline flag, each one pattern
        for i, fragments in enumerate(lists):
            for fragment in fragments:
                compile_checked(fragment, where, flags)  # an error names the fragment
            if flags or any(INLINE_FLAGS.search(f) for f in fragments):
                flagged.append((i, compile_checked("|".join(f"(?:{f})" for f in fragments), where, flags)))
                continue
            for fragment in dict.fromkeys(fragments):
                if is_plain_word(fragment):
                    owners.setdefault(fragment, []).append(i)
                else:
                    self.others.append((i, compile_checked(fragment, where, flags)))
        # the other fragments together: for short texts (a metric), one search that mostly finds none is
        # cheaper than one search each; any() searches them one by one (long texts, where each skips ahead)
        # (a list with an inline flag stays out of it: its flag would hold for every other fragment)
        together = "|".join(f"(?:{p.pattern})" for _, p in self.others)
        self.any_other = compile_checked(together, where, flags) if self.others else None
        self.flagged = flagged
        self.owners = list(owners.values())  # by the automaton's word number
        self.automaton = ahocorasick_rs.AhoCorasick(list(owners)) if owners else None

    def any(self, text: str) -> bool:
        if self.automaton is not None and self.automaton.find_matches_as_indexes(text):
            return True
        return any(p.search(text) is not None for _, p in self.others + self.flagged)  # each from its own prefix

    def which(self, text: str) -> list[int]:
        found: set[int] = set()
        if self.automaton is not None:
            for word, _, _ in self.automaton.find_matches_as_indexes(text, overlapping=True):
                found.update(self.owners[word])
        if self.any_other is not None and self.any_other.search(text) is not None:
            found.update(i for i, p in self.others if i not in found and p.search(text) is not None)
        found.update(i for i, p in self.flagged if p.search(text) is not None)
        return sorted(found)


def any_of(fragments: list[str], where: str, flags: int = 0) -> FragmentLists:
    """One list: ``any_of(fragments, where).any(text)`` is whether its alternation is found in ``text``."""
    return FragmentLists([fragments], where, flags)
