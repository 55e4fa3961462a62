"""Pool workers that end with the process that started them.

A worker of ``concurrent.futures.ProcessPoolExecutor`` waits on its task queue, whose both ends it
holds: when the ingest that started it is killed (``kill -9``, SIGTERM, a closed terminal) nothing ever
tells it, and it lives on with its memory (about 280 MB each, seen in issue 16). So each worker watches
the pid of the process that started the pool (through a pidfd, which becomes readable when that process
ends; by polling where there is none) in a daemon thread, and ends itself at once.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import threading
import time

POLL_SECONDS = 0.5  # without pidfd_open (not Linux): how often to look for the parent


def _parent_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_for_exit(pid: int) -> None:
    """Return when process ``pid`` has ended."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):
        while _parent_alive(pid):
            time.sleep(POLL_SECONDS)
        return
    select.select([fd], [], [])


def exit_with_parent() -> None:
    """In a pool worker: end this process as soon as the process that started the pool ends.
    Nothing happens in a process that no multiprocessing parent started (e.g. an ingest run in-process)."""
    parent = multiprocessing.parent_process()
    if parent is None or not parent.pid:
        return

    def watch() -> None:
        _wait_for_exit(parent.pid)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
