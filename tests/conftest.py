"""Fixtures shared by the dashboard tests (AppTest and browser): a store built from the annotated corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import build_annotated_store


@pytest.fixture(scope="session")
def annotated_store_template(tmp_path_factory) -> Path:
    """The annotated store, built once per session."""
    db = tmp_path_factory.mktemp("template") / "metrics.duckdb"
    build_annotated_store(db)
    return db


@pytest.fixture()
def annotated_store(annotated_store_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the annotated store for one test (tests change it: uploads, corrections)."""
    db = tmp_path / "metrics.duckdb"
    shutil.copy(annotated_store_template, db)
    return db
