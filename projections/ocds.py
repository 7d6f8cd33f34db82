"""OCDS 1.1 releases for open data: one per published change of a tender, folded from its events.

Drafts never appear: a tender's first release is its publication. Sealed content never reaches these
tables: of a bid only who bid for which tender is kept, and bidders are named only once the bids are
opened; an award's value is the award decision's. Releases are kept without `ocid` and `id`: the ocid
prefix is a setting, so the serving layer adds them and this view is the same under any prefix.
Organisations are kept here too (a projection never reads another's tables). Mapping: docs/ocds.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, String, Table, select
from sqlalchemy.orm import Session

from domain.bid import Bid
from domain.contract import Contract
from domain.organisation import LegalForm, Organisation, organisation_uuid
from domain.procurement import Category, Procedure
from domain.tender import TERMS, Tender
from domain.values import ORG_ID_SCHEMES, Address
from projections.batch import Row, Rows, Touched, bumped, plain, utc
from projections.engine import Envelope, Projection, metadata

CURRENCY = "GBP"
DRAFT, PUBLISHED, CANCELLED = "draft", "published", "cancelled"  # a tender's state here
AWARDED, CONTRACTED, REMOVED = "awarded", "contracted", "removed"  # a lot's state (or CANCELLED); none: open
LOT_STATUS = {None: "active", AWARDED: "active", CONTRACTED: "complete", CANCELLED: "cancelled", REMOVED: "cancelled"}
BUYER_ROLES = frozenset({"buyer", "procuringEntity"})
SUPPLIER_ROLES = frozenset({"tenderer", "supplier"})
# Sole traders and partners are people: their address is personal data, so open data leaves it out.
PERSONAL = frozenset({LegalForm.SOLE_TRADER.value, LegalForm.PARTNERSHIP.value})
METHODS = {
    Procedure.OPEN: ("open", "Open procedure (Procurement Act 2023 s.20(2)(a))"),
    Procedure.COMPETITIVE_FLEXIBLE: ("selective", "Competitive flexible procedure (Procurement Act 2023 s.20(2)(b))"),
    Procedure.BELOW_THRESHOLD: ("open", "Below-threshold quotation, openly advertised"),
    Procedure.LIGHT_TOUCH: ("open", "Light-touch regime, openly advertised"),
}
CATEGORIES = {Category.GOODS: "goods", Category.WORKS: "works"}  # every other category buys services

ocds_organisations = Table(
    "ocds_organisations",
    metadata,
    Column("id", String(36), primary_key=True),  # the aggregate's id: uuid5 of the identifier
    Column("identifier", String(80), nullable=False),
    Column("name", String(200), nullable=False),
    Column("legal_form", String(64), nullable=False),
    Column("address", JSON, nullable=False),  # as an OCDS Address
)

ocds_bids = Table(
    "ocds_bids",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tender_id", String(36), nullable=False),
    Column("bidder", String(80), nullable=False),  # who bid, never what: published only once opened
)

ocds_tenders = Table(
    "ocds_tenders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("buyer", String(80), nullable=False),
    Column("state", String(16), nullable=False),  # draft | published | cancelled
    Column("published_at", String(40)),
    Column("terms", JSON, nullable=False),  # the current terms, deadlines as OCDS date-times
    Column("enquiries", Integer, nullable=False),  # questions answered
    Column("amendments", JSON, nullable=False),  # OCDS Amendment objects, in order
    Column("lots", JSON, nullable=False),  # lot id -> awarded | contracted | cancelled | removed
    Column("releases", Integer, nullable=False),  # how many releases so far: the next one's sequence
    Column("version", Integer, nullable=False),
    Column("events_folded", Integer, nullable=False),
)

ocds_contracts = Table(
    "ocds_contracts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tender_id", String(36), nullable=False),
    Column("lot_id", String(64), nullable=False),
    Column("value", String(20), nullable=False),
    Column("start", String(10), nullable=False),
    Column("end", String(10), nullable=False),
    Column("amendments", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("events_folded", Integer, nullable=False),
)

ocds_releases = Table(
    "ocds_releases",
    metadata,
    Column("position", BigInteger, primary_key=True),  # of the event that published it
    Column("tender_id", String(36), nullable=False),
    Column("release_id", String(40), nullable=False),  # unique within the tender; served after the ocid
    Column("date", DateTime(timezone=True), nullable=False),
    Column("tags", JSON, nullable=False),
    Column("release", JSON, nullable=False),  # the release without `ocid` and `id`
    Index("ocds_releases_by_tender", "tender_id", "position"),
)

Roles = dict[str, frozenset[str]]  # party identifier -> its roles


class Published(NamedTuple):
    """What one event publishes: the release's tags, its sections, and the parties it names beyond the buyer."""

    tags: list[str]
    sections: Row
    roles: Roles = {}


