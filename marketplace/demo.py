"""A realistic sample: Shropshire Council and a dozen providers of every kind, and a grant programme with an
application at every stage (marketplace/grants/demo.py).

Loading is idempotent: organisations already registered are left as they are.
"""

from __future__ import annotations

from typing import NamedTuple

from domain.base import Actor, Role
from domain.organisations.organisation import OrganisationDetails, organisation_uuid
from domain.values import Address, Contact
from marketplace.challenge.demo import load_challenge_demo
from marketplace.commands import CommandRequest
from marketplace.grants.demo import load_grants_demo
from marketplace.organisations.services import Organisations
from marketplace.service import Marketplace

COUNCIL = "GB-LAE-SHR"
OFFICER = Actor("demo-commissioner", COUNCIL, Role.COMMISSIONER)

# identifier, name, legal form, size, VCSE, (line1, town, postcode), verified
ORGANISATIONS: list[tuple[str, str, str, str, bool, tuple[str, str, str], bool]] = [
    (
        COUNCIL,
        "Shropshire Council",
        "local-authority",
        "large",
        False,
        ("Guildhall, Frankwell Quay", "Shrewsbury", "SY3 8HQ"),
        True,
    ),
    (
        "GB-CHC-1102345",
        "Shropshire Rural Befrienders",
        "charitable-trust",
        "small",
        True,
        ("4 Mill Street", "Ludlow", "SY8 1BB"),
        True,
    ),
    (
        "GB-COH-09876543",
        "Severn Valley Home Care Ltd",
        "company",
        "medium",
        False,
        ("Unit 3, Battlefield Enterprise Park", "Shrewsbury", "SY1 3FE"),
        True,
    ),
    (
        "GB-COH-11223344",
        "Oswestry Community Transport CIC",
        "community-interest-company",
        "small",
        True,
        ("12 Church Street", "Oswestry", "SY11 2SP"),
        True,
    ),
    (
        "GB-CHC-1187654",
        "Marches Carers Support CIO",
        "charitable-incorporated-organisation",
        "small",
        True,
        ("The Old School, Corve Street", "Ludlow", "SY8 1DA"),
        False,
    ),
    (
        "GB-MPR-31234R",
        "Clun Valley Community Shop Ltd",
        "community-benefit-society",
        "micro",
        True,
        ("The Square", "Clun", "SY7 8JA"),
        True,
    ),
    (
        "360G-SHR-parish-0042",
        "Much Wenlock Town Council",
        "parish-council",
        "micro",
        False,
        ("Corn Exchange, Wilmore Street", "Much Wenlock", "TF13 6HR"),
        False,
    ),
    (
        "360G-SHR-micro-0007",
        "Helping Hands Bishop's Castle",
        "sole-trader",
        "micro",
        False,
        ("2 High Street", "Bishop's Castle", "SY9 5BE"),
        True,
    ),
    (
        "360G-SHR-micro-0011",
        "Kind Company Care (Church Stretton)",
        "partnership",
        "micro",
        False,
        ("7 Sandford Avenue", "Church Stretton", "SY6 6BW"),
        False,
    ),
    (
        "GB-COH-03456789",
        "Countryside Works Ltd",
        "company",
        "small",
        False,
        ("Hawkstone Estate Yard", "Whitchurch", "SY13 1AA"),
        True,
    ),
    (
        "GB-COH-00445566",
        "National Care Group plc",
        "company",
        "large",
        False,
        ("1 Victoria Square", "Birmingham", "B1 1BD"),
        True,
    ),
    (
        "GB-CHC-1034567",
        "Shropshire Libraries Friends",
        "charitable-trust",
        "micro",
        True,
        ("Castle Gates Library", "Shrewsbury", "SY1 2AS"),
        False,
    ),
    (
        "GB-COH-12345678",
        "Telford Meals on Wheels Co-operative",
        "co-operative",
        "small",
        True,
        ("Southwater Square", "Telford", "TF3 4JG"),
        True,
    ),
]


class Loaded(NamedTuple):
    organisations: int
    grant_records: int  # the grant programme and its applications
    challenge_records: int  # the services, their expressions of interest and the tender one led to


def load_demo(market: Marketplace) -> Loaded:
    """The whole sample: the organisations, then the grant programme their applications are made to, then the
    service register and the expressions of interest in its services."""
    return Loaded(load_organisations(market), load_grants_demo(market), load_challenge_demo(market))


def load_organisations(market: Marketplace) -> int:
    """The council and the providers, verified where the sample says; how many it registered."""
    created = 0
    for identifier, name, form, size, vcse, (line1, town, code), verified in ORGANISATIONS:
        if market.commands.exists(organisation_uuid(identifier)):
            continue
        request = CommandRequest(OFFICER, correlation_id="demo")
        contact = Contact(f"{name} office", f"office@{identifier.lower()}.example.org")
        details = OrganisationDetails(identifier, name, form, size, vcse, Address(line1, town, code), contact)
        market.service(Organisations).register(request, details)
        if verified:
            market.service(Organisations).verify(
                request, identifier, "Checked against the public register and insurance."
            )
        created += 1
    return created
