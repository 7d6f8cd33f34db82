"""The council's payment terms from the environment: its sooner target for SMEs and VCSE suppliers
(`MARKETPLACE_SOONER_PAYMENT_DAYS`, 1 to 30 days, default 10) and the dated reference rates late payment interest
uses (`MARKETPLACE_REFERENCE_RATES`: a JSON list of {"since": "2026-07-01", "rate": "3.5"}, each half-year's Bank
Rate on 30 June or 31 December, added to the shipped table: domain/payments/clock.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from domain.payments.clock import REFERENCE_RATES, ReferenceRate
from domain.payments.terms import PaymentPolicy


def _rates(text: str) -> tuple[ReferenceRate, ...]:
    if not text.strip():
        return REFERENCE_RATES
    try:
        given = [ReferenceRate(date.fromisoformat(r["since"]), Decimal(str(r["rate"]))) for r in json.loads(text)]
    except (ValueError, TypeError, KeyError, InvalidOperation) as bad:
        raise ValueError(f'MARKETPLACE_REFERENCE_RATES must be a JSON list of {{"since", "rate"}}: {bad}') from None
    if any(not r.rate.is_finite() or not 0 <= r.rate <= 25 for r in given):
        raise ValueError("MARKETPLACE_REFERENCE_RATES: each rate is a percentage from 0 to 25.")
    table = {r.since: r for r in REFERENCE_RATES} | {r.since: r for r in given}
    return tuple(sorted(table.values(), key=lambda r: r.since))


def payment_policy_from_env(env: Mapping[str, str]) -> PaymentPolicy:
    days = env.get("MARKETPLACE_SOONER_PAYMENT_DAYS", "10")
    if not days.isdigit() or not 1 <= int(days) <= 30:
        raise ValueError("MARKETPLACE_SOONER_PAYMENT_DAYS must be a whole number of days from 1 to 30.")
    return PaymentPolicy(sooner_days=int(days), reference_rates=_rates(env.get("MARKETPLACE_REFERENCE_RATES", "")))
