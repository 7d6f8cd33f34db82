"""Proposed production changes, monkeypatched into the benchmark process only.

An experiment measures a proposal before anyone edits production code: run e.g.
`python -m bench http --experiment switch-interval` and compare with the plain run.
Nothing here is imported by the service. Experiments that were adopted (group commit,
cached upserts, one position move, the lean existence check, the faster rebuild, a wider
handler pool, uvicorn[standard]) are production code now and were removed from here.

switch-interval
    Under HTTP load the writer thread gives up the GIL on every SQLite call and then
    queues behind the event-loop thread for up to the 5 ms switch interval. The proposal:
    lower the interval to 0.5 ms in the server process (sys.setswitchinterval). Measured
    without effect so far; kept to re-check as the hot path changes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any


@contextmanager
def _switch_interval() -> Iterator[None]:
    original = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        yield
    finally:
        sys.setswitchinterval(original)


EXPERIMENTS: dict[str, Callable[[], Any]] = {
    "switch-interval": _switch_interval,
}


@contextmanager
def applied(names: Sequence[str] | None) -> Iterator[None]:
    with ExitStack() as stack:
        for name in names or ():
            stack.enter_context(EXPERIMENTS[name]())
        yield
