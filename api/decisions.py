"""The decision log for auditors and officers: who decided what, when and why; paged, filtered, exported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, MediaType, get
from litestar.di import Provide
from litestar.exceptions import ClientException
from litestar.params import Parameter
from litestar.response import Stream

from api.auth import requires
from api.commanding import BLOCKING
from api.moments import within_calendar
from api.paging import Cursor, Limit
from api.problems import problem_responses
from domain.base import Role
from marketplace.service import Marketplace
from projections.batch import utc
from projections.decisions import AUTHORITY, decision_vocabulary, search_decisions
from projections.spreadsheet import csv_line

READERS = (Role.AUDITOR, Role.COMMISSIONER, Role.ADMIN)
EXPORT_PAGE = 1000

Kind = Annotated[str | None, Parameter(max_length=32, description="organisation, tender, contract, registration, ...")]
DecisionName = Annotated[str | None, Parameter(max_length=64, description="e.g. tender.awarded")]
Subject = Annotated[str | None, Parameter(max_length=200, description="the person who decided")]
Organisation = Annotated[str | None, Parameter(max_length=80, description="the organisation they decided for")]
From = Annotated[
    datetime | None, Parameter(description="decided at or after this time (RFC 3339, with its offset from UTC)")
]
Before = Annotated[
    datetime | None, Parameter(description="decided before this time (RFC 3339, with its offset from UTC)")
]


class DecisionActor(msgspec.Struct):
    subject: str
    organisation: str
    role: str


class DecisionEntry(msgspec.Struct):
    position: int
    decided_at: datetime
    record_kind: str
    record_id: str
    version: int
    decision: str
    summary: str
    actor: DecisionActor
    reason: str
    correlation_id: str
    details: dict[str, Any]
    authority: str | None = None  # the delegation it was made under, with its limit (delegated decisions only)


class DecisionPage(msgspec.Struct):
    items: list[DecisionEntry]
    next_cursor: str | None = None


CSV_COLUMNS = (
    "position",
    "decided_at",
    "record_kind",
    "record_id",
    "version",
    "decision",
    "summary",
    "actor_subject",
    "actor_organisation",
    "actor_role",
    "reason",
    "correlation_id",
    "authority",
)


def _entry(row: dict[str, Any]) -> DecisionEntry:
    return DecisionEntry(
        position=row["position"],
        decided_at=utc(row["decided_at"]),
        record_kind=row["record_kind"],
        record_id=row["record_id"],
        version=row["version"],
        decision=row["decision"],
        summary=row["summary"],
        actor=DecisionActor(row["actor_subject"], row["actor_organisation"], row["actor_role"]),
        reason=row["reason"],
        correlation_id=row["correlation_id"],
        details={k: v for k, v in row["details"].items() if k != AUTHORITY},
        authority=row["details"].get(AUTHORITY),
    )


def decision_filters(  # noqa: PLR0913, PLR0917 - each parameter is one query-string filter, as Litestar reads them
    kind: Kind = None,
    decision: DecisionName = None,
    actor: Subject = None,
    organisation: Organisation = None,
    decided_from: From = None,
    decided_before: Before = None,
) -> dict[str, Any]:
    """The filters the log and its export share, read from the query string; a kind or decision the log
    cannot hold is refused, so a misspelt filter is not mistaken for an empty result."""
    kinds, decisions = decision_vocabulary()
    for field, value, known in (("kind", kind, kinds), ("decision", decision, decisions)):
        if value is not None and value not in known:
            raise ClientException(f"{field} must be one of: {', '.join(sorted(known))}.", extra={"field": field})
    return {
        "record_kind": kind,
        "decision": decision,
        "actor": actor,
        "organisation": organisation,
        "decided_from": within_calendar(decided_from, "decided_from"),
        "decided_before": within_calendar(decided_before, "decided_before"),
    }


class DecisionController(Controller):
    path = "/audit/decisions"
    tags = ["audit"]
    guards = [requires(*READERS)]
    dependencies = {"filters": Provide(decision_filters, sync_to_thread=False)}

    @get(
        summary="The decision log: every decision with who, when, why and what it decided, in the order made",
        responses=problem_responses(400, 401, 403),
        security=[{"bearerAuth": []}],
        **BLOCKING,
    )
    def decisions(
        self,
        market: Marketplace,
        filters: dict[str, Any],
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> DecisionPage:
        with market.views() as session:
            rows, next_cursor = search_decisions(session, **filters, cursor=cursor, limit=limit)
        return DecisionPage([_entry(row) for row in rows], next_cursor)

    @get(
        "/export.csv",
        summary="Every decision the filters select, as CSV: a header, then one row per decision",
        media_type="text/csv",
        responses=problem_responses(400, 401, 403),
        security=[{"bearerAuth": []}],
        **BLOCKING,
    )
    def export_csv(self, market: Marketplace, filters: dict[str, Any]) -> Stream:
        return _download(_csv_lines(_all_rows(market, filters)), "text/csv; charset=utf-8", "decisions.csv")

    @get(
        "/export.json",
        summary="Every decision the filters select, as one JSON array",
        media_type=MediaType.JSON,
        responses=problem_responses(400, 401, 403),
        security=[{"bearerAuth": []}],
        **BLOCKING,
    )
    def export_json(self, market: Marketplace, filters: dict[str, Any]) -> Stream:
        return _download(_json_lines(_all_rows(market, filters)), MediaType.JSON, "decisions.json")


def _all_rows(market: Marketplace, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Page through the log by position: an append-only log pages consistently without one long transaction."""
    cursor: str | None = None
    while True:
        with market.views() as session:
            rows, cursor = search_decisions(session, **filters, cursor=cursor, limit=EXPORT_PAGE)
        yield from rows
        if cursor is None:
            return


def _csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield csv_line(list(CSV_COLUMNS))
    for row in rows:
        cells = {**row, "decided_at": utc(row["decided_at"]), "authority": row["details"].get(AUTHORITY, "")}
        yield csv_line([cells[c] for c in CSV_COLUMNS])


def _json_lines(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    yield b"["
    for index, row in enumerate(rows):
        yield (b"," if index else b"") + msgspec.json.encode(_entry(row))
    yield b"]"


def _download(content: Iterator[str] | Iterator[bytes], media_type: str, filename: str) -> Stream:
    return Stream(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