# --- OCDS values --------------------------------------------------------------------------------------


def stamp(moment: datetime) -> str:
    return utc(moment).isoformat().replace("+00:00", "Z")


def day_starts(day: date | str) -> str:
    return f"{day}T00:00:00Z"


def day_ends(day: date | str) -> str:
    """A contract's end date is its last day."""
    return f"{day}T23:59:59Z"


def amount(value: Decimal | str) -> int | float:
    """A JSON number: whole pounds as integers; pence (at most two places) are exact enough as floats."""
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def money(value: Decimal | str) -> Row:
    return {"amount": amount(value), "currency": CURRENCY}


def period(start: date | str, end: date | str) -> Row:
    return {"startDate": day_starts(start), "endDate": day_ends(end)}


def award_id(lot_id: str) -> str:
    """One award per lot (a lot is awarded once), so the lot names its award."""
    return f"award-{lot_id}"


def _address(address: Address) -> Row:
    street = ", ".join(part for part in (address.line1, address.line2) if part)
    return {
        "streetAddress": street,
        "locality": address.town,
        "postalCode": address.postcode,
        "countryName": "United Kingdom",
    }


def org_id_scheme(identifier: str) -> tuple[str, str]:
    """An org-id.guide identifier split into its list (scheme) and the id within it."""
    for scheme in sorted(ORG_ID_SCHEMES, key=len, reverse=True):
        if identifier.startswith(scheme + "-"):
            return scheme, identifier[len(scheme) + 1 :]
    return "", identifier


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


# --- the tender section -------------------------------------------------------------------------------


def _terms(terms: dict[str, Any]) -> Row:
    return {name: stamp(value) if isinstance(value, datetime) else plain(value) for name, value in terms.items()}


def tender_status(row: Row) -> str:
    """As the lots extension advises: active while any lot is open; then complete if any lot has a contract."""
    if row["state"] == CANCELLED:
        return "cancelled"
    states = [row["lots"].get(lot["lot_id"]) for lot in row["terms"]["lots"]]
    if any(state in (None, AWARDED) for state in states):
        return "active"
    return "complete" if CONTRACTED in states else "cancelled"


def _lots(row: Row) -> list[Row]:
    """The current lots, and lots an amendment removed (as cancelled: merging by id would keep them otherwise)."""
    current = [
        {
            "id": lot["lot_id"],
            "title": lot["title"],
            "value": money(lot["value"]),
            "status": LOT_STATUS[row["lots"].get(lot["lot_id"])],
        }
        for lot in row["terms"]["lots"]
    ]
    removed = [
        {"id": lot_id, "status": "cancelled"} for lot_id, state in sorted(row["lots"].items()) if state == REMOVED
    ]
    return current + removed


