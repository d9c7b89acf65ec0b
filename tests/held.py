"""A function held half-way: a test starts long work with it, looks at what the server does meanwhile, then
lets the work go on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

WAIT_S = 30


class Held:
    """Stands in for ``real``: says it has started, waits to be released, then does what ``real`` does."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.started.set()
        assert self.release.wait(WAIT_S)
        return self.real(*args, **kwargs)
