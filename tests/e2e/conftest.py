"""Fixtures for the real-browser tests: an annotated store, the dashboard server, Debian's Chromium.

Follows ../shared/recipes/browser-e2e.md. Without /usr/bin/chromium the tests skip with the reason,
unless METRICS_REQUIRE_BROWSER=1 (CI), where they fail instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


MISSING = f"{CHROMIUM} not found: install it with `apt-get install chromium fonts-noto-cjk`"


def browser_required() -> bool:
    return os.environ.get("METRICS_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items) -> None:
    """On a developer machine without Debian's Chromium the browser tests are skipped, saying why; where
    METRICS_REQUIRE_BROWSER=1 (CI) they run and fail instead."""
    if CHROMIUM.exists() or browser_required():
        return
    for item in items:
        if Path(__file__).parent in Path(item.path).parents:
            item.add_marker(pytest.mark.skipif(True, reason=MISSING))


def browser_available_or_skip() -> None:
    """Fail (CI) when Debian's Chromium is missing; elsewhere the tests were skipped at collection."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING + " (METRICS_REQUIRE_BROWSER=1)")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll Streamlit's health endpoint until it answers ok (or the server died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dashboard server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("dashboard server did not become healthy")


@pytest.fixture()
def store_db(annotated_store: Path) -> Path:
    """A fresh copy of the annotated store (tests/conftest.py) for one browser test."""
    return annotated_store


@pytest.fixture()
def app_url(store_db: Path, tmp_path: Path):
    """The dashboard served on loopback over ``store_db``; its base URL."""
    browser_available_or_skip()
    port = free_port()
    log = open(tmp_path / "server.log", "w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard.py"),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env={**os.environ, "METRICS_DB": str(store_db), "METRICS_ALLOW_EDITS": "1"},  # as `make run`
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, for the whole session."""
    browser_available_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser, app_url):
    """A fresh page (Chinese locale, downloads accepted) with its dialogs recorded in ``page.dialogs``."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.base_url = app_url
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
