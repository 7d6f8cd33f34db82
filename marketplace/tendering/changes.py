"""What the law asks of a variation of this contract (domain/tendering/modification.py): whether it is a public
contract and whether works, from its tender; and the contract change notice the variation names, read from the
notice as published."""

from __future__ import annotations

from uuid import UUID

from domain.notices.content import ContractChange
from domain.notices.notice import Notice, NoticeKind
from domain.rules import DomainError
from domain.tendering.contract import Contract
from domain.tendering.modification import ChangeRegime, NoticedChange
from domain.tendering.procurement import Category
from domain.tendering.tender import Tender
from domain.tendering.terms import Variation
from marketplace.commands import CommandRunner


def change_regime(commands: CommandRunner, contract: Contract, variation: Variation) -> ChangeRegime:
    tender = commands.load(Tender, UUID(contract.tender_id))
    noticed = _noticed(commands, contract, variation.change_notice) if variation.change_notice else None
    return ChangeRegime(tender.above_threshold, tender.category == Category.WORKS, noticed)


def _noticed(commands: CommandRunner, contract: Contract, notice_id: str) -> NoticedChange:
    """The change notice the variation names: published for this contract, a change notice."""
    try:
        notice = commands.find(Notice, UUID(notice_id))
    except ValueError:
        notice = None
    if notice is None or notice.kind != NoticeKind.CONTRACT_CHANGE or notice.contract_id != str(contract.id):
        raise DomainError(
            f"No contract change notice {notice_id} has been published for this contract.",
            field="change_notice",
            rule="ChangeNoticePublished",
        )
    change = notice.content
    assert isinstance(change, ContractChange)
    return NoticedChange(str(notice.id), change.value_after, change.end_after, change.standstill_ends)
