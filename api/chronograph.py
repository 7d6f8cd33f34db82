"""`serve` runs the chronograph in the background: deadlines are recorded as they pass."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import anyio.to_thread

from marketplace.scheduler import tick
from marketplace.service import Marketplace

log = logging.getLogger(__name__)


class Chronograph:
    def __init__(self, market: Marketplace, every_seconds: float) -> None:
        self.market = market
        self.every = every_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.every > 0:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(tick, self.market)
            except Exception:  # a failed tick is retried on the next one; the rules obey the clock anyway
                log.exception("chronograph tick failed")
            await asyncio.sleep(self.every)
