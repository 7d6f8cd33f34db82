"""A contract's rules, without a database: its term, variations with reasons, and how it ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rules import DomainError, Refusal
from domain.tendering.contract import Contract, contract_uuid
from domain.tendering.tender import Award
from domain.tendering.terms import ContractTerms, Ending, Variation
from tests.tendering_fixtures import AWARDED_AT, COUNCIL, SUPPLIER, carries, drafted, officer

START, END = date(2026, 5, 1), date(2029, 4, 30)
AWARD = Award("1", "bid-a", SUPPLIER, Decimal("250000.00"), AWARDED_AT, date(2026, 4, 16))
DURING = datetime(2026, 6, 1, 9, 0, tzinfo=AWARDED_AT.tzinfo)
TENDER = drafted()  # its buyer is COUNCIL
TENDER_ID = TENDER.id


def concluded(start: date = START, end: date = END, kpis: list[str] | None = None) -> Contract:
    terms = ContractTerms("1", start, end, kpis or ["Visits on time"])
    return Contract.conclude(officer(DURING), TENDER, AWARD, terms)


def test_a_contract_takes_its_supplier_and_value_from_the_award() -> None:
    contract = concluded(kpis=["  Visits on time ", "", "  ", "Complaints answered in 10 days"])
    assert contract.id == contract_uuid(TENDER_ID, "1")
    assert (contract.supplier, contract.value) == (SUPPLIER, Decimal("250000.00"))
    assert (contract.lot_id, contract.buyer) == ("1", COUNCIL)
    assert contract.kpis == ["Visits on time", "Complaints answered in 10 days"]
    assert contract.status == "active"


@given(st.integers(-2000, 2000))
def test_a_contract_must_end_after_it_starts(days: int) -> None:
    end = START + timedelta(days=days)
    try:
        contract = concluded(end=end)
    except DomainError as refused:
        assert days <= 0
        assert refused.field == "end"
    else:
        assert days > 0 and contract.end == end


# --- variations ---------------------------------------------------------------------------------------------------


def test_a_variation_records_its_reason_and_only_what_changed() -> None:
    contract = concluded()
    contract.collect_events()
    contract.vary(officer(DURING), "  Extra 200 hours a year agreed  ", Variation(value=Decimal("280000.00"), end=END))
    varied = contract.collect_events()[-1]
    assert isinstance(varied, Contract.Varied)
    assert varied.changes == {"value": Decimal("280000.00")} and varied.reason == "Extra 200 hours a year agreed"
    assert contract.value == Decimal("280000.00") and contract.end == END


@pytest.mark.parametrize("reason", ["", "  ", "ok"])
def test_a_variation_without_a_reason_is_refused(reason: str) -> None:
    contract = concluded()
    with pytest.raises(DomainError) as refused:
        contract.vary(officer(DURING), reason, Variation(end=END + timedelta(days=365)))
    assert refused.value.field == "reason" and contract.end == END


@pytest.mark.parametrize(
    "change",
    [Variation(), Variation(value=Decimal("250000.00")), Variation(end=END), Variation(Decimal("250000"), END)],
    ids=["nothing", "same-value", "same-end", "both-the-same"],
)
def test_a_variation_that_changes_nothing_is_refused(change: Variation) -> None:
    with pytest.raises(DomainError, match="changes nothing") as refused:
        concluded().vary(officer(DURING), "Annual review", change)
    assert refused.value.rule == "ChangesSomething"


@pytest.mark.parametrize(
    ("change", "field"),
    [(Variation(end=START), "end"), (Variation(end=START - timedelta(days=1)), "end"),
     (Variation(value=Decimal(-1)), "value"), (Variation(value=Decimal("1.001")), "value")],
)  # fmt: skip
def test_a_variation_keeps_the_terms_valid(change: Variation, field: str) -> None:
    contract = concluded()
    with pytest.raises(DomainError) as refused:
        contract.vary(officer(DURING), "Annual review", change)
    assert refused.value.field == field
    assert (contract.value, contract.end, contract.version) == (Decimal("250000.00"), END, 1)


# --- ending -------------------------------------------------------------------------------------------------------


@given(st.integers(-400, 1500))
def test_termination_takes_effect_within_the_term(offset: int) -> None:
    effective = START + timedelta(days=offset)
    contract = concluded()
    try:
        contract.terminate(officer(DURING), "Persistent failure to staff visits", effective)
    except DomainError as refused:
        assert not START <= effective <= END
        assert refused.field == "effective"
    else:
        assert START <= effective <= END
        assert (contract.status, contract.ended_on) == ("terminated", effective)


def test_termination_is_a_decision_with_a_reason() -> None:
    contract = concluded()
    with pytest.raises(DomainError) as refused:
        contract.terminate(officer(DURING), " ", START)
    assert refused.value.field == "reason" and contract.status == "active"


def test_a_terminated_contract_is_not_varied_and_the_refusal_says_it_is_no_longer_in_force() -> None:
    contract = concluded()
    contract.terminate(officer(DURING), "Persistent failure to staff visits", START + timedelta(days=30))
    with pytest.raises(DomainError) as refused:
        contract.terminate(officer(DURING), "Again", START + timedelta(days=60))
    assert refused.value.message == "Cannot end a contract: the contract is terminated and no longer in force."
    assert (refused.value.rule, refused.value.kind) == ("InForce", Refusal.CONFLICT)


@pytest.mark.parametrize("consultation", ["", "   ", "no"])
def test_decommissioning_requires_a_note_of_how_people_were_consulted(consultation: str) -> None:
    contract = concluded()
    with pytest.raises(DomainError) as refused:
        contract.decommission(officer(DURING), "Service moved to the NHS", Ending(date(2027, 3, 31), consultation))
    assert refused.value.field == "consultation" and contract.status == "active"


def test_a_decommissioned_contract_records_the_consultation() -> None:
    contract = concluded()
    contract.decommission(
        officer(DURING), "Service moved to the NHS", Ending(END, "  Three drop-in sessions in Clun  ")
    )
    ended = contract.collect_events()[-1]
    assert isinstance(ended, Contract.Ended)
    assert (ended.how, ended.effective, ended.consultation) == ("decommissioned", END, "Three drop-in sessions in Clun")
    assert ended.reason == "Service moved to the NHS" and contract.status == "decommissioned"


def test_decommissioning_takes_effect_within_the_term() -> None:
    with pytest.raises(DomainError) as refused:
        concluded().decommission(
            officer(DURING), "Moved to the NHS", Ending(END + timedelta(days=1), "Drop-in sessions")
        )
    assert refused.value.field == "effective"


AFTER_THE_END: dict[str, Callable[[Contract], None]] = {
    "vary": lambda c: c.vary(officer(DURING), "Extension", Variation(end=END + timedelta(days=365))),
    "terminate": lambda c: c.terminate(officer(DURING), "Again", END),
    "decommission": lambda c: c.decommission(officer(DURING), "Again", Ending(END, "Drop-in sessions")),
}


@pytest.mark.parametrize("how", ["terminate", "decommission"])
@pytest.mark.parametrize("then", list(AFTER_THE_END))
def test_nothing_happens_to_a_contract_after_it_ended(how: str, then: str) -> None:
    contract = concluded()
    AFTER_THE_END[how](contract)
    version = contract.version
    with pytest.raises(DomainError) as refused:
        AFTER_THE_END[then](contract)
    assert refused.value.kind is Refusal.CONFLICT and contract.version == version


def test_a_contract_whose_term_has_run_out_is_not_varied() -> None:
    contract = concluded()
    after_expiry = datetime.combine(END + timedelta(days=30), DURING.timetz())
    with pytest.raises(DomainError) as refused:
        contract.vary(officer(after_expiry), "Late extension", Variation(end=END + timedelta(days=365)))
    assert refused.value.kind is Refusal.CONFLICT


# --- every event --------------------------------------------------------------------------------------------------


def test_every_contract_event_carries_its_commands_actor_request_and_time_and_every_decision_its_reason() -> None:
    contexts = [officer(DURING + timedelta(days=d)) for d in range(3)]
    contract = Contract.conclude(contexts[0], TENDER, AWARD, ContractTerms("1", START, END, ["Visits on time"]))
    contract.vary(contexts[1], "Extra hours", Variation(value=Decimal("260000.00")))
    contract.terminate(contexts[2], "Supplier insolvent", date(2026, 12, 31))
    events = contract.collect_events()
    for event, ctx in zip(events, contexts, strict=True):
        assert carries(event, ctx)
    assert [e.reason for e in events[1:]] == ["Extra hours", "Supplier insolvent"]  # type: ignore[attr-defined]
