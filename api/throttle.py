"""Write back-off: each caller may sustain `write_rate` writes a second, with `write_burst` at once.

A caller is a signed-in actor: organisation, subject and role together, so one person's script cannot
crowd out their colleagues. Only writes (POST, PUT, PATCH, DELETE) count; reads are never limited.
Anonymous and badly signed writes are not counted: the bearer middleware and the guards refuse them
(401) before they cost anything. The buckets live in this process: with N API workers a caller may
reach N times the rate, which still bounds it; a shared limit would need a shared store.
"""

from __future__ import annotations

import math
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Receive, Scope, Send

from domain.base import Actor

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_CALLERS = 10_000  # buckets kept before the full (idle) ones are dropped


class TokenBucket:
    """Holds up to `burst` tokens, refilled at `rate` a second; a write takes one."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.stamp = float(burst), now

    def take(self, now: float) -> float:
        """Take a token: 0.0 when one was there, else the seconds until one will be (nothing is taken)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.stamp) * self.rate >= self.burst


class WriteLimits:
    """Every caller's bucket, shared by all routes (Litestar builds a middleware instance per route)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, max(1, burst)
        self.buckets: dict[tuple[str, str, str], TokenBucket] = {}

    def admit(self, actor: Actor) -> None:
        """Take one of the caller's tokens, or refuse with 429 and the whole seconds until one is due."""
        now = time.monotonic()
        key = (actor.organisation, actor.subject, actor.role.value)
        bucket = self.buckets.get(key)
        if bucket is None:
            self.forget_idle(now)
            bucket = self.buckets[key] = TokenBucket(self.rate, self.burst, now)
        wait = bucket.take(now)
        if wait:
            retry = max(1, math.ceil(wait))
            raise TooManyRequestsException(
                f"Too many writes: each caller may send {self.rate:g} a second, {self.burst} at once. "
                f"Try again in {retry} s.",
                headers={"Retry-After": str(retry)},
            )

    def forget_idle(self, now: float) -> None:
        """Bound the memory: once there are many callers, drop the buckets that have refilled (no state lost)."""
        if len(self.buckets) >= MAX_CALLERS:
            for key in [key for key, bucket in self.buckets.items() if bucket.full(now)]:
                del self.buckets[key]


class WriteThrottle:
    """ASGI middleware, after the bearer middleware: a signed-in caller's write takes a token or is refused."""

    def __init__(self, app: ASGIApp, limits: WriteLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["method"] in WRITES:
            user: Any = scope.get("user")
            if isinstance(user, Actor):
                self.limits.admit(user)
        await self.app(scope, receive, send)


def write_limit(rate: float, burst: int) -> str:
    """The limit as the OpenAPI description states it."""
    if rate <= 0:
        return "Writes are not rate-limited."
    return (
        f"Writes are limited per caller (token organisation, subject and role) to {rate:g} writes a second "
        f"with bursts of {burst}, in each API process; beyond that: 429 with Retry-After (seconds)."
    )
