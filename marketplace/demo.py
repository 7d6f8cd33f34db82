"""A realistic sample, for demos and training: Shropshire Council and a dozen providers of every kind, care
micro-enterprises listed and pending (marketplace/care/demo.py), tenders at every stage
(marketplace/tendering/demo.py), a grant programme with an application at every stage
(marketplace/grants/demo.py) and a service register with challenges (marketplace/challenge/demo.py).

Everything is made by the real commands, on a clock the demo moves (`demo_clock`), set back `HISTORY` before the
moment it shows and moved forward step by step, the chronograph ticking after each step as
`serve` would, so deadlines close, standstills end and listings lapse as time passes. The organisations are
registered at the start, the grants and the challenges at the present (their offers and decisions fall due after
it). `marketplace demo` loads it into the demo's own store (docs/demo.md).

Loading is idempotent: organisations already registered, and each part already there, are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import NamedTuple

from domain.base import Actor, Role
from domain.organisations.organisation import OrganisationDetails, organisation_uuid
from domain.values import Address, Contact
from marketplace.care.demo import care_steps
from marketplace.challenge.demo import load_challenge_demo
from marketplace.clock import FixedClock
from marketplace.commands import CommandRequest
from marketplace.grants.demo import load_grants_demo
from marketplace.organisations.services import Organisations
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.tendering.demo import tendering_steps

COUNCIL = "GB-LAE-SHR"
OFFICER = Actor("demo-commissioner", COUNCIL, Role.COMMISSIONER)
HISTORY = timedelta(weeks=14)  # how far back the demo's clock starts: before its oldest tender's draft
Step = tuple[datetime, Callable[[], object]]

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
    (
        "360G-SHR-micro-0015",
        "Ellesmere Sitting Service",
        "sole-trader",
        "micro",
        False,
        ("9 Cross Street", "Ellesmere", "SY12 0AW"),
        True,
    ),
]


class Loaded(NamedTuple):
    organisations: int
    care_steps: int  # the micro-enterprises' applications, evidence, checks and approvals
    tendering_steps: int  # the tenders' drafts, notices, bids, evaluations, awards, contracts and their changes
    grant_records: int  # the grant programme and its applications
    challenge_records: int  # the services, their expressions of interest and the tender one led to


def load_demo(market: Marketplace) -> Loaded:
    """The whole sample, its past built on a clock the demo moves, ending at the market clock's now: the demo's
    present."""
    if market.commands.projector is None:
        raise ValueError("the demo reads its own views as it goes (the bids a tender has): load it inline")
    with demo_clock(market) as clock:
        present = clock.now()
        clock.set(present - HISTORY)
        organisations = load_organisations(market)
        care, tendering = care_steps(market, present), tendering_steps(market, present)
        run_steps(market, clock, [*care, *tendering])
        clock.move_to(present)
        grants, challenge = load_grants_demo(market), load_challenge_demo(market)
        loaded = Loaded(organisations, len(care), len(tendering), grants, challenge)
        if any(loaded):
            tick(market)  # what is due at the present (a grant window opening) is recorded now, not by a later load
    return loaded


@contextmanager
def demo_clock(market: Marketplace) -> Iterator[FixedClock]:
    """The market's clock if the demo may move it (a `FixedClock`, as `marketplace demo` gives it); else a
    `FixedClock` at the market clock's now, lent to the market's commands and deadlines while the demo loads."""
    if isinstance(market.clock, FixedClock):
        yield market.clock
        return
    kept, lent = market.clock, FixedClock(market.clock.now())
    market.clock = market.commands.clock = lent
    try:
        yield lent
    finally:
        market.clock = market.commands.clock = kept


def run_steps(market: Marketplace, clock: FixedClock, steps: list[Step]) -> None:
    """Every step at its moment, in time order (a story's own steps keep theirs), the chronograph ticking after
    each as `serve` does: a tender closes at its deadline, a listing lapses when its evidence expires."""
    for moment, step in sorted(steps, key=lambda step: step[0]):
        clock.move_to(moment)
        step()
        tick(market)


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
