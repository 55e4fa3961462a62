"""Errors the command line turns into exit codes and one-line messages (never a traceback)."""


class UsageError(Exception):
    """The call itself is wrong (missing path, bad date, unknown extension): exit code 2."""


class InputError(Exception):
    """One input could not be read (binary, undecodable, a FIFO...): named on stderr, exit code 1."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
