"""Refusals that come from how a command was asked, not from the domain's rules."""

from __future__ import annotations

from domain.rules import DomainError, Refusal


class ConcurrentChange(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "The record was changed by someone else at the same time. Reload it and try again.",
            kind=Refusal.CONFLICT,
            rule="NoConcurrentChange",
        )


class VersionMismatch(DomainError):
    """If-Match named a version that is no longer current (HTTP 412)."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"The record is at version {actual}, not {expected}. Reload it and try again.",
            field="If-Match",
            kind=Refusal.PRECONDITION_FAILED,
            rule="VersionMatches",
        )


class IdempotencyKeyReused(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was already used for a different request.",
            field="Idempotency-Key",
            kind=Refusal.INVALID,
            rule="IdempotencyKeyMatchesRequest",
        )
