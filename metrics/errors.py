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


class StoreBusyError(Exception):
    """Another process held the store for longer than the bounded wait."""


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
