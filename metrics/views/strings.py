"""The dashboard's string table (metrics/views/ui_strings.yaml): labels in Chinese and English, category
colours; the category labels themselves come from metrics/patterns/categories.yaml, as the extractor's keys do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from metrics.rules import category_labels

UI_STRINGS_PATH = Path(__file__).with_name("ui_strings.yaml")


@dataclass(frozen=True)
class UiStrings:
    """Every label of the dashboard in one language, read from the string table."""

    table: dict
    lang: str = "zh"

    def text(self, key: str, **values: object) -> str:
        """The label ``key`` in this language, with ``{placeholders}`` filled from ``values``.

        >>> load_ui_strings("en").text("too_large", name="a.txt", size=9, limit=5)
        'a.txt is too large (9 MB); the limit is 5 MB.'
        """
        label = self.table["labels"][key][self.lang]
        return label.format(**values) if values else label

    def category(self, key: str) -> str:
        """A category key as its label, Chinese with English beside it, the same in both languages.

        The label is also what a shared link carries (?category=毒品+drugs), so it must not depend on
        the language switch.

        >>> load_ui_strings("en").category("drugs")
        '毒品 drugs'
        """
        entry = category_labels().get(key)
        return f"{entry['zh']} {entry['en']}" if entry else str(key)

    def category_name(self, key: str) -> str:
        """A category key as its label in this language only: '电信网络诈骗' or 'telecom fraud'."""
        entry = category_labels().get(key)
        return entry[self.lang] if entry else str(key)

    def column(self, key: str) -> str:
        """A table column's header."""
        entry = self.table["columns"].get(key)
        return entry[self.lang] if entry else str(key)

    def category_colours(self) -> dict[str, str]:
        """Category key → colour (hex)."""
        return dict(self.table["category_colours"])

    def category_keys(self) -> list[str]:
        """The category keys in the order of categories.yaml."""
        return list(category_labels())


def read_string_table(path: Path = UI_STRINGS_PATH) -> dict:
    """The raw string table from YAML."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_ui_strings(lang: str = "zh", path: Path = UI_STRINGS_PATH) -> UiStrings:
    """The string table in ``lang`` (``zh`` or ``en``); an unknown language falls back to ``zh``."""
    table = read_string_table(path)
    return UiStrings(table=table, lang=lang if lang in table["languages"] else "zh")
