"""`serve` runs the chronograph in the background: deadlines are recorded as they pass, every `post_seconds` the
postman addresses and sends the letters decisions ask for (marketplace/notifications/), and every
`checkpoint_seconds` the audit chain's head is signed as a checkpoint if it moved (marketplace/checkpoints.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import anyio.to_thread

from marketplace.checkpoints import Signer, sign_checkpoint
from marketplace.notifications.post import post
from marketplace.scheduler import tick
from marketplace.service import Marketplace

log = logging.getLogger(__name__)


class Chronograph:
    def __init__(self, market: Marketplace, every_seconds: float) -> None:
        self.market = market
        self.every = every_seconds
        self.checkpoint_every = market.settings.checkpoint_seconds
        self.post_every = market.settings.mail.post_seconds
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if self.every > 0:
            self._tasks.append(asyncio.create_task(self._run()))
        if self.checkpoint_every > 0:
            self._tasks.append(asyncio.create_task(self._sign_checkpoints()))
        if self.post_every > 0:
            self._tasks.append(asyncio.create_task(self._post()))

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

    async def _post(self) -> None:
        """After each interval, not at start: a server that starts and stops at once (a test, a migration) posts
        nothing; one left running posts within the interval of each decision."""
        while True:
            await asyncio.sleep(self.post_every)
            try:
                await anyio.to_thread.run_sync(post, self.market)
            except Exception:  # the letters wait in the table; the next round addresses and sends them
                log.exception("posting letters failed")

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
