"""Harness of the robustness suite: run work in a child process under a time and a memory bound.

Bounds are generous on purpose (machines are shared and noisy): only a hang or a blow-up breaks them.
The peak memory is the child's own maximum resident set size, read from ``os.wait4`` when it ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = "全年破获刑事案件2129起,抓获嫌疑人684人,分别同比上升7.8%、42.2%。\n"


@dataclass
class Run:
    returncode: int
    stdout: bytes
    stderr: str
    peak_mb: float  # the child's maximum resident set size
    timed_out: bool


def run_bounded(argv: list[str], *, timeout: float, max_mb: float, env: dict | None = None, cwd: Path = ROOT) -> Run:
    """Run ``argv``; fail the test if it outlives ``timeout`` seconds (it is killed) or peaks above
    ``max_mb`` MB of resident memory."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # it ended just now
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    out: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=n, s=s: out.__setitem__(n, s.read()))
        for n, s in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    run = Run(
        proc.returncode, out["out"], out["err"].decode("utf-8", "replace"), usage.ru_maxrss / 1024, killed.is_set()
    )
    assert not run.timed_out, f"hang: still running after {timeout} s: {argv[-3:]}"
    assert run.peak_mb < max_mb, f"blow-up: peak memory {run.peak_mb:.0f} MB > {max_mb} MB"
    return run


def python_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def run_python(code: str, *, timeout: float = 120, max_mb: float = 1500, **env: str) -> Run:
    """Run a Python snippet with the project importable; its stdout is returned."""
    run = run_bounded([sys.executable, "-c", code], timeout=timeout, max_mb=max_mb, env=python_env(**env))
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def run_cli(*args: str, timeout: float = 120, max_mb: float = 1500, env: dict | None = None) -> Run:
    """``python -m metrics ARGS`` under the bounds."""
    return run_bounded(
        [sys.executable, "-m", "metrics", *args], timeout=timeout, max_mb=max_mb, env=env or python_env()
    )
