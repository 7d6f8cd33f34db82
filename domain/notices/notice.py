"""A notice the council publishes under the Procurement Act 2023: fixed when published, approved by a named
officer, and public from that moment (the open data of payments, performance, changes and terminations).

Lifecycle: published, once: a notice is never edited (one for the same period or the same ending is refused as a
duplicate), since what it told the public stays what it told them. What each kind says, and the rules before it may
be published, are domain/notices/drafts.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Context, MarketplaceAggregate
from domain.notices.content import Content, NamedOfficer
from domain.rules import ReasonGiven, check

NOTICES = uuid5(NAMESPACE_URL, "https://marketplace.invalid/notices")


class NoticeKind(StrEnum):
    PAYMENTS_COMPLIANCE = "payments-compliance"  # PA2023 s.69, regulation 38
    PAYMENTS_OVER_30000 = "payments-over-30000"  # s.70
    CONTRACT_PERFORMANCE = "contract-performance"  # s.71, regulation 39
    CONTRACT_CHANGE = "contract-change"  # s.75, regulation 40
    CONTRACT_TERMINATION = "contract-termination"  # s.80, regulation 41


SECTIONS = {
    NoticeKind.PAYMENTS_COMPLIANCE: "Procurement Act 2023 s.69; SI 2024/692 regulation 38",
    NoticeKind.PAYMENTS_OVER_30000: "Procurement Act 2023 s.70",
    NoticeKind.CONTRACT_PERFORMANCE: "Procurement Act 2023 s.71; SI 2024/692 regulation 39",
    NoticeKind.CONTRACT_CHANGE: "Procurement Act 2023 s.75; SI 2024/692 regulation 40",
    NoticeKind.CONTRACT_TERMINATION: "Procurement Act 2023 s.80; SI 2024/692 regulation 41",
}


@dataclass(frozen=True)
class Draft:
    """A notice ready to publish: its kind, what it covers (a period, or a contract and the occasion), the
    contract it is about, what it says, and the day the law wants it by (None: before the change it announces)."""

    kind: NoticeKind
    covers: str
    contract_id: str
    content: Content
    due_by: date | None = None


def notice_uuid(publisher: str, kind: str, covers: str) -> UUID:
    """One notice of a kind for what it covers: the same period's, or the same ending's, is a duplicate."""
    return uuid5(NOTICES, f"{publisher}:{kind}:{covers}")


class Notice(MarketplaceAggregate):
    publisher: str  # the council
    reason: str  # the approving officer's
    kind: str
    covers: str
    contract_id: str
    content: Content
    approved_by: NamedOfficer
    published_on: date
    due_by: date | None

    class Published(MarketplaceAggregate.Created, MarketplaceAggregate.Decision):
        publisher: str
        kind: str
        covers: str
        contract_id: str
        content: Content
        approved_by: NamedOfficer
        published_on: date
        due_by: date | None

        def summary(self) -> str:
            return f"{self.kind} notice published for {self.covers}, approved by {self.approved_by.name}"

    @classmethod
    def publish(cls, ctx: Context, reason: str, draft: Draft, officer: NamedOfficer) -> Notice:
        """The notice as drafted, approved by the officer publishing it, who must say why."""
        check(ReasonGiven(reason))
        return cls._create(
            cls.Published,
            id=notice_uuid(ctx.actor.organisation, draft.kind, draft.covers),
            **ctx.stamp(),
            reason=reason.strip(),
            publisher=ctx.actor.organisation,
            kind=draft.kind.value,
            covers=draft.covers,
            contract_id=draft.contract_id,
            content=draft.content,
            approved_by=officer,
            published_on=ctx.today,
            due_by=draft.due_by,
        )

    @property
    def section(self) -> str:
        return SECTIONS[NoticeKind(self.kind)]

    @property
    def late(self) -> bool:
        """Published after the day the law wanted it by."""
        return self.due_by is not None and self.published_on > self.due_by
