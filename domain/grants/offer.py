"""What a conditional offer must say, checked before the decision is recorded: an amount (no more than the
programme's maximum, more than requested only with an uplift reason), a decision day not in the future, an
expiry after today, conditions, and a payment schedule that pays exactly the amount, triggered as the
programme's payment basis says."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.grants.programme import GrantProgramme
from domain.grants.rules import (
    AwardDateInWindow,
    AwardDateNotInFuture,
    KeyShaped,
    KeysUnique,
    OfferOpenUntil,
    ScheduleAddsUp,
    UpliftJustified,
    WithinMaximumAward,
)
from domain.grants.terms import TRIGGERS, Condition, Instalment, OfferTerms, PaymentBasis
from domain.rules import TextWithin, check
from domain.values import money
from domain.working_days import uk_date

if TYPE_CHECKING:
    from domain.grants.application import GrantApplication


def checked_offer(terms: OfferTerms, programme: GrantProgramme, requested: Decimal, today: date) -> OfferTerms:
    """The offer's terms, tidied (amounts as money, text stripped, the decision day given), if they keep its rules."""
    amount = money(terms.amount, "amount")
    decided_on = terms.decided_on or today
    conditions = [Condition(c.key.strip(), c.text.strip()) for c in terms.conditions]
    schedule = [_instalment(i) for i in terms.schedule]
    trigger = TRIGGERS[PaymentBasis(programme.payment_basis)]
    check(
        WithinMaximumAward(amount, maximum=programme.maximum_award),
        UpliftJustified(amount, requested, terms.uplift_reason),
        AwardDateNotInFuture(decided_on, today),
        AwardDateInWindow(uk_date(programme.opens), decided_on),
        OfferOpenUntil(today, terms.expires),
        ScheduleAddsUp(schedule, amount, trigger.value, frozenset(c.key for c in conditions)),
    )
    check(KeysUnique([c.key for c in conditions], "conditions.key"))
    for condition in conditions:
        check(KeyShaped(condition.key, "conditions.key"), TextWithin(condition.text, "conditions.text", 2000))
    for instalment in schedule:
        check(
            KeyShaped(instalment.key, "schedule.key"),
            TextWithin(instalment.milestone, "schedule.milestone", 1000, min_length=0),
        )
    return replace(
        terms,
        amount=amount,
        decided_on=decided_on,
        conditions=conditions,
        schedule=schedule,
        uplift_reason=terms.uplift_reason.strip(),
    )


def _instalment(instalment: Instalment) -> Instalment:
    return Instalment(
        instalment.key.strip(),
        money(instalment.amount, "schedule.amount"),
        instalment.trigger,
        instalment.due,
        instalment.milestone.strip(),
        [c.strip() for c in instalment.conditions],
    )


def agreement(application: GrantApplication, programme: GrantProgramme, offer: dict[str, Any]) -> dict[str, Any]:
    """The grant agreement's terms: the offer accepted, the project applied for, and the programme funding it."""
    return {
        "application_id": str(application.id),
        "programme_id": str(programme.id),
        "programme_code": programme.code,
        "programme_title": programme.title,
        "funder": programme.owner,
        "recipient": application.applicant,
        "recipient_name": application.applicant_name,
        "title": application.project_title,
        "description": application.summary,
        "currency": programme.currency,
        "amount": offer["amount"],
        "award_date": offer["decided_on"],
        "planned_start": application.planned_start,
        "planned_end": application.planned_end,
        "locations": list(application.locations),
        "conditions": list(offer["conditions"]),
        "schedule": list(offer["schedule"]),
    }
