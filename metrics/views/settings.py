"""What the dashboard lets its viewers do, as a pure function of the environment (and the address the
server listens on). Read-only unless edits are switched on; on a network, only with a shared token.

- ``METRICS_ALLOW_EDITS=1`` switches uploads, pasting, corrections and undo on (anything else: off).
- ``METRICS_EDIT_TOKEN=<secret>``: with edits on, a viewer must type this token (compared in constant
  time) before the page shows them the edit controls. Without a token, edits stay off unless the server
  listens on the loopback address only (``make run``: 127.0.0.1), where the only viewer is this machine.
- ``METRICS_EDITOR`` is not read here: the name in the corrections log is the one the viewer types, else
  their session.

>>> settings_from({}, "127.0.0.1").edits_enabled
False
>>> settings_from({"METRICS_ALLOW_EDITS": "1"}, "127.0.0.1").edits_enabled
True
>>> shared = settings_from({"METRICS_ALLOW_EDITS": "1"}, "0.0.0.0")
>>> shared.edits_enabled, shared.problem
(False, 'edits_need_token')
>>> guarded = settings_from({"METRICS_ALLOW_EDITS": "1", "METRICS_EDIT_TOKEN": "s3cret-token"}, "0.0.0.0")
>>> guarded.edits_enabled, guarded.token_required, guarded.unlocks("wrong"), guarded.unlocks("s3cret-token")
(True, True, False, True)
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

TRUE_WORDS = {"1", "true", "yes", "on"}
MIN_TOKEN_LENGTH = 8


@dataclass(frozen=True)
class Settings:
    """``edits_enabled``: whether uploads and corrections may be offered at all; ``token_required``:
    whether a viewer must type the shared token first; ``problem``: a ui_strings key saying why edits
    asked for are off (a missing or too short token), or None."""

    edits_enabled: bool
    token_required: bool
    token: str | None = None
    problem: str | None = None

    def unlocks(self, given: str | None) -> bool:
        """Whether a viewer who typed ``given`` may edit (always, when no token is required)."""
        if not self.edits_enabled:
            return False
        if not self.token_required:
            return True
        return bool(given) and hmac.compare_digest(str(given).encode(), str(self.token).encode())


@dataclass(frozen=True)
class Editor:
    """Whether this viewer may upload and correct, and the name the corrections log keeps for them."""

    may_edit: bool
    author: str


def is_loopback(address: str | None) -> bool:
    """True for an address only this machine can reach (127.0.0.1, ::1, localhost); an empty address
    means "every interface" to Streamlit.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback(""), is_loopback("0.0.0.0")
    (True, True, False, False)
    """
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def settings_from(environ: Mapping[str, str], server_address: str | None) -> Settings:
    """The dashboard's settings for this environment and listening address (see the module docstring)."""
    wanted = environ.get("METRICS_ALLOW_EDITS", "").strip().lower() in TRUE_WORDS
    token = environ.get("METRICS_EDIT_TOKEN", "").strip() or None
    if not wanted:
        return Settings(edits_enabled=False, token_required=False)
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        return Settings(edits_enabled=False, token_required=True, problem="edits_token_too_short")
    if token is not None:
        return Settings(edits_enabled=True, token_required=True, token=token)
    if is_loopback(server_address):
        return Settings(edits_enabled=True, token_required=False)
    return Settings(edits_enabled=False, token_required=True, problem="edits_need_token")
