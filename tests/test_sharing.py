"""Issue 16, finding 8: safe by default. `make run` listens on 127.0.0.1 only; uploads and corrections are
off unless METRICS_ALLOW_EDITS=1, and on a network address only with a shared token."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from metrics.views.settings import settings_from

ROOT = Path(__file__).resolve().parent.parent


def make_run_command(*overrides: str) -> list[str]:
    """The command `make run` would run (make -n prints it without running it)."""
    printed = subprocess.run(
        ["make", "-n", "-W", "setup", "-W", "data/metrics.duckdb", "run", *overrides],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = printed.replace("\\\n", " ").splitlines()
    return shlex.split(next(line for line in lines if "streamlit run" in line))


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_make_run_listens_on_loopback_only():
    command = make_run_command()
    assert option(command, "--server.address") == "127.0.0.1"
    assert "METRICS_ALLOW_EDITS=1" in command  # the local page keeps uploads and corrections


def test_make_run_shared_on_the_network_is_read_only_without_a_token():
    command = make_run_command("HOST=0.0.0.0")
    environ = dict(part.split("=", 1) for part in command if part.startswith("METRICS_"))
    settings = settings_from(environ, option(command, "--server.address"))
    assert not settings.edits_enabled
    assert settings.problem == "edits_need_token"


@pytest.mark.parametrize(
    ("environ", "address", "enabled", "token"),
    [
        ({}, "127.0.0.1", False, False),
        ({"METRICS_ALLOW_EDITS": "0"}, "127.0.0.1", False, False),
        ({"METRICS_ALLOW_EDITS": "1"}, "127.0.0.1", True, False),
        ({"METRICS_ALLOW_EDITS": "1"}, "::1", True, False),
        ({"METRICS_ALLOW_EDITS": "1"}, "", False, True),  # Streamlit's default: every interface
        ({"METRICS_ALLOW_EDITS": "1"}, "192.168.1.20", False, True),
        ({"METRICS_ALLOW_EDITS": "1", "METRICS_EDIT_TOKEN": "short"}, "0.0.0.0", False, True),
        ({"METRICS_ALLOW_EDITS": "1", "METRICS_EDIT_TOKEN": "a-long-shared-token"}, "0.0.0.0", True, True),
        ({"METRICS_EDIT_TOKEN": "a-long-shared-token"}, "0.0.0.0", False, False),  # a token alone enables nothing
    ],
)
def test_edit_settings(environ, address, enabled, token):
    settings = settings_from(environ, address)
    assert (settings.edits_enabled, settings.token_required) == (enabled, token)


def test_the_token_must_match_exactly():
    settings = settings_from({"METRICS_ALLOW_EDITS": "1", "METRICS_EDIT_TOKEN": "a-long-shared-token"}, "0.0.0.0")
    assert settings.unlocks("a-long-shared-token")
    for wrong in ("", None, "a-long-shared-toke", "A-LONG-SHARED-TOKEN", "a-long-shared-token "):
        assert not settings.unlocks(wrong)
