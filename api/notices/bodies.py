"""What an officer sends to publish a notice, and a notice as everybody reads it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from api.fields import Money, Reason
from domain.notices.drafts import TerminationGround

ContractId = Annotated[str, msgspec.Meta(min_length=1, max_length=36, description="The contract's id.")]
PeriodDay = Annotated[
    date, msgspec.Meta(description="Any day of the period the notice reports: the six months, or the quarter.")
]


class PeriodNoticeBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    day: PeriodDay


class ContractNoticeBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    contract_id: ContractId


class ChangeNoticeBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    contract_id: ContractId
    description: Annotated[str, msgspec.Meta(min_length=3, max_length=2000, description="The modification.")]
    value: Annotated[Money | None, msgspec.Meta(description="The value after it; none keeps it.")] = None
    end: Annotated[date | None, msgspec.Meta(description="The end date after it; none keeps it.")] = None
    voluntary_standstill: Annotated[
        bool, msgspec.Meta(description="Wait eight working days after the notice before the change is made.")
    ] = False


class TerminationNoticeBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    contract_id: ContractId
    terminated_for: TerminationGround
    breach: Annotated[str, msgspec.Meta(max_length=2000, description="For a breach: what was breached.")] = ""


class NamedOfficerView(msgspec.Struct):
    subject: str
    name: str
    job_title: str


class NoticeView(msgspec.Struct):
    id: str
    kind: str
    section: str  # the Act's section and regulation it is published under
    publisher: str
    covers: str
    contract_id: str | None
    content: dict[str, Any]
    approved_by: NamedOfficerView
    reason: str
    published_on: date
    due_by: date | None
    late: bool
    published_at: datetime
    version: int


class NoticePage(msgspec.Struct):
    items: list[NoticeView]
    next_cursor: str | None = None
