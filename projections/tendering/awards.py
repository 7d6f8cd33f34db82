"""Award notices, one per awarded lot, and the supplier-mix figures the council reports from them.

Each notice keeps the supplier as it stood at award (size, VCSE status, district), so later
changes to an organisation's details never rewrite what was awarded to whom.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Column, Date, DateTime, Index, Numeric, String, Table, Text, select
from sqlalchemy.orm import Session

from domain.organisations.organisation import SizeClass
from domain.tendering.tender import Tender
from projections.batch import BatchProjection, Folds, Row, Touched, originators, utc
from projections.columns import ids
from projections.engine import Envelope, metadata
from projections.pagination import fetch_page
from projections.tendering.suppliers import supplier_columns, supplier_values

awards = Table(
    "awards",
    metadata,
    *ids("tender_id", key=True),
    Column("lot_id", String(64), primary_key=True),
    *ids("bid_id"),
    *supplier_columns(),
    Column("value", Numeric(14, 2), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("standstill_ends", Date),  # the last day of standstill; none when none applies
    Column("reason", Text, nullable=False),
    Column("contract_id", String(36)),  # set when the contract is concluded
    Index("awards_by_decision", "decided_at", "tender_id", "lot_id"),
)


def fold_award(touched: Touched, event: Tender.Awarded) -> None:
    award, supplier = event.award, event.award.supplier
    touched[awards.name].put(
        {
            "tender_id": str(event.originator_id),
            "lot_id": award.lot_id,
            "bid_id": award.bid_id,
            **supplier_values(supplier),
            "value": award.value,
            "decided_at": utc(award.decided_at),
            "standstill_ends": award.standstill_ends,
            "reason": event.reason,
            "contract_id": None,
        }
    )


def fold_contract(touched: Touched, event: Tender.ContractConcluded) -> None:
    rows = touched[awards.name]
    rows.put({**rows[(str(event.originator_id), event.lot_id)], "contract_id": event.contract_id})


class AwardNotices(BatchProjection):
    name = "awards"
    tables = (awards,)
    follows = (Tender,)
    folds: Folds = {Tender.Awarded: fold_award, Tender.ContractConcluded: fold_contract}
    ignores = (  # a notice is of an award as decided: what came before it, or after, never changes it
        Tender.Drafted,
        Tender.Revised,
        Tender.ConflictsAssessmentRecorded,
        Tender.Published,
        Tender.QuestionAsked,
        Tender.QuestionAnswered,
        Tender.Amended,
        Tender.TenderingClosed,
        Tender.BidsOpened,
        Tender.StandstillEnded,  # the notice already says when the standstill ends
        Tender.LotCancelled,
        Tender.Cancelled,
    )

    def load(self, session: Session, touched: Touched, batch: Sequence[Envelope]) -> None:
        touched[awards.name].load(session, "tender_id", originators(batch, Tender.ContractConcluded))


def award_notices(
    session: Session, cursor: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], str | None]:
    """Every award in the order decided, one keyset page at a time."""
    order = [awards.c.decided_at, awards.c.tender_id, awards.c.lot_id]
    return fetch_page(session, select(awards), order, cursor, limit)


def awards_for_tender(session: Session, tender_id: str) -> list[dict[str, Any]]:
    query = select(awards).where(awards.c.tender_id == tender_id).order_by(awards.c.lot_id)
    return [dict(row) for row in session.execute(query).mappings()]


SME = frozenset({SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM})
SHARE = Decimal("0.0001")


def postcode_area(district: str) -> str:
    """The letters of a postcode district (SY of SY3): local means in one of the council's areas."""
    match = re.match(r"[A-Z]+", district.upper())
    return match.group() if match else ""


def _share(part: Decimal, whole: Decimal) -> str:
    return str((part / whole if whole else Decimal(0)).quantize(SHARE, ROUND_HALF_UP))


def _group(rows: list[Row], count: int, value: Decimal) -> dict[str, Any]:
    part = sum((row["value"] for row in rows), Decimal(0))
    return {
        "count": len(rows),
        "value": str(part.quantize(Decimal("0.01"))),
        "share_of_awards": _share(Decimal(len(rows)), Decimal(count)),
        "share_of_value": _share(part, value),
    }


def supplier_mix(session: Session, local_prefixes: tuple[str, ...] = ("SY", "TF")) -> dict[str, Any]:
    """Who the council's awards went to: SMEs, VCSEs, micro businesses and local suppliers, by count and value."""
    columns = (awards.c.supplier_size, awards.c.supplier_vcse, awards.c.supplier_district, awards.c.value)
    rows = [dict(row) for row in session.execute(select(*columns)).mappings()]
    areas = {prefix.strip().upper() for prefix in local_prefixes}
    count, value = len(rows), sum((row["value"] for row in rows), Decimal(0))
    groups = {
        "sme": [row for row in rows if row["supplier_size"] in SME],
        "vcse": [row for row in rows if row["supplier_vcse"]],
        "micro": [row for row in rows if row["supplier_size"] == SizeClass.MICRO],
        "local": [row for row in rows if postcode_area(row["supplier_district"]) in areas],
    }
    totals = {"count": count, "value": str(value.quantize(Decimal("0.01")))}
    return {**totals, **{name: _group(members, count, value) for name, members in groups.items()}}
