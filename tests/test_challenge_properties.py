"""Properties of the Community Right to Challenge, on the aggregates alone (no database): the days the council's
periods give across bank holidays and month ends, the windows an expression of interest must come in, the legal
forms of a relevant body (Localism Act 2011 s.81(6)), and the statutory grounds a rejection needs (SI 2012/1647)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.base import Actor, Context, Role
from domain.challenge.council_service import CouncilService
from domain.challenge.expression import ExpressionOfInterest
from domain.challenge.rules import RELEVANT_LEGAL_FORMS
from domain.challenge.terms import Body, Counting, Ground, Member, Periods, Rejection, Window
from domain.organisations.organisation import LegalForm
from domain.rules import DomainError
from domain.working_days import easter_sunday, is_working_day, working_days_between
from tests.challenge_fixtures import interest, service_terms, staff_interest

COUNCIL = "GB-LAE-SHR"
OFFICER = Actor("cathy", COUNCIL, Role.COMMISSIONER)
ORGANISATION = "GB-CHC-1234567"
STAFF = "360G-SHR-staff-libraries"
FIRST, LAST = date(2025, 1, 1), date(2030, 12, 31)
EARLY = date(2024, 1, 2)  # when the service is registered and its windows published: before any of them
YEARS = range(FIRST.year, LAST.year + 1)
FAST = settings(max_examples=80, deadline=None, database=None)  # the slow run below tries many more
HEAVY = settings(max_examples=3000, deadline=None, database=None)

# s.81(6) as it reads: (a) a voluntary or community body (not carried on for profit, s.81(8): a company limited by
# guarantee, a community interest company, a community benefit society, an unincorporated association), (b) a body
# or trust established for charitable purposes only, (c) a parish council; (d) two or more employees need no form.
# A co-operative (its profit its members'), a company, a partner, a sole trader or a public body is none of these.
STATUTE = frozenset(
    {
        "company-limited-by-guarantee",
        "community-interest-company",
        "community-benefit-society",
        "unincorporated-association",
        "charitable-trust",
        "charitable-incorporated-organisation",
        "parish-council",
    }
)


def on(day: date, actor: Actor = OFFICER) -> Context:
    return Context(actor, datetime.combine(day, time(12), UTC), "property")


def as_body(day: date, identifier: str = ORGANISATION) -> Context:
    return on(day, Actor(f"{identifier}-lead", identifier, Role.PROVIDER))


def awkward_days() -> list[date]:
    """Month ends, Christmas to New Year, and Easter from Maundy Thursday to Easter Tuesday, each year."""
    days = []
    for year in YEARS:
        days += [date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1) for month in range(1, 13)]
        days += [date(year, 12, day) for day in range(23, 32)]
        easter = easter_sunday(year)
        days += [easter + timedelta(days=n) for n in range(-3, 3)]
    return days


DAYS = st.one_of(st.dates(FIRST, LAST), st.sampled_from(awkward_days()))


@st.composite
def periods(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Periods:
    within = draw(st.integers(1, 400))
    return Periods(
        decide_within=draw(st.integers(1, 400)),
        procure_after=draw(st.integers(0, within)),
        procure_within=within,
        counted_in=draw(st.sampled_from([Counting.CALENDAR.value, Counting.WORKING.value])),
    )


def counted(start: date, days: int, counting: str) -> date:
    """The oracle: `days` calendar days after `start`, or the day the `days`-th working day after it falls on."""
    if counting == Counting.CALENDAR:
        return start + timedelta(days=days)
    day = start
    while days:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day


def service_on(day: date, stated: Periods) -> CouncilService:
    return CouncilService.register(on(day), COUNCIL, service_terms(periods=stated))


def organisation(legal_form: str = "charitable-trust") -> Body:
    return Body(ORGANISATION, "Ludlow Befrienders", legal_form, True)


def submitted(service: CouncilService, day: date) -> ExpressionOfInterest:
    return ExpressionOfInterest.submit(as_body(day), service, organisation(), interest(service.id))


# --- (1) windows and deadlines across bank holidays and month ends ---------------------------------------------


def deadlines_are_the_stated_days_after(
    stated: Periods, day: date, window: tuple[int, int] | None, own: bool, decided_after: int
) -> None:
    service = service_on(EARLY, stated)
    closes = day
    if window is not None:  # open `before` days before the submission, closing `after` days after it
        before, after = window
        closes = day + timedelta(days=after)
        window_periods = Periods(7, 0, 14, Counting.WORKING.value) if own else None
        window_opens = day - timedelta(days=before)
        service.publish_window(on(EARLY), "Cabinet agreed.", Window(window_opens, closes, window_periods))
    expression = submitted(service, day)
    applied = expression.periods
    assert applied == (Periods(7, 0, 14, Counting.WORKING.value) if window is not None and own else stated)
    assert expression.decision_due == counted(closes, applied.decide_within, applied.counted_in)
    assert expression.decision_due > day  # never before submission (nor on it: a decision takes a day at least)
    if applied.counted_in == Counting.WORKING:
        assert is_working_day(expression.decision_due)
        assert working_days_between(closes, expression.decision_due) == applied.decide_within
    accepted_on = day + timedelta(days=decided_after)
    expression.acknowledge(on(day))
    expression.accept(on(accepted_on), "The body can run the service well.")
    earliest, due_by = expression.procurement_earliest, expression.procurement_due_by
    assert earliest == counted(accepted_on, applied.procure_after, applied.counted_in)
    assert due_by == counted(accepted_on, applied.procure_within, applied.counted_in)
    assert accepted_on <= earliest <= due_by


WINDOWS = st.none() | st.tuples(st.integers(0, 90), st.integers(0, 90))
DEADLINE_ARGS = (periods(), DAYS, WINDOWS, st.booleans(), st.integers(0, 120))


@FAST
@given(*DEADLINE_ARGS)
def test_the_decision_and_procurement_days_are_the_stated_days_counted_as_stated(
    stated: Periods, day: date, window: tuple[int, int] | None, own: bool, decided_after: int
) -> None:
    deadlines_are_the_stated_days_after(stated, day, window, own, decided_after)


@pytest.mark.slow
@HEAVY
@given(*DEADLINE_ARGS)
def test_the_decision_and_procurement_days_hold_over_many_more_days(
    stated: Periods, day: date, window: tuple[int, int] | None, own: bool, decided_after: int
) -> None:
    deadlines_are_the_stated_days_after(stated, day, window, own, decided_after)


@st.composite
def windows(draw: Callable[[st.SearchStrategy[Any]], Any]) -> list[Window]:
    """One to four windows, apart, in order, from 2025 on."""
    found, opens = [], FIRST + timedelta(days=draw(st.integers(0, 400)))
    for _ in range(draw(st.integers(1, 4))):
        closes = opens + timedelta(days=draw(st.integers(0, 60)))
        found.append(Window(opens, closes))
        opens = closes + timedelta(days=draw(st.integers(1, 200)))
    return found


@FAST
@given(windows(), st.data())
def test_an_expression_is_taken_exactly_when_its_day_falls_within_a_window_both_ends_included(
    published: list[Window], data: st.DataObject
) -> None:
    service = service_on(EARLY, Periods(30, 0, 90))
    for window in published:
        service.publish_window(on(EARLY), "Cabinet agreed.", window)
    near = data.draw(st.sampled_from(published))
    around = st.dates(near.opens - timedelta(days=3), near.closes + timedelta(days=3))
    day = data.draw(st.one_of(st.dates(FIRST, LAST), st.sampled_from([near.opens, near.closes]), around))
    within = [n for n, w in enumerate(published, start=1) if w.opens <= day <= w.closes]
    try:
        expression = submitted(service, day)
    except DomainError as refusal:
        assert not within and refusal.rule == "WithinAWindow" and refusal.field == "service_id"
        coming = [w.opens for w in published if w.opens > day]
        assert (f"The next opens on {coming[0].isoformat()}." if coming else "None is to come.") in refusal.message
    else:
        assert within and expression.window_id == f"W{within[0]}"


@FAST
@given(windows(), st.integers(-30, 30), st.integers(0, 60))
def test_windows_of_one_service_never_overlap(published: list[Window], shift: int, length: int) -> None:
    service = service_on(EARLY, Periods(30, 0, 90))
    for window in published:
        service.publish_window(on(EARLY), "Cabinet agreed.", window)
    opens = published[0].opens + timedelta(days=shift)
    another = Window(opens, opens + timedelta(days=length))
    overlaps = any(another.opens <= w.closes and w.opens <= another.closes for w in published)
    try:
        service.publish_window(on(EARLY), "Another.", another)
    except DomainError as refusal:
        assert overlaps and refusal.rule == "WindowsApart"
    else:
        assert not overlaps


# --- (2) the legal forms of a relevant body -----------------------------------------------------------------


def test_the_relevant_legal_forms_are_those_the_statute_names() -> None:
    assert {form.value for form in RELEVANT_LEGAL_FORMS} == STATUTE


@pytest.mark.parametrize("legal_form", [form.value for form in LegalForm])
def test_an_organisation_may_express_an_interest_exactly_when_its_legal_form_is_a_relevant_bodys(
    legal_form: str,
) -> None:
    service = service_on(EARLY, Periods(30, 0, 90))
    try:
        made = ExpressionOfInterest.submit(as_body(FIRST), service, organisation(legal_form), interest(service.id))
    except DomainError as refusal:
        assert legal_form not in STATUTE and (refusal.rule, refusal.field) == ("RelevantBody", "body_kind")
    else:
        assert legal_form in STATUTE and made.legal_form == legal_form


@FAST
@given(st.lists(st.text(st.characters(categories=["L"]), min_size=1, max_size=12), max_size=5, unique=True))
def test_a_staff_group_needs_no_legal_form_only_two_or_more_of_the_councils_employees(names: list[str]) -> None:
    service = service_on(EARLY, Periods(30, 0, 90))
    said = replace(staff_interest(service.id), members=[Member(name, "Officer") for name in names])
    try:
        made = ExpressionOfInterest.submit(as_body(FIRST, STAFF), service, None, said)
    except DomainError as refusal:
        assert len(names) < 2 and refusal.rule == "StaffGroupOfTwoOrMore"
    else:
        assert len(names) >= 2 and made.legal_form == "" and made.body_kind == "staff-group"


# --- (3) a rejection needs at least one ground ------------------------------------------------------------------

CODES = [ground.value for ground in Ground]
UNKNOWN = st.one_of(st.sampled_from(["", "too-costly", "NON-COMPLIANT", " non-compliant"]), st.text(max_size=8))
GROUNDS = st.lists(st.one_of(st.sampled_from(CODES), UNKNOWN), max_size=6)


@FAST
@given(GROUNDS)
def test_a_rejection_succeeds_exactly_when_it_names_statutory_grounds_each_once(grounds: list[str]) -> None:
    expression = submitted(service_on(EARLY, Periods(30, 0, 90)), FIRST)
    expression.acknowledge(on(FIRST))
    statutory = bool(grounds) and len(set(grounds)) == len(grounds) and all(code in CODES for code in grounds)
    try:
        expression.reject(on(FIRST), Rejection(grounds, "The finances are not evidenced."))
    except DomainError as refusal:
        assert not statutory and refusal.field == "grounds"
        each_once = bool(grounds) and len(set(grounds)) == len(grounds)
        assert refusal.rule == ("CodeListed" if each_once else "OnStatutoryGrounds")
        assert expression.status == "acknowledged"
    else:
        assert statutory and expression.grounds == tuple(grounds) and expression.status == "rejected"
