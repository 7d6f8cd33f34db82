"""Decisions held for approval: one row each, the council's queue of decisions waiting for an officer whose
delegation covers them (domain/authority/held_decision.py), and how each was settled."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Numeric, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.authority.held_decision import HeldDecision, HeldStatus
from projections.aggregate_rows import first_row, own_row, taken
from projections.batch import BatchProjection, Folds, Row, plain, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.pagination import fetch_page, one_row

held_decisions = Table(
    "held_decisions",
    metadata,
    *ids("id", key=True),
    *org_ids("owner"),
    Column("decision", String(48), nullable=False),
    Column("value", Numeric(14, 2), nullable=False),
    Column("record_kind", String(32), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("proposed", JSON, nullable=False),  # the decision's command as proposed (its terms and reason)
    Column("beyond", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("proposed_by", String(200), nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # held | approved | declined | withdrawn
    Column("settled_by", String(200)),
    Column("settled_reason", Text),
    Column("settled_at", DateTime(timezone=True)),
    *version_columns(),
    # the queue (search_held), oldest first: every council's, or one council's, each in one status or any
    Index("held_decisions_by_proposal", "proposed_at", "id"),
    Index("held_decisions_by_status", "status", "proposed_at", "id"),
    Index("held_decisions_by_owner", "owner", "proposed_at", "id"),
    Index("held_decisions_by_owner_status", "owner", "status", "proposed_at", "id"),
)


def _held(event: HeldDecision.Held) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "owner", "decision", "value", "record_kind", "record_id", "beyond", "reason"),
        "proposed": plain(event.command),
        "proposed_by": event.actor.subject,
        "proposed_at": utc(event.timestamp),
        "status": HeldStatus.HELD.value,
        "settled_by": None,
        "settled_reason": None,
        "settled_at": None,
        "events_folded": 0,
    }


def _settled(status: HeldStatus) -> Any:
    def change(row: Row, event: Any) -> Row:
        return {
            "status": status.value,
            "settled_by": event.actor.subject,
            "settled_reason": event.reason,
            "settled_at": utc(event.timestamp),
        }

    return change


class HeldDecisionQueue(BatchProjection):
    name = "held_decisions"
    tables = (held_decisions,)
    own_rows = held_decisions
    follows = (HeldDecision,)
    folds: Folds = {
        HeldDecision.Held: first_row(held_decisions, _held),
        HeldDecision.Approved: own_row(held_decisions, _settled(HeldStatus.APPROVED)),
        HeldDecision.Declined: own_row(held_decisions, _settled(HeldStatus.DECLINED)),
        HeldDecision.Withdrawn: own_row(held_decisions, _settled(HeldStatus.WITHDRAWN)),
    }


def find_held(session: Session, held_id: str) -> Row | None:
    return one_row(session, held_decisions.c.id, held_id)


def search_held(
    session: Session, owner: str | None, status: str | None, cursor: str | None = None, limit: int = 100
) -> tuple[list[Row], str | None]:
    """Oldest first: the queue is worked in the order decisions were held."""
    t = held_decisions
    query = select(t)
    if owner is not None:
        query = query.where(t.c.owner == owner)
    if status is not None:
        query = query.where(t.c.status == status)
    return fetch_page(session, query, [t.c.proposed_at, t.c.id], cursor, limit)
