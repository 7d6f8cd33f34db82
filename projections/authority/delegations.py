"""The scheme of delegation: one row per entry, and the entries in force for a kind of decision, which every
delegated decision reads (in its own transaction, so an entry revoked a moment ago no longer counts)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, Column, DateTime, Index, Numeric, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.authority.delegation import BeyondLimit, Delegation, DelegationStatus
from domain.authority.scheme import Entry
from projections.aggregate_rows import first_row, own_row, taken
from projections.batch import BatchProjection, Folds, Row, utc
from projections.columns import ids, org_ids, version_columns
from projections.engine import metadata
from projections.pagination import fetch_page, one_row

delegations = Table(
    "delegations",
    metadata,
    *ids("id", key=True),
    *org_ids("owner"),
    Column("decision", String(48), nullable=False),
    Column("subjects", JSON, nullable=False),
    Column("teams", JSON, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("source", Text, nullable=False),
    Column("up_to", Numeric(14, 2)),  # none: no limit
    Column("beyond_limit", String(24), nullable=False),  # refused | held-for-approval
    Column("status", String(16), nullable=False),  # in-force | revoked
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    *version_columns(),
    Index("delegations_in_force", "owner", "decision", "status"),
    # the scheme as listed (search_delegations): in the order recorded, or of one decision or one status
    Index("delegations_by_recording", "recorded_at", "id"),
    Index("delegations_by_decision", "decision", "recorded_at", "id"),
    Index("delegations_by_status", "status", "recorded_at", "id"),
)


def _recorded(event: Delegation.Recorded) -> Row:
    return {
        "id": str(event.originator_id),
        **taken(event, "owner", "decision", "source", "up_to", "beyond_limit"),
        "subjects": list(event.subjects),
        "teams": list(event.teams),
        "roles": list(event.roles),
        "status": DelegationStatus.IN_FORCE.value,
        "recorded_at": utc(event.timestamp),
        "events_folded": 0,
    }


class DelegationScheme(BatchProjection):
    name = "delegations"
    tables = (delegations,)
    own_rows = delegations
    follows = (Delegation,)
    folds: Folds = {
        Delegation.Recorded: first_row(delegations, _recorded),
        Delegation.Revoked: own_row(delegations, lambda row, event: {"status": DelegationStatus.REVOKED.value}),
    }


def in_force(session: Session, owner: str, decision: str) -> list[Entry]:
    """The council's entries in force for a kind of decision."""
    t = delegations
    query = select(t).where(t.c.owner == owner, t.c.decision == decision, t.c.status == DelegationStatus.IN_FORCE)
    return [
        Entry(
            row["id"],
            row["subjects"],
            row["teams"],
            row["roles"],
            row["source"],
            None if row["up_to"] is None else Decimal(row["up_to"]),
            holds=row["beyond_limit"] == BeyondLimit.HELD,
        )
        for row in session.execute(query.order_by(t.c.id)).mappings()
    ]


def find_delegation(session: Session, delegation_id: str) -> Row | None:
    return one_row(session, delegations.c.id, delegation_id)


def search_delegations(
    session: Session, decision: str | None, status: str | None, cursor: str | None = None, limit: int = 100
) -> tuple[list[Row], str | None]:
    t = delegations
    query = select(t)
    if decision is not None:
        query = query.where(t.c.decision == decision)
    if status is not None:
        query = query.where(t.c.status == status)
    return fetch_page(session, query, [t.c.recorded_at, t.c.id], cursor, limit)
