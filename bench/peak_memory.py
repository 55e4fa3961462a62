"""Peak resident memory of this process and of all its descendants, sampled while a block runs."""

from __future__ import annotations

import threading
import time

import psutil


class PeakMemory:
    """``with PeakMemory() as memory: ...`` then ``memory.parent`` (this process alone) and
    ``memory.total`` (this process plus every descendant at the same moment: pool workers, Dask
    scheduler, nannies and workers), in bytes; psutil every 50 ms."""

    def __init__(self, interval: float = 0.05) -> None:
        self.parent = self.total = 0
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def peak(self) -> int:
        return self.total

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            own = children = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    rss = process.memory_info().rss
                except psutil.Error:  # a child that ended meanwhile
                    continue
                if process.pid == me.pid:
                    own = rss
                else:
                    children += rss
            self.parent, self.total = max(self.parent, own), max(self.total, own + children)
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
