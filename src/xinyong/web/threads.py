"""The threads a serving process runs routes in: a few for requests, and two of their own for long work.

Routes and dependencies written as plain functions run in worker threads, by default up to 40 at once. Under
the interpreter lock 40 threads do the work of one, each answer taking turns with all the others: at 200
requests a second a burst of ten raised every answer's time, which raised the number in flight, until a
process answered its pages in 300 ms instead of 5. A few threads (``XINYONG_REQUEST_THREADS``) keep a process
busy while one waits for the database; the requests beyond them wait their turn and are answered in order.

Work that takes seconds (an uploaded file's import, a push of thousands of records, a batch check of many
codes, an exchange package) would hold those few threads and make every page wait behind it. It runs in
threads of its own instead, two at a time per process; a third waits for one of them, not the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar

LONG_WORK_THREADS = 2
T = TypeVar("T")
_long_work: RunVar[anyio.CapacityLimiter] = RunVar("xinyong_long_work")


def limit(request_threads: int) -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = request_threads


async def at_length(work: Callable[[], T]) -> T:
    """``work()`` in a thread for long work, once one of them is free."""
    try:
        limiter = _long_work.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(LONG_WORK_THREADS)
        _long_work.set(limiter)
    return await anyio.to_thread.run_sync(work, limiter=limiter)
