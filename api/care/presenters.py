"""A registration as each view shows it, from the views' rows or its aggregate (now or as it stood), and the
answer to a command on it: one function per view.

A row (or an aggregate's fields) is converted into its response by field name (`msgspec.convert`), so only what a
view renames or renders differently is written here: money to the penny, times in UTC, the standing by the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import msgspec
from litestar import Response

from api.care.bodies import DirectoryEntry, EvidenceView, ExpiringItem, QueueItem, RegistrationView
from api.commanding import answer
from api.rendering import pence, utc, utc_or_none
from domain.care.micro_enterprise import MicroEnterprisePolicy, Standing, standing_of
from domain.care.registration import Registration
from marketplace.care.services import Registrations
from marketplace.outcome import Outcome
from marketplace.service import Marketplace

V = TypeVar("V", bound=msgspec.Struct)
# What an aggregate holds that its views show under the same names.
_AS_STORED = (
    *("organisation", "name", "status", "services", "districts", "parishes", "weekly_capacity_hours"),
    *("available_hours", "hourly_rate", "workers", "cqc_regulated", "decision_reason", "version"),
)


def _shown(view: type[V], record: Mapping[str, Any], **rendered: Any) -> V:
    """The view of a record: its fields by name, with those `rendered` for the view (and only the view's: a
    view row's keys are SQLAlchemy's own kind of str, which msgspec does not take as a key)."""
    given = {**record, **rendered}
    return msgspec.convert({name: given[name] for name in view.__struct_fields__ if name in given}, view)


def _pence(value: Decimal | None) -> Decimal | None:
    return None if value is None else pence(value)


def _registration(
    record: Mapping[str, Any], standing: Standing, evidence: list[EvidenceView] | None
) -> RegistrationView:
    """The whole record when `evidence` is given (the applicant's and officers' view), else its public entry."""
    reason = (record["decision_reason"] or None) if evidence is not None else None
    rendered = {"hourly_rate": pence(record["hourly_rate"]), "decision_reason": reason, "evidence": evidence}
    return _shown(RegistrationView, record, standing=standing, **rendered)


def _evidence_of(registration: Registration) -> list[EvidenceView]:
    """Each piece of evidence in the order sent, with its check and whether the listing stands on it."""
    latest, effective = registration.latest(), registration.effective()
    views = []
    for item in registration.evidence.values():
        found, this = registration.checks.get(item.evidence_id), item.evidence_id
        check = {"note": found.note, "checked_by": found.checked_by, "checked_at": found.checked_at} if found else {}
        views.append(
            _shown(
                EvidenceView,
                asdict(item),
                amount=_pence(item.amount),
                check=registration.check_of(this),
                current=latest[item.slot].evidence_id == this,
                effective=item.slot in effective and effective[item.slot].evidence_id == this,
                **check,
            )
        )
    return views


def _evidence_row(row: Mapping[str, Any]) -> EvidenceView:
    return _shown(
        EvidenceView,
        row,
        amount=_pence(row["amount"]),
        check=row["check_result"],
        current=row["latest"],
        note=row["check_note"],
        checked_at=utc_or_none(row["checked_at"]),
    )


def from_aggregate(
    registration: Registration, now: datetime, policy: MicroEnterprisePolicy, full: bool = True
) -> RegistrationView:
    """The registration as its events leave it (now, or as it stood), judged by the clock at `now`."""
    record = {name: getattr(registration, name) for name in _AS_STORED} | {
        "id": str(registration.id),
        "evidence_expires_on": registration.earliest_expiry(),
        "applied_at": registration.created_on,
        "updated_at": registration.modified_on,
    }
    return _registration(record, registration.standing(now, policy), _evidence_of(registration) if full else None)


def from_rows(
    row: Mapping[str, Any], evidence: list[dict[str, Any]] | None, now: datetime, policy: MicroEnterprisePolicy
) -> RegistrationView:
    """The registration as the views hold it: with its evidence rows for those who see them."""
    record = {**row, "applied_at": utc(row["applied_at"]), "updated_at": utc(row["updated_at"])}
    standing = standing_of(row["status"], row["evidence_expires_on"], now, policy)
    return _registration(record, standing, None if evidence is None else [_evidence_row(e) for e in evidence])


def directory_entry(row: Mapping[str, Any], now: datetime, policy: MicroEnterprisePolicy) -> DirectoryEntry:
    standing = standing_of(row["status"], row["evidence_expires_on"], now, policy)
    return _shown(DirectoryEntry, row, standing=standing, hourly_rate=pence(row["hourly_rate"]))


def queue_item(row: Mapping[str, Any]) -> QueueItem:
    return _shown(QueueItem, row, applied_at=utc(row["applied_at"]), updated_at=utc(row["updated_at"]))


def expiring_item(row: Mapping[str, Any]) -> ExpiringItem:
    renamed = {"name": row["provider_name"], "status": row["registration_status"], "evidence_name": row["name"]}
    return _shown(ExpiringItem, row, **renamed)


def respond(market: Marketplace, outcome: Outcome, created: bool = False) -> Response[RegistrationView]:
    """The answer to a command: the registration as the command left it (201 with its Location when created)."""
    now, policy = market.clock.now(), market.service(Registrations).policy
    where = (lambda r: f"/registrations/{r.id}") if created else None
    return answer(market, outcome, Registration, lambda r: from_aggregate(r, now, policy), where)