def tender_section(touched: Touched, row: Row) -> Row:
    terms = row["terms"]
    method, method_details = METHODS[Procedure(terms["procedure"])]
    criteria = "; ".join(f"{c['name']} ({c['kind']}): {c['weight']}%" for c in terms["criteria"])
    section: Row = {
        "id": row["id"],
        "title": terms["title"],
        "description": terms["description"],
        "status": tender_status(row),
        "procuringEntity": reference(touched, row["buyer"]),
        "value": money(sum((Decimal(lot["value"]) for lot in terms["lots"]), Decimal(0))),
        "procurementMethod": method,
        "procurementMethodDetails": method_details,
        "mainProcurementCategory": CATEGORIES.get(Category(terms["category"]), "services"),
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": criteria,
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {"startDate": row["published_at"], "endDate": terms["tender_deadline"]},
        "enquiryPeriod": {"startDate": row["published_at"], "endDate": terms["clarification_deadline"]},
        "hasEnquiries": bool(row["enquiries"]),
        "lots": _lots(row),
    }
    if row["amendments"]:
        section["amendments"] = row["amendments"]
    return section


def _lot_title(row: Row, lot_id: str) -> str:
    return next((str(lot["title"]) for lot in row["terms"]["lots"] if lot["lot_id"] == lot_id), lot_id)


# --- tender events: the state they leave, and what they publish ---------------------------------------


def _drafted(event: Tender.Drafted) -> Row:
    return {
        "id": str(event.originator_id),
        "buyer": event.buyer,
        "state": DRAFT,
        "published_at": None,
        "terms": _terms({name: getattr(event, name) for name in TERMS}),
        "enquiries": 0,
        "amendments": [],
        "lots": {},
        "releases": 0,
        "events_folded": 0,
    }


def _amended(row: Row, event: Tender.Amended) -> Row:
    """New terms; lots the amendment removed stay listed as cancelled, and a lot it brings back is open."""
    terms = {**row["terms"], **_terms(event.terms)}
    now = {lot["lot_id"] for lot in terms["lots"]}
    lots = {lot_id: state for lot_id, state in row["lots"].items() if not (state == REMOVED and lot_id in now)}
    lots.update({lot["lot_id"]: REMOVED for lot in row["terms"]["lots"] if lot["lot_id"] not in now})
    changed = ", ".join(name.replace("_", " ") for name in sorted(event.terms))
    amendment = {
        "id": str(event.amendment),
        "date": stamp(event.timestamp),
        "rationale": event.reason,
        "description": f"Changed: {changed}.",
    }
    return {**row, "terms": terms, "lots": lots, "amendments": [*row["amendments"], amendment]}


def _cancelled(row: Row) -> Row:
    lots = {lot["lot_id"]: CANCELLED for lot in row["terms"]["lots"] if row["lots"].get(lot["lot_id"]) != CONTRACTED}
    return {**row, "state": CANCELLED, "lots": {**row["lots"], **lots}}


def _with_lot(row: Row, lot_id: str, state: str) -> Row:
    return {**row, "lots": {**row["lots"], lot_id: state}}


def tender_changes(row: Row, event: Any) -> Row:
    """The tender's state after one of its events (whether or not the event publishes anything)."""
    if isinstance(event, Tender.Revised):
        return {**row, "terms": {**row["terms"], **_terms(event.terms)}}
    if isinstance(event, Tender.Amended):
        return _amended(row, event)
    if isinstance(event, Tender.Published):
        return {**row, "state": PUBLISHED, "published_at": stamp(event.timestamp)}
    if isinstance(event, Tender.QuestionAnswered):
        return {**row, "enquiries": row["enquiries"] + 1}
    if isinstance(event, Tender.Awarded):
        return _with_lot(row, event.award.lot_id, AWARDED)
    if isinstance(event, Tender.ContractConcluded):
        return _with_lot(row, event.lot_id, CONTRACTED)
    if isinstance(event, Tender.LotCancelled):
        return _with_lot(row, event.lot_id, CANCELLED)
    if isinstance(event, Tender.Cancelled):
        return _cancelled(row)
    return row


def _tender_notice(touched: Touched, before: Row, row: Row, event: Any) -> Published:
    return Published(["tender"], {"tender": tender_section(touched, row)})


