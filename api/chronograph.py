"""`serve` runs the chronograph in the background: deadlines are recorded as they pass, and every
`checkpoint_seconds` the audit chain's head is signed as a checkpoint if it moved (marketplace/checkpoints.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import anyio.to_thread

from marketplace.checkpoints import Signer, sign_checkpoint
from marketplace.scheduler import tick
from marketplace.service import Marketplace

log = logging.getLogger(__name__)


class Chronograph:
    def __init__(self, market: Marketplace, every_seconds: float) -> None:
        self.market = market
        self.every = every_seconds
        self.checkpoint_every = market.settings.checkpoint_seconds
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if self.every > 0:
            self._tasks.append(asyncio.create_task(self._run()))
        if self.checkpoint_every > 0:
            self._tasks.append(asyncio.create_task(self._sign_checkpoints()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(tick, self.market)
            except Exception:  # a failed tick is retried on the next one; the rules obey the clock anyway
                log.exception("chronograph tick failed")
            await asyncio.sleep(self.every)

    async def _sign_checkpoints(self) -> None:
        """Sign after each interval, not at start: a restart signs nothing until the interval has passed."""
        signer: Signer | None = None
        while True:
            await asyncio.sleep(self.checkpoint_every)
            try:
                if signer is None:  # the key is read (or the development key made) only when first needed
                    signer = await anyio.to_thread.run_sync(Signer.from_settings, self.market.settings)
                await anyio.to_thread.run_sync(sign_checkpoint, self.market, signer)
            except Exception:  # retried after the next interval; outsiders' kept checkpoints are unaffected
                log.exception("signing a checkpoint failed")
