"""One way every command runs: load, decide, save, fold the views, all in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.base import Actor, Context, MarketplaceAggregate
from domain.rules import DomainError, NotFound, Refusal
from marketplace import idempotency
from marketplace.application import MarketplaceApp
from marketplace.clock import Clock
from marketplace.errors import ConcurrentChange, VersionMismatch
from marketplace.outcome import Outcome
from marketplace.persistence import take_write_lock
from marketplace.projector import Projector

A = TypeVar("A", bound=MarketplaceAggregate)
# What a command changed: one aggregate, or several saved atomically (the first is the subject).
Changed = MarketplaceAggregate | tuple[MarketplaceAggregate, ...]


@dataclass(frozen=True)
class CommandRequest:
    """Who asks, and how: the request's correlation id, Idempotency-Key and If-Match version."""

    actor: Actor
    correlation_id: str = ""
    idempotency_key: str | None = None
    fingerprint: str = ""
    expected_version: int | None = None


class CommandRunner:
    def __init__(self, app: MarketplaceApp, clock: Clock, projector: Projector | None) -> None:
        self.app = app
        self.clock = clock
        self.projector = projector  # None in worker mode: a `marketplace project` process folds

    def create(self, request: CommandRequest, make: Callable[[Context], Changed]) -> Outcome:
        return self._run(request, make)

    def change(
        self,
        request: CommandRequest,
        kind: type[A],
        aggregate_id: UUID,
        act: Callable[[A, Context], Any],
        label: str = "",
    ) -> Outcome:
        """Load, check If-Match, act. `label` is how the user knows the record (for "not found")."""

        def load_and_act(ctx: Context) -> Changed:
            aggregate = self.load(kind, aggregate_id, label=label)
            if request.expected_version is not None and request.expected_version != aggregate.version:
                raise VersionMismatch(request.expected_version, aggregate.version)
            also = act(aggregate, ctx)
            return (aggregate, *also) if isinstance(also, tuple) else aggregate

        return self._run(request, load_and_act)

    def load(self, kind: type[A], aggregate_id: UUID, version: int | None = None, label: str = "") -> A:
        try:
            aggregate: object = self.app.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, kind):
            raise NotFound(kind.__name__.lower(), label or aggregate_id)
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.app.recorder.select_events(aggregate_id, limit=1))

    def _run(self, request: CommandRequest, body: Callable[[Context], Changed]) -> Outcome:
        """Run `body` in one transaction; the first aggregate it returns is the one the outcome names."""
        key = request.idempotency_key
        subject = request.actor.subject
        try:
            with self.app.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
                take_write_lock(session, f"{subject}\n{key}" if key else None)
                if key and (earlier := idempotency.recall(session, subject, key, request.fingerprint)):
                    return earlier
                ctx = Context(request.actor, self.clock.now(), request.correlation_id)
                changed = body(ctx)
                aggregates = changed if isinstance(changed, tuple) else (changed,)
                aggregate = aggregates[0]
                recordings = self.app.save(*aggregates)
                outcome = Outcome(
                    str(aggregate.id), aggregate.version, recordings[-1].notification.id, aggregate=aggregate
                )
                if self.projector is not None:
                    self.projector.fold_recorded(session, recordings)
                if key:
                    idempotency.remember(session, subject, key, request.fingerprint, outcome, ctx.now)
                return outcome
        except IntegrityError:
            if key:
                with self.app.recorder.transaction(commit=False) as session:  # type: ignore[attr-defined]
                    if earlier := idempotency.recall(session, subject, key, request.fingerprint):
                        return earlier
            raise ConcurrentChange() from None


def refuse_duplicate(what: str, key: Any) -> DomainError:
    return DomainError(f"{what} {key} is already registered.", kind=Refusal.DUPLICATE, rule="Unique")
