"""The notices the Procurement Act 2023 asks the council to publish: payments compliance (s.69), payments over
£30,000 (s.70), contract performance (s.71), contract change (s.75) and contract termination (s.80). Officers
publish them, each approved by the named officer publishing it; everybody reads them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from sqlalchemy.orm import Session

from api.as_it_stood import Asked, AsOf, Version, read_record, reads_as_it_stood
from api.commanding import BLOCKING, answer, command_request, record_id, writes
from api.moments import day_within_calendar
from api.notices.bodies import (
    ChangeNoticeBody,
    ContractNoticeBody,
    NamedOfficerView,
    NoticePage,
    NoticeView,
    PeriodNoticeBody,
    TerminationNoticeBody,
)
from api.paging import Cursor, Limit
from api.payments.presenters import performance_names
from api.problems import problem_responses
from api.rendering import utc
from domain.notices.drafts import Announced, Termination
from domain.notices.notice import SECTIONS, Notice, NoticeKind
from domain.tendering.terms import Variation
from marketplace.notices.access import PUBLISH_NOTICE
from marketplace.notices.services import Notices
from marketplace.outcome import Outcome
from marketplace.service import Marketplace
from projections.batch import plain
from projections.notices.notices import NoticeQuery, find_notice, search_notices

notice_id = record_id("notice")
contract_id = record_id("contract")
Publisher = Annotated[str | None, Parameter(max_length=80, description="The council that published it.")]
ContractFilter = Annotated[str | None, Parameter(max_length=36, description="Notices about this contract.")]


def _said(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    """A notice's content under the API's names: the payments compliance figures as GET /payment-performance
    names them."""
    return performance_names(content) if kind == NoticeKind.PAYMENTS_COMPLIANCE else content


def _from_row(row: dict[str, Any]) -> NoticeView:
    return NoticeView(
        id=row["id"],
        kind=row["kind"],
        section=SECTIONS[NoticeKind(row["kind"])],
        publisher=row["publisher"],
        covers=row["covers"],
        contract_id=row["contract_id"],
        content=_said(row["kind"], dict(row["content"])),
        approved_by=NamedOfficerView(**row["approved_by"]),
        reason=row["reason"],
        published_on=row["published_on"],
        due_by=row["due_by"],
        late=bool(row["late"]),
        published_at=utc(row["published_at"]),
        version=row["version"],
    )


def _from_aggregate(notice: Notice) -> NoticeView:
    officer = notice.approved_by
    return NoticeView(
        id=str(notice.id),
        kind=notice.kind,
        section=notice.section,
        publisher=notice.publisher,
        covers=notice.covers,
        contract_id=notice.contract_id or None,
        content=_said(notice.kind, plain(notice.content)),
        approved_by=NamedOfficerView(officer.subject, officer.name, officer.job_title),
        reason=notice.reason,
        published_on=notice.published_on,
        due_by=notice.due_by,
        late=notice.late,
        published_at=utc(notice.created_on),
        version=notice.version,
    )


def _published(market: Marketplace, outcome: Outcome) -> Response[NoticeView]:
    return answer(market, outcome, Notice, _from_aggregate, lambda n: f"/notices/{n.id}")


PUBLISHES = writes(PUBLISH_NOTICE, created=True)


class NoticeController(Controller):
    path = "/notices"
    tags = ["notices"]

    @get(summary="The notices published, in the order published (public)", responses=problem_responses(400), **BLOCKING)
    def list(  # noqa: PLR0913, PLR0917 - a search's optional filters, each a query parameter
        self,
        market: Marketplace,
        kind: NoticeKind | None = None,
        publisher: Publisher = None,
        contract: ContractFilter = None,
        cursor: Cursor = None,
        limit: Limit = 100,
    ) -> NoticePage:
        asked = NoticeQuery(kind.value if kind else None, publisher, contract)
        with market.views() as session:
            rows, next_cursor = search_notices(session, asked, cursor, limit)
        return NoticePage([_from_row(row) for row in rows], next_cursor)

    @get("/{notice:str}", summary="One notice, now or as it stood (public)", **reads_as_it_stood(400, 404))
    def read(
        self, market: Marketplace, notice: str, version: Version = None, as_of: AsOf = None
    ) -> Response[NoticeView]:
        def now(session: Session) -> tuple[NoticeView, int] | None:
            row = find_notice(session, str(notice_id(notice)))
            return None if row is None else (_from_row(row), row["version"])

        asked = Asked(Notice, notice_id(notice), "notice", notice)
        return read_record(market, asked, version, as_of, then=lambda s: _from_aggregate(s.aggregate), now=now)

    @post("/payments-compliance", summary="Publish the payments compliance notice for a six-month period", **PUBLISHES)
    def payments_compliance(
        self, market: Marketplace, request: Request[Any, Any, Any], data: PeriodNoticeBody
    ) -> Response[NoticeView]:
        day = day_within_calendar(data.day, "day") or data.day
        outcome = market.service(Notices).payments_compliance(command_request(request, data), day, data.reason)
        return _published(market, outcome)

    @post("/payments-over-30000", summary="Publish a quarter's payments of more than £30,000", **PUBLISHES)
    def payments_over_30000(
        self, market: Marketplace, request: Request[Any, Any, Any], data: PeriodNoticeBody
    ) -> Response[NoticeView]:
        day = day_within_calendar(data.day, "day") or data.day
        outcome = market.service(Notices).payments_over_30000(command_request(request, data), day, data.reason)
        return _published(market, outcome)

    @post("/contract-performance", summary="Publish a contract's performance against its KPIs", **PUBLISHES)
    def contract_performance(
        self, market: Marketplace, request: Request[Any, Any, Any], data: ContractNoticeBody
    ) -> Response[NoticeView]:
        outcome = market.service(Notices).contract_performance(
            command_request(request, data), contract_id(data.contract_id), data.reason
        )
        return _published(market, outcome)

    @post("/contract-change", summary="Announce a contract modification before it is made", **PUBLISHES)
    def contract_change(
        self, market: Marketplace, request: Request[Any, Any, Any], data: ChangeNoticeBody
    ) -> Response[NoticeView]:
        variation = Variation(data.value, day_within_calendar(data.end, "end"))
        outcome = market.service(Notices).contract_change(
            command_request(request, data),
            contract_id(data.contract_id),
            data.reason,
            variation,
            Announced(data.description, data.voluntary_standstill),
        )
        return _published(market, outcome)

    @post("/contract-termination", summary="Publish how and why a contract ended early", **PUBLISHES)
    def contract_termination(
        self, market: Marketplace, request: Request[Any, Any, Any], data: TerminationNoticeBody
    ) -> Response[NoticeView]:
        outcome = market.service(Notices).contract_termination(
            command_request(request, data),
            contract_id(data.contract_id),
            data.reason,
            Termination(data.terminated_for.value, data.breach),
        )
        return _published(market, outcome)
