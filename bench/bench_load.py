"""Many people on one dashboard: first loads and filter changes of N concurrent sessions in real browsers.

The dashboard is served as `make run` serves it (127.0.0.1, read-only off) over a store (default: the
shipped one, data/metrics.duckdb; `make store` builds it). For each number of sessions, that many
Chromium pages (one headless Debian Chromium, a context each) open the page at once, then each makes
``--changes`` filter changes (the next crime category in the sidebar), waiting a random 1-3 s between
them as a reader would (``--think``). Bounded: every wait has a time limit, a page that misses it is
counted as failed, and the server is stopped at the end.

Printed per level, with the one-session run as the baseline beside it:

* first load: seconds from opening the address to the first chart drawn (p50, p95, max, failed);
* filter change: seconds from the click to the end of the rerun in the browser (p50, p95). The browser
  and the server share this machine's two cores, so this is an upper bound of the server's time;
* the server's CPU seconds per first load and per change (its own time, whatever the browsers cost) and
  its peak memory (RSS of the Streamlit process, psutil).

Usage: ``.venv/bin/python bench/bench_load.py [--sessions 1 5 20] [--changes 5] [--db data/metrics.duckdb]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
CHROMIUM_ARGS += ["--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
STATE = '[data-testid="stApp"]'
IDLE = f'{STATE}[data-test-script-state="notRunning"]'
CHART = '[data-testid="stPlotlyChart"] .main-svg'
CATEGORY_BOX = '[data-testid="stSidebar"] [data-testid="stSelectbox"]'
LIMIT_MS = 120_000  # a first load or a change that takes longer is counted as failed


@dataclass
class Level:
    sessions: int
    first_loads: list[float] = field(default_factory=list)
    changes: list[float] = field(default_factory=list)
    failed: int = 0
    load_cpu: float = 0.0  # the server's CPU seconds while the sessions first loaded
    change_cpu: float = 0.0  # ... and while they changed filters
    peak_mb: float = 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    """The dashboard on loopback as `make run` starts it; returns once it answers its health check."""
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.headless", "true"]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    command += ["--server.fileWatcherType", "none", "--", "--db", str(db)]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "METRICS_ALLOW_EDITS": "1"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the dashboard did not start on port {port} (try `make run` to see why)")


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (nearest rank); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def wait_rerun(page) -> None:
    """Until the rerun a click started has finished: it may start a moment after the click."""
    try:
        await page.wait_for_selector(f'{STATE}[data-test-script-state="running"]', timeout=1500)
    except Exception:  # finished before we looked (or never started): the idle check below decides
        pass
    await page.wait_for_selector(IDLE, timeout=LIMIT_MS)


async def next_category(page) -> None:
    """One filter change: the next crime category of the sidebar's first select box."""
    await page.locator(CATEGORY_BOX).first.locator("input").first.click()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")


async def open_session(browser, url: str, level: Level):
    """A new context and page opening the dashboard; the page, or None when it failed to load."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = await context.new_page()
    try:
        began = time.perf_counter()
        await page.goto(url, timeout=LIMIT_MS)
        await page.wait_for_selector(CHART, timeout=LIMIT_MS)
        await page.wait_for_selector(IDLE, timeout=LIMIT_MS)
        level.first_loads.append(time.perf_counter() - began)
        return page
    except Exception as exc:  # a timeout or a closed page: counted, named, and the level goes on
        failed(level, exc)
        return None


async def change_filters(page, level: Level, changes: int, think: float, seed: int) -> None:
    """``changes`` filter changes with a reader's pause before each; each one's time to the rerun's end."""
    pause = random.Random(seed)
    try:
        for _ in range(changes):
            await page.wait_for_timeout(1000 * pause.uniform(think / 2, think * 1.5))
            await next_category(page)
            began = time.perf_counter()
            await wait_rerun(page)
            level.changes.append(time.perf_counter() - began)
    except Exception as exc:
        failed(level, exc)


def failed(level: Level, exc: Exception) -> None:
    level.failed += 1
    print(f"  a session failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}", file=sys.stderr)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


async def sample_memory(process: psutil.Process, level: Level, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            level.peak_mb = max(level.peak_mb, process.memory_info().rss / 2**20)
        except psutil.Error:
            return
        await asyncio.sleep(0.2)


async def run_level(db: Path, sessions: int, changes: int, think: float) -> Level:
    """A fresh server (empty caches, as after `make run`) and ``sessions`` browsers at once."""
    from playwright.async_api import async_playwright

    port = free_port()
    server = start_server(db, port)
    level = Level(sessions)
    process = psutil.Process(server.pid)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_memory(process, level, stop))
            url = f"http://127.0.0.1:{port}/"
            cpu = cpu_seconds(process)
            pages = await asyncio.gather(*(open_session(browser, url, level) for _ in range(sessions)))
            level.load_cpu = cpu_seconds(process) - cpu
            cpu = cpu_seconds(process)
            opened = [page for page in pages if page is not None]
            await asyncio.gather(*(change_filters(page, level, changes, think, n) for n, page in enumerate(opened)))
            level.change_cpu = cpu_seconds(process) - cpu
            stop.set()
            await sampler
            await browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    return level


def report(levels: list[Level]) -> None:
    base = levels[0]
    base_change = percentile(base.changes, 0.95)
    print(
        f"{'sessions':>8} {'load p50':>9} {'load p95':>9} {'load max':>9} {'CPU/load':>9} {'change p50':>11} "
        f"{'change p95':>11} {'p95/base':>9} {'CPU/change':>11} {'peak MB':>8} {'failed':>7}"
    )
    for level in levels:
        per_change = level.change_cpu / max(1, len(level.changes))
        per_load = level.load_cpu / max(1, len(level.first_loads))
        p95 = percentile(level.changes, 0.95)
        load = [percentile(level.first_loads, share) for share in (0.5, 0.95, 1.0)]
        print(
            f"{level.sessions:>8} {load[0]:>9.2f} {load[1]:>9.2f} {load[2]:>9.2f} {per_load:>8.3f}s "
            f"{percentile(level.changes, 0.5):>11.2f} "
            f"{p95:>11.2f} {p95 / base_change:>8.1f}x {per_change:>10.3f}s {level.peak_mb:>8.0f} {level.failed:>7}"
        )
    print("seconds; CPU/load, CPU/change: the server's CPU seconds per first load and per filter change")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--changes", type=int, default=5, help="filter changes per session")
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between a session's changes (s)")
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "metrics.duckdb")
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"no store at {args.db}: run `make store` first (or give --db)")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} not found: apt-get install chromium fonts-noto-cjk")
    print(f"store {args.db}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    levels = []
    for sessions in sorted(set([1, *args.sessions])):
        levels.append(asyncio.run(run_level(args.db, sessions, args.changes, args.think)))
        print(f"  {sessions} sessions done (load average {os.getloadavg()[0]:.1f})", file=sys.stderr)
    report(levels)


if __name__ == "__main__":
    main()
