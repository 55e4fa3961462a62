"""Fixtures of the robustness suite; the harness itself is harness.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import REPORT
from oddities import make_odd_directory


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


@pytest.fixture
def odd_directory(tmp_path: Path) -> Path:
    return make_odd_directory(tmp_path / "reports")