def _amendment(touched: Touched, before: Row, row: Row, event: Any) -> Published:
    return Published(["tenderAmendment"], {"tender": tender_section(touched, row)})


def _answered(touched: Touched, before: Row, row: Row, event: Any) -> Published:
    return Published(["tenderUpdate"], {"tender": {"id": row["id"], "hasEnquiries": True}})


def _opened(touched: Touched, before: Row, row: Row, event: Tender.BidsOpened) -> Published:
    """Bids opened: now the tenderers (the bidders whose bids were opened) may be named."""
    bids = touched[ocds_bids.name]
    tenderers = sorted({bids[bid_id]["bidder"] for bid_id in event.bid_ids})
    tender = {
        "id": row["id"],
        "numberOfTenderers": len(tenderers),
        "tenderers": [reference(touched, identifier) for identifier in tenderers],
        "awardPeriod": {"startDate": stamp(event.timestamp)},
    }
    return Published(["tenderUpdate"], {"tender": tender}, dict.fromkeys(tenderers, frozenset({"tenderer"})))


def _awarded(touched: Touched, before: Row, row: Row, event: Tender.Awarded) -> Published:
    """Pending during standstill (the award is not yet in force), active at once when none applies."""
    award, supplier = event.award, event.award.supplier
    entry = {
        "id": award_id(award.lot_id),
        "title": _lot_title(row, award.lot_id),
        "description": event.reason,
        "status": "pending" if award.standstill_ends else "active",
        "date": stamp(award.decided_at),
        "value": money(award.value),
        "suppliers": [{"id": supplier.identifier, "name": supplier.name}],
        "relatedLots": [award.lot_id],
    }
    return Published(["award"], {"awards": [entry]}, {supplier.identifier: SUPPLIER_ROLES})


def _lot_cancelled(touched: Touched, before: Row, row: Row, event: Tender.LotCancelled) -> Published:
    status = tender_status(row)
    tender = {"id": row["id"], "status": status, "lots": [{"id": event.lot_id, "status": "cancelled"}]}
    return Published(["tenderCancellation" if status == "cancelled" else "tenderUpdate"], {"tender": tender})


def _tender_cancelled(touched: Touched, before: Row, row: Row, event: Any) -> Published:
    """Awards still in standstill fall with the tender."""
    pending = sorted(lot_id for lot_id, state in before["lots"].items() if state == AWARDED)
    lots = [{"id": lot["lot_id"], "status": LOT_STATUS[row["lots"].get(lot["lot_id"])]} for lot in row["terms"]["lots"]]
    sections: Row = {"tender": {"id": row["id"], "status": "cancelled", "lots": lots}}
    if pending:
        sections["awards"] = [{"id": award_id(lot_id), "status": "cancelled"} for lot_id in pending]
    return Published(["tenderCancellation", "awardCancellation"] if pending else ["tenderCancellation"], sections)


Publisher = Callable[[Touched, Row, Row, Any], Published]
TENDER_RELEASES: dict[type, Publisher] = {
    Tender.Published: _tender_notice,
    Tender.Amended: _amendment,
    Tender.QuestionAnswered: _answered,
    Tender.BidsOpened: _opened,
    Tender.Awarded: _awarded,
    Tender.LotCancelled: _lot_cancelled,
    Tender.Cancelled: _tender_cancelled,
}  # the other events publish nothing: drafting, questions (until answered), the close (the deadline is known)


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


def fold_tender(touched: Touched, envelope: Envelope) -> None:
    event: Any = envelope.event
    rows = touched[ocds_tenders.name]
    before = _drafted(event) if isinstance(event, Tender.Drafted) else rows[str(event.originator_id)]
    row = bumped(tender_changes(before, event), event)
    publisher = TENDER_RELEASES.get(type(event))
    if publisher is not None and row["published_at"] is not None:  # drafts never appear
        row = publish(touched, envelope, row, publisher(touched, before, row, event))
    rows.put(row)


