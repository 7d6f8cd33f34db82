"""One release of a tender: the parties it names, and storing it under the tender's next sequence.

Parties are kept by identifier and role only. Their names and addresses are the organisations' as they stood
at the release, filled in when served (marketplace/tendering/ocds.py) from the event store: folding every organisation
event here as well would cost every rebuild for the few organisations that become parties.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from projections.batch import Row, Touched, utc
from projections.tendering.ocds.tables import ocds_releases
from projections.tendering.ocds.values import BUYER_ROLES, org_id_scheme, stamp

Roles = dict[str, frozenset[str]]  # party identifier -> its roles


class Published(NamedTuple):
    """What one event publishes: the release's tags, its sections, and the parties it names beyond the buyer."""

    tags: list[str]
    sections: Row
    roles: Roles = {}


def reference(identifier: str, name: str = "") -> Row:
    """An organisation reference; a name the event does not carry is filled in when served."""
    return {"id": identifier, "name": name} if name else {"id": identifier}


def party(identifier: str, roles: frozenset[str]) -> Row:
    scheme, local = org_id_scheme(identifier)
    return {"id": identifier, "identifier": {"scheme": scheme, "id": local}, "roles": sorted(roles)}


def publish(touched: Touched, tender: Row, published: Published) -> Row:
    """Store one release of the tender, at the position of the event being folded; answers the tender with its
    count of releases moved on."""
    envelope = touched.envelope
    roles: dict[str, frozenset[str]] = {tender["buyer"]: BUYER_ROLES}
    for identifier, more in published.roles.items():
        roles[identifier] = roles.get(identifier, frozenset()) | more
    event: Any = envelope.event
    release = {
        "date": stamp(event.timestamp),
        "tag": published.tags,
        "initiationType": "tender",
        "language": "en",
        "parties": [party(identifier, roles[identifier]) for identifier in sorted(roles)],
        "buyer": reference(tender["buyer"]),
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
