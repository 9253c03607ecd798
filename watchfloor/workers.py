"""One helper process on a second core, for work whose result is the same wherever it runs.

Analysis (``process.py``) and the per-report preparation before clustering (``stories/prepare.py``) each keep a
``SecondProcess``. It starts on first use, from a clean interpreter (forkserver) rather than a copy of this
process and its open database connections; an environment variable set to 0 switches it off; and after any
failure it is given up for good, the caller then doing all the work itself.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor


class SecondProcess:
    __slots__ = ("switch", "initializer", "failed", "_pool")

    def __init__(self, switch: str, initializer: Callable[[], None] | None = None) -> None:
        self.switch = switch  # the environment variable that switches it off when "0"
        self.initializer = initializer  # run once in the worker when it starts
        self.failed = False
        self._pool: Executor | None = None

    def available(self) -> bool:
        return not self.failed and os.environ.get(self.switch, "1") != "0" and (os.cpu_count() or 1) >= 2

    @property
    def started(self) -> Executor | None:
        """The worker, if it is running."""
        return self._pool

    def pool(self) -> Executor | None:
        """The worker, started now if need be; None when it is switched off, has failed, or there is one core."""
        if not self.available():
            return None
        if self._pool is None:
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
            try:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context(method), initializer=self.initializer
                )
            except (RuntimeError, OSError):
                self.give_up()
        return self._pool

    def give_up(self) -> None:
        self.failed = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