# --- contract events ----------------------------------------------------------------------------------


def _contract_concluded(touched: Touched, tender: Row, event: Contract.Concluded) -> tuple[Row, Published]:
    """The contract's tender records the lot as contracted here too: the two events commit together, in either order."""
    tender = _with_lot(tender, event.lot_id, CONTRACTED)
    contract = {
        "id": str(event.originator_id),
        "awardID": award_id(event.lot_id),
        "title": _lot_title(tender, event.lot_id),
        "status": "active",
        "period": period(event.start, event.end),
        "value": money(event.value),
        "dateSigned": stamp(event.timestamp),
    }
    if event.kpis:
        contract["description"] = "Key performance indicators: " + "; ".join(event.kpis)
    sections = {
        "tender": {
            "id": tender["id"],
            "status": tender_status(tender),
            "lots": [{"id": event.lot_id, "status": "complete"}],
        },
        "awards": [{"id": award_id(event.lot_id), "status": "active"}],
        "contracts": [contract],
    }
    return tender, Published(["contract"], sections, {event.supplier.identifier: SUPPLIER_ROLES})


def _concluded_row(event: Contract.Concluded) -> Row:
    return {
        "id": str(event.originator_id),
        "tender_id": event.tender_id,
        "lot_id": event.lot_id,
        "value": str(event.value),
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "amendments": [],
        "events_folded": 0,
    }


def _varied(row: Row, event: Contract.Varied) -> Row:
    changes = {name: str(value) for name, value in event.changes.items() if name in ("value", "end")}
    said = {"value": "value", "end": "end date"}
    amendment = {
        "id": str(len(row["amendments"]) + 1),
        "date": stamp(event.timestamp),
        "rationale": event.reason,
        "description": "; ".join(f"{said[name]} changed to {value}" for name, value in sorted(changes.items())) + ".",
    }
    return {**row, **changes, "amendments": [*row["amendments"], amendment]}


def _contract_ids(row: Row) -> Row:
    """Every contract in a release names its award (OCDS requires awardID)."""
    return {"id": row["id"], "awardID": award_id(row["lot_id"])}


def _contract_change(row: Row, event: Any) -> Published:
    if isinstance(event, Contract.Ended):
        ended = {"status": "terminated", "period": period(row["start"], event.effective)}
        return Published(["contractTermination"], {"contracts": [{**_contract_ids(row), **ended}]})
    contract = {
        **_contract_ids(row),
        "value": money(row["value"]),
        "period": period(row["start"], row["end"]),
        "amendments": row["amendments"],
    }
    return Published(["contractAmendment"], {"contracts": [contract]})


def fold_contract(touched: Touched, envelope: Envelope) -> None:
    event: Any = envelope.event
    contracts, tenders = touched[ocds_contracts.name], touched[ocds_tenders.name]
    if isinstance(event, Contract.Concluded):
        row = _concluded_row(event)
        tender, published = _contract_concluded(touched, tenders[event.tender_id], event)
    else:
        row = contracts[str(event.originator_id)]
        row = _varied(row, event) if isinstance(event, Contract.Varied) else row
        tender, published = tenders[row["tender_id"]], _contract_change(row, event)
    contracts.put(bumped(row, event))
    tenders.put(publish(touched, envelope, tender, published))


# --- organisations and bids ---------------------------------------------------------------------------


def fold_organisation(touched: Touched, envelope: Envelope) -> None:
    event: Any = envelope.event
    rows = touched[ocds_organisations.name]
    if isinstance(event, Organisation.Registered):
        rows.put(
            {
                "id": str(event.originator_id),
                "identifier": event.identifier,
                "name": event.name,
                "legal_form": event.legal_form,
                "address": _address(event.address),
            }
        )
        return
    changes = event.changes
    row = {**rows[str(event.originator_id)], **{k: changes[k] for k in ("name", "legal_form") if k in changes}}
    rows.put({**row, "address": _address(changes["address"])} if "address" in changes else row)


