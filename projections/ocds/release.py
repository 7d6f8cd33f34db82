"""One release of a tender: the parties it names, and storing it under the tender's next sequence."""

from __future__ import annotations

from typing import Any, NamedTuple

from domain.organisation import organisation_uuid
from projections.batch import Row, Touched, utc
from projections.engine import Envelope
from projections.ocds.tables import ocds_organisations, ocds_releases
from projections.ocds.values import BUYER_ROLES, PERSONAL, org_id_scheme, stamp

Roles = dict[str, frozenset[str]]  # party identifier -> its roles


class Published(NamedTuple):
    """What one event publishes: the release's tags, its sections, and the parties it names beyond the buyer."""

    tags: list[str]
    sections: Row
    roles: Roles = {}


def _organisation(touched: Touched, identifier: str) -> Row | None:
    return touched[ocds_organisations.name].get(str(organisation_uuid(identifier)))


def reference(touched: Touched, identifier: str, name: str = "") -> Row:
    org = _organisation(touched, identifier)
    name = name or (org["name"] if org else "")
    return {"id": identifier, "name": name} if name else {"id": identifier}


def party(touched: Touched, identifier: str, roles: frozenset[str]) -> Row:
    org = _organisation(touched, identifier)
    scheme, local = org_id_scheme(identifier)
    entry: Row = {"id": identifier, "identifier": {"scheme": scheme, "id": local}, "roles": sorted(roles)}
    if org is not None:
        entry["name"] = entry["identifier"]["legalName"] = org["name"]
        if org["legal_form"] not in PERSONAL:
            entry["address"] = org["address"]
    return entry


def publish(touched: Touched, envelope: Envelope, tender: Row, published: Published) -> Row:
    """Store one release of the tender; answers the tender with its count of releases moved on."""
    roles: dict[str, frozenset[str]] = {tender["buyer"]: BUYER_ROLES}
    for identifier, more in published.roles.items():
        roles[identifier] = roles.get(identifier, frozenset()) | more
    event: Any = envelope.event
    release = {
        "date": stamp(event.timestamp),
        "tag": published.tags,
        "initiationType": "tender",
        "language": "en",
        "parties": [party(touched, identifier, roles[identifier]) for identifier in sorted(roles)],
        "buyer": reference(touched, tender["buyer"]),
        **published.sections,
    }
    sequence = tender["releases"] + 1
    touched[ocds_releases.name].put(
        {
            "position": envelope.position,
            "tender_id": tender["id"],
            "release_id": f"{sequence:04d}-{published.tags[0]}",
            "date": utc(event.timestamp),
            "tags": published.tags,
            "release": release,
        }
    )
    return {**tender, "releases": sequence}
