"""Every exception and warning of the project, in one place.

The command line turns the errors into exit codes and one-line messages (never a traceback); the
dashboard turns StoreProblem into "what to run".
"""


class UsageError(Exception):
    """The call itself is wrong (missing path, bad date, unknown extension): exit code 2."""


class InputError(Exception):
    """One input could not be read (binary, undecodable, a FIFO...): named on stderr, exit code 1."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class PatternError(ValueError):
    """A pattern file is missing, malformed, or holds an unknown key or a regex that does not compile."""


class PatternTimeoutWarning(UserWarning):
    """A pattern hit its time limit on some input: the figures of that stretch of text are missing."""


class ImplausibleValueWarning(UserWarning):
    """A figure's value is not finite or too large (numbers.MAX_VALUE) to be a real statistic: it is
    not stored, and the warning names its surface and offset."""


class StoreMissingError(UsageError):
    """There is no store file yet: the user should run ``python -m metrics ingest`` first."""


class StoreError(Exception):
    """The store file cannot be used: one message saying what happened, which file, and what to do.

    ``kind`` is one of ``busy``, ``damaged``, ``unreadable`` (permissions, a folder), ``full`` (no space
    left), the same words the dashboard's StoreProblem uses. The command line prints it and exits 1.
    """

    kind = "unreadable"

    def __init__(self, message: str, *, path: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.detail = detail


class StoreBusyError(StoreError):
    """Another process held the store for longer than the bounded wait."""

    kind = "busy"


class StoreDamagedError(StoreError):
    """The file is not a readable DuckDB store (truncated, overwritten, a failed checksum)."""

    kind = "damaged"


class StoreUnreadableError(StoreError):
    """The file or its folder cannot be read or written (permissions, a read-only file system, a folder)."""

    kind = "unreadable"


class StoreFullError(StoreError):
    """The disk (or quota) holding the store or the output is full."""

    kind = "full"


class StoreMemoryError(StoreError):
    """DuckDB could not get the memory a read or write of the store needed."""

    kind = "memory"


class CorrectionRefused(ValueError):
    """A correction that cannot be recorded as asked: the statistic is gone, or someone changed it first."""


class StatisticGone(CorrectionRefused):
    """The statistic a correction names no longer exists (its document was replaced or removed)."""


class StaleCorrection(CorrectionRefused):
    """The statistic changed since the user saw it; ``current`` is its value now."""

    def __init__(self, message: str, *, current: object) -> None:
        super().__init__(message)
        self.current = current


class EngineError(Exception):
    """A distributed engine could not finish a batch (e.g. the cluster killed too many workers): exit 1."""


class DaskMissingError(UsageError):
    """--engine dask was asked for but dask/distributed are not installed."""


class StoreProblem(Exception):
    """The dashboard cannot read the store: ``kind`` is ``missing``, ``broken`` or ``busy``."""

    def __init__(self, kind: str, reason: str = "") -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason
