"""One way every command runs: load, decide, save, fold the views, all in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Recording
from sqlalchemy import bindparam, literal, select
from sqlalchemy.orm import Session

from domain.base import Actor, Context, MarketplaceAggregate, Role
from domain.rules import DomainError, NotFound, Refusal
from marketplace import idempotency
from marketplace.application import MarketplaceApp
from marketplace.clock import Clock
from marketplace.errors import ConcurrentChange, VersionMismatch
from marketplace.group_commit import GroupCommit
from marketplace.latest import LatestRecords
from marketplace.outcome import Outcome
from marketplace.people.access import may_act, standing
from marketplace.persistence import take_write_lock
from marketplace.projector import Projector
from marketplace.settings import Settings

log = logging.getLogger(__name__)
A = TypeVar("A", bound=MarketplaceAggregate)
# What a command changed: one aggregate, or several saved atomically (the first is the subject).
Changed = MarketplaceAggregate | tuple[MarketplaceAggregate, ...]
Job = tuple["CommandRequest", Callable[[Context], Changed]]


@dataclass(frozen=True)
class CommandRequest:
    """Who asks, and how: the request's correlation id, Idempotency-Key and If-Match version."""

    actor: Actor
    correlation_id: str = ""
    idempotency_key: str | None = None
    fingerprint: str = ""
    expected_version: int | None = None


CHRONOGRAPH = Actor("chronograph", "", Role.SYSTEM)  # the clock, recording deadlines as they pass


def by_the_clock() -> CommandRequest:
    """A command the clock makes (a deadline passing), not a person."""
    return CommandRequest(CHRONOGRAPH, correlation_id="chronograph")


def each_by_the_clock(ids: list[str], command: Callable[[CommandRequest, UUID], Outcome], what: str) -> int:
    """Run the clock's command on each record due; how many it moved (one someone settled meanwhile, or lost in a
    race, is passed over and logged)."""
    moved = 0
    for found in ids:
        try:
            command(by_the_clock(), UUID(found))
            moved += 1
        except DomainError as refused:
            log.info("%s %s not moved: %s", what, found, refused)
    return moved


class CommandRunner:
    def __init__(
        self,
        app: MarketplaceApp,
        clock: Clock,
        projector: Projector | None,
        settings: Settings,
    ) -> None:
        self.app = app
        self.latest = LatestRecords(app)  # records at their latest version, folding only what is new
        self.dev_tokens = settings.dev_tokens  # whether someone not in the people registers acts on a token's word
        self.clock = clock
        self.remember_keys_for = timedelta(hours=settings.idempotency_hours)  # an Idempotency-Key's first outcome
        self.projector = projector  # None in worker mode: a `marketplace project` process folds
        self._group = GroupCommit(self._run_together, self._run_alone) if settings.group_commit else None
        events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        self._exists = select(literal(1)).select_from(events).where(events.c.originator_id == bindparam("id")).limit(1)

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
            if version is None:
                aggregate: object = self.latest.get(aggregate_id)
            else:
                aggregate = self.app.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, kind):
            raise NotFound(kind.__name__.lower(), label or aggregate_id)
        return aggregate

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate, or None when there is none of this kind with this id."""
        try:
            return self.load(kind, aggregate_id)
        except NotFound:
            return None

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether any event exists for this id (in the command's own transaction when there is one)."""
        with self.app.recorder.transaction(commit=False) as session:  # type: ignore[attr-defined]
            return session.execute(self._exists, {"id": aggregate_id}).first() is not None

    def close(self) -> None:
        if self._group is not None:
            self._group.close()

    def _run(self, request: CommandRequest, body: Callable[[Context], Changed]) -> Outcome:
        """Run `body` and save what it changed; the first aggregate it returns is the one the outcome names."""
        if self._group is None or self._group.is_writer:
            return self._run_alone((request, body))
        return self._group.submit((request, body))

    def _run_alone(self, job: Job) -> Outcome:
        request, _ = job
        try:
            with self.latest.holding(), self.app.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
                outcome, recordings = self._execute(session, job)
                if self.projector is not None and recordings:
                    self.projector.fold_recorded(session, recordings)
                return outcome
        except IntegrityError:
            if request.idempotency_key:
                with self.app.recorder.transaction(commit=False) as session:  # type: ignore[attr-defined]
                    if earlier := self._recall(session, request):
                        return earlier
            raise ConcurrentChange() from None

    def _run_together(self, jobs: list[Job]) -> list[Outcome | BaseException] | None:
        """One transaction for the group; a rule's refusal answers that job only. None: run each alone."""
        answers: list[Outcome | BaseException] = []
        recorded: list[Recording[Any]] = []
        try:
            with self.latest.holding(), self.app.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
                for job in jobs:
                    try:
                        outcome, recordings = self._execute(session, job)
                    except DomainError as refusal:  # decided before anything was written
                        answers.append(refusal)
                        continue
                    answers.append(outcome)
                    recorded.extend(recordings)
                if self.projector is not None and recorded:
                    self.projector.fold_recorded(session, recorded)
        except Exception:
            return None
        return answers

    def _execute(self, session: Session, job: Job) -> tuple[Outcome, list[Recording[Any]]]:
        """Recall the Idempotency-Key, decide, save, remember: the part of a command inside a transaction."""
        request, body = job
        key = request.idempotency_key
        take_write_lock(session, idempotency.lock_name(request.actor, key) if key else None)
        if key and (earlier := self._recall(session, request)):
            return earlier, []
        self._check_standing(session, request.actor)
        ctx = Context(request.actor, self.clock.now(), request.correlation_id)
        changed = body(ctx)
        aggregates = changed if isinstance(changed, tuple) else (changed,)
        recordings = self.app.save(*aggregates)
        subject_aggregate = aggregates[0]
        outcome = Outcome(
            str(subject_aggregate.id),
            subject_aggregate.version,
            recordings[-1].notification.id,
            aggregate=subject_aggregate,
        )
        if key:
            idempotency.remember(session, idempotency.Claim(request.actor, key, request.fingerprint), outcome, ctx.now)
        return outcome, recordings

    def _check_standing(self, session: Session, actor: Actor) -> None:
        """Someone who left may not act from that moment, whatever their token says; with development tokens off,
        only registered, active people act (marketplace/people/access.py). Read in the command's own transaction."""
        refusal = may_act(standing(session, actor), self.dev_tokens)
        if refusal is not None:
            raise DomainError(refusal, kind=Refusal.FORBIDDEN, rule="PersonStanding")

    def _recall(self, session: Session, request: CommandRequest) -> Outcome | None:
        """The first outcome of this caller's request under its Idempotency-Key, while remembered."""
        assert request.idempotency_key is not None
        claim = idempotency.Claim(request.actor, request.idempotency_key, request.fingerprint)
        return idempotency.recall(session, claim, self.clock.now(), self.remember_keys_for)


def refuse_duplicate(what: str, key: Any) -> DomainError:
    return DomainError(f"{what} {key} is already registered.", kind=Refusal.DUPLICATE, rule="Unique")
