"""The letters decisions sent: an organisation reads those it was told, a council's officers those their council
sent, auditors all (marketplace/notifications/access.py). Each says what was decided, why and where to read it,
and whether the mail server took it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter

from api.auth import SIGNED_IN_READS, signed_in_reader
from api.commanding import BLOCKING
from api.paging import Cursor, Limit
from api.problems import problem_responses
from api.rendering import utc, utc_or_none
from domain.rules import NotFound
from marketplace.notifications.reading import LetterQuery, find_letter, search_letters, status_of
from marketplace.service import Marketplace

Organisation = Annotated[str | None, Parameter(max_length=80, description="Letters told to this organisation.")]
RecordFilter = Annotated[str | None, Parameter(max_length=80, description="Letters about this record (its id).")]


class LetterView(msgspec.Struct):
    id: str
    organisation: str  # who was told
    email: str | None  # where it was sent (none on record: not sent)
    sender: str  # whose decision it tells
    decision: str  # as the decision log names it: invoice.disputed
    record_kind: str
    record_id: str
    path: str  # where the record is read
    subject: str
    body: str
    decided_at: datetime
    addressed_at: datetime
    status: str  # queued | sent | no-address | undeliverable
    attempts: int
    sent_at: datetime | None
    failure: str | None  # what the mail server last said, while not sent


class LetterPage(msgspec.Struct):
    items: list[LetterView]
    next: str | None


def _view(row: dict[str, Any]) -> LetterView:
    return LetterView(
        **{name: row[name] for name in ("id", "organisation", "email", "sender", "decision", "record_kind")},
        **{name: row[name] for name in ("record_id", "path", "subject", "body", "attempts", "failure")},
        decided_at=utc(row["decided_at"]),
        addressed_at=utc(row["addressed_at"]),
        status=status_of(row),
        sent_at=utc_or_none(row["sent_at"]),
    )


class NotificationController(Controller):
    path = "/notifications"
    tags = ["notifications"]

    @get(
        summary="The letters you may read, in the order decided",
        **SIGNED_IN_READS,
        **BLOCKING,
        responses=problem_responses(400, 401),
    )
    def list(  # noqa: PLR0913, PLR0917 - a search's optional filters, each a query parameter
        self,
        market: Marketplace,
        request: Request[Any, Any, Any],
        organisation: Organisation = None,
        record: RecordFilter = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> LetterPage:
        with market.views() as session:
            rows, next_cursor = search_letters(
                session, signed_in_reader(request), LetterQuery(organisation, record), cursor, limit
            )
        return LetterPage([_view(row) for row in rows], next_cursor)

    @get(
        "/{letter:str}", summary="One letter", **SIGNED_IN_READS, **BLOCKING, responses=problem_responses(400, 401, 404)
    )
    def read(self, market: Marketplace, request: Request[Any, Any, Any], letter: str) -> LetterView:
        with market.views() as session:
            row = find_letter(session, signed_in_reader(request), letter[:36])
        if row is None:
            raise NotFound("letter", letter[:36])
        return _view(row)