def fold_bid(touched: Touched, envelope: Envelope) -> None:
    event: Any = envelope.event
    touched[ocds_bids.name].put({"id": str(event.originator_id), "tender_id": event.tender_id, "bidder": event.bidder})


FOLDS: tuple[tuple[type, Callable[[Touched, Envelope], None]], ...] = (
    (Organisation.Event, fold_organisation),
    (Bid.Submitted, fold_bid),
    (Tender.Event, fold_tender),
    (Contract.Event, fold_contract),
)


def _load(session: Session, touched: Touched, events: list[Any]) -> None:
    """Read once every row the batch touches: contracts, their tenders, the bids opened, the parties named."""
    contract_ids = {str(e.originator_id) for e in events if isinstance(e, Contract.Event)}
    touched[ocds_contracts.name].load(session, "id", contract_ids)
    tender_ids = {str(e.originator_id) for e in events if isinstance(e, Tender.Event)}
    tender_ids |= {e.tender_id for e in events if isinstance(e, Contract.Concluded)}
    tender_ids |= {row["tender_id"] for row in touched[ocds_contracts.name].values()}
    touched[ocds_tenders.name].load(session, "id", tender_ids)
    opened = {bid_id for e in events if isinstance(e, Tender.BidsOpened) for bid_id in e.bid_ids}
    touched[ocds_bids.name].load(session, "id", opened)
    named = {row["buyer"] for row in touched[ocds_tenders.name].values()}
    named |= {row["bidder"] for row in touched[ocds_bids.name].values()}
    named |= {e.bidder for e in events if isinstance(e, Bid.Submitted) and str(e.originator_id) in opened}
    for e in events:
        named |= _named_by(e)
    org_ids = {str(organisation_uuid(identifier)) for identifier in named}
    org_ids |= {str(e.originator_id) for e in events if isinstance(e, Organisation.DetailsUpdated)}
    touched[ocds_organisations.name].load(session, "id", org_ids)


def _named_by(event: Any) -> set[str]:
    """The organisations a tender or contract event names, whose party details its release may need."""
    if isinstance(event, Contract.Concluded):
        return {event.buyer, event.supplier.identifier}
    if isinstance(event, Tender.Awarded):
        return {event.award.supplier.identifier}
    if isinstance(event, Tender.Drafted):
        return {event.buyer}
    return set()


class OpenContracting(Projection):
    """The OCDS releases of every published tender, and the little state it takes to write them."""

    name = "ocds"
    tables = (ocds_organisations, ocds_bids, ocds_tenders, ocds_contracts, ocds_releases)
    handles = (Organisation.Registered, Organisation.DetailsUpdated, Bid.Submitted, Tender.Event, Contract.Event)

    def apply(self, session: Session, batch: Sequence[Envelope]) -> None:
        touched = {table.name: Rows(table) for table in self.tables}
        _load(session, touched, [envelope.event for envelope in batch])
        for envelope in batch:
            for kind, fold in FOLDS:
                if isinstance(envelope.event, kind):
                    fold(touched, envelope)
        for rows in touched.values():
            rows.flush(session)


# --- queries ------------------------------------------------------------------------------------------


def releases_after(session: Session, after: int, limit: int) -> list[Row]:
    """Stored releases in log order after a position (one more than `limit`, to tell whether more follow)."""
    query = select(ocds_releases).where(ocds_releases.c.position > after).order_by(ocds_releases.c.position)
    return [dict(row) for row in session.execute(query.limit(limit + 1)).mappings()]


def releases_of(session: Session, tender_id: str) -> list[Row]:
    """One tender's stored releases, in log order."""
    query = select(ocds_releases).where(ocds_releases.c.tender_id == tender_id).order_by(ocds_releases.c.position)
    return [dict(row) for row in session.execute(query).mappings()]
