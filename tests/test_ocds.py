"""Open data: OCDS 1.1 release and record packages, valid against the shipped schemas, and never early.

Every read here is anonymous: open data needs no token.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from litestar.testing import TestClient
from referencing import Registry
from referencing.jsonschema import DRAFT4
from sqlalchemy import select

from api.app import create_app
from marketplace.clock import FixedClock
from marketplace.scheduler import tick
from marketplace.service import Marketplace
from marketplace.settings import Settings
from marketplace.tendering.ocds import merge
from projections.tendering.ocds import ocds_contracts, ocds_tenders
from tests.conftest import COUNCIL, registration
from tests.journeys import (
    NATIONAL,
    OFFICER,
    RURAL,
    SEVERN,
    TenderingJourney,
    offer,
    ok,
    provider,
    publish_tender,
    register_the_market,
    tender_terms,
    tendering_journey,
)
from tests.test_tender_outcomes import three_bid_tender

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas" / "ocds"
STAGES = ["published", "bids-submitted", "bids-opened", "awarded", "contracted"]
PRICES = ("380000", "330000", "360000", "365000", "300000")  # every price the journey's bids offer
RESPONSES = ("Trained staff", "Local jobs")
BIDDERS = (RURAL, SEVERN, NATIONAL)


# --- the shipped schemas, offline ------------------------------------------------------------------------


def shipped(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386, as OCDS extensions patch the core schemas."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    patched = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            patched.pop(key, None)
        else:
            patched[key] = merge_patch(patched.get(key), value)
    return patched


def with_pagination(name: str) -> dict[str, Any]:
    """Its empty `required` adds no requirement (a literal merge patch would drop core's): see schemas/ocds/README."""
    patch = {key: value for key, value in shipped(f"extensions/pagination/{name}").items() if key != "required"}
    patched: dict[str, Any] = merge_patch(shipped(name), patch)
    return patched


RELEASE: dict[str, Any] = merge_patch(shipped("release-schema.json"), shipped("extensions/lots/release-schema.json"))
RELEASE_PACKAGE = with_pagination("release-package-schema.json")
RECORD_PACKAGE = with_pagination("record-package-schema.json")
VERSIONED = shipped("versioned-release-validation-schema.json")
# Each schema under its own `id` URL: a $ref resolves to a shipped file or fails, never to the network.
REGISTRY: Registry[Any] = Registry().with_resources(
    (schema["id"], DRAFT4.create_resource(schema)) for schema in (RELEASE, RELEASE_PACKAGE, RECORD_PACKAGE, VERSIONED)
)

FORMATS = FormatChecker(formats=())
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@FORMATS.checks("date-time")
def is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(RFC3339.match(value))


@FORMATS.checks("uri")
def is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


def errors(schema: dict[str, Any], document: Any) -> list[str]:
    validator = Draft4Validator(schema, registry=REGISTRY, format_checker=FORMATS)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


# --- reading the open data -------------------------------------------------------------------------------


class OpenData(NamedTuple):
    feed: list[dict[str, Any]]  # release packages, following `links.next`
    records: dict[str, dict[str, Any]]  # ocid -> record package


def open_data(client: TestClient[Any], limit: int = 3) -> OpenData:
    packages: list[dict[str, Any]] = []
    url: str | None = f"/ocds/releases?limit={limit}"
    while url:
        response = client.get(url)
        if response.status_code == 204:
            break
        packages.append(ok(response))
        url = packages[-1].get("links", {}).get("next")
    ocids = sorted({release["ocid"] for package in packages for release in package["releases"]})
    return OpenData(packages, {ocid: ok(client.get(f"/ocds/records/{ocid}")) for ocid in ocids})


def releases(data: OpenData) -> list[dict[str, Any]]:
    return [release for package in data.feed for release in package["releases"]]


def compiled(data: OpenData, ocid: str | None = None) -> dict[str, Any]:
    package = data.records[ocid] if ocid else next(iter(data.records.values()))
    release: dict[str, Any] = package["records"][0]["compiledRelease"]
    return release


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def assert_valid(data: OpenData) -> None:
    for package in data.feed:
        assert errors(RELEASE_PACKAGE, package) == []
    for package in data.records.values():
        assert errors(RECORD_PACKAGE, package) == []


def watch_journey(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> tuple[TenderingJourney, dict[str, OpenData]]:
    """The tendering journey, with the whole of the open data read at each of its stages."""
    seen: dict[str, OpenData] = {}
    journey = tendering_journey(client, market, clock, at=lambda stage: seen.__setitem__(stage, open_data(client)))
    return journey, seen


# --- validity and sealing --------------------------------------------------------------------------------


def test_every_package_served_at_every_stage_of_a_tender_is_valid_ocds(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    _, seen = watch_journey(client, market, clock)
    assert list(seen) == STAGES
    for stage, data in seen.items():
        assert data.feed and len(data.records) == 1, stage
        for package in data.feed:
            assert errors(RELEASE_PACKAGE, package) == [], stage
        for package in data.records.values():
            assert errors(RECORD_PACKAGE, package) == [], stage


def test_the_shipped_schemas_refuse_what_ocds_refuses(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    tendering_journey(client, market, clock)
    package = ok(client.get("/ocds/releases"))
    no_ocid, bad_lot, bad_date = copy.deepcopy(package), copy.deepcopy(package), copy.deepcopy(package)
    del no_ocid["releases"][0]["ocid"]
    bad_lot["releases"][0]["tender"]["lots"][0]["status"] = "open"  # not a tenderStatus: the lots patch applies
    bad_date["releases"][0]["date"] = "2 March 2026"
    assert errors(RELEASE_PACKAGE, no_ocid) == ["releases/0: 'ocid' is a required property"]
    assert [e.split(":")[0] for e in errors(RELEASE_PACKAGE, bad_lot)] == ["releases/0/tender/lots/0/status"]
    assert errors(RELEASE_PACKAGE, bad_date) == ["releases/0/date: '2 March 2026' is not a 'date-time'"]


def test_before_the_deadline_open_data_shows_no_bid_price_response_or_bidder(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    _, seen = watch_journey(client, market, clock)
    for stage in ("published", "bids-submitted"):
        text = json.dumps(seen[stage])
        assert [secret for secret in (*PRICES, *RESPONSES, *BIDDERS) if secret in text] == [], stage
    opened = json.dumps(seen["bids-opened"])
    assert [price for price in PRICES if price in opened] == [], "prices wait for the award"
    assert all(bidder in opened for bidder in BIDDERS), "bidders are named once their bids are opened"
    for stage in STAGES:
        assert [response for response in RESPONSES if response in json.dumps(seen[stage])] == [], stage
    contracted = json.dumps(seen["contracted"])
    assert [price for price in PRICES if price in contracted] == ["380000", "300000"], "only the awarded prices"


def test_tenderers_are_named_and_counted_once_the_bids_are_opened(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    _, seen = watch_journey(client, market, clock)
    before = compiled(seen["bids-submitted"])
    assert "tenderers" not in before["tender"] and "numberOfTenderers" not in before["tender"]
    assert [party["id"] for party in before["parties"]] == [COUNCIL]
    tender = compiled(seen["bids-opened"])["tender"]
    assert tender["numberOfTenderers"] == 3
    assert tender["tenderers"] == [
        {"id": RURAL, "name": "Rural Befrienders"},
        {"id": NATIONAL, "name": "National Care plc"},
        {"id": SEVERN, "name": "Severn Care Ltd"},
    ]


# --- what the releases say -------------------------------------------------------------------------------


def test_each_published_change_of_a_tender_is_one_release_with_its_tag(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey, seen = watch_journey(client, market, clock)
    tags = {stage: [release["tag"] for release in releases(data)] for stage, data in seen.items()}
    assert tags["published"] == [["tender"]]
    assert tags["bids-submitted"] == [["tender"], ["tenderUpdate"]]  # the question answered
    assert tags["contracted"] == [
        ["tender"],
        ["tenderUpdate"],
        ["tenderUpdate"],  # bids opened
        ["award"],
        ["award"],
        ["contract"],
        ["contract"],
    ]
    ocid = f"ocds-shr000-{journey.tender}"
    published = releases(seen["contracted"])
    assert {release["ocid"] for release in published} == {ocid}
    assert all(release["id"].startswith(ocid + "-") for release in published)
    assert len({release["id"] for release in published}) == len(published)
    assert [release["date"] for release in published] == sorted(release["date"] for release in published)
    first = published[0]["tender"]
    assert (first["status"], first["procurementMethod"], first["mainProcurementCategory"]) == (
        "active",
        "open",
        "services",
    )
    assert [(lot["id"], lot["value"]["amount"]) for lot in first["lots"]] == [("north", 400000), ("south", 350000)]


def test_parties_carry_their_roles_and_org_id_identifiers(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    _, seen = watch_journey(client, market, clock)
    parties = by_id(compiled(seen["contracted"])["parties"])
    assert {identifier: party["roles"] for identifier, party in parties.items()} == {
        COUNCIL: ["buyer", "procuringEntity"],
        RURAL: ["supplier", "tenderer"],
        NATIONAL: ["supplier", "tenderer"],
        SEVERN: ["tenderer"],
    }
    assert parties[RURAL]["identifier"] == {"scheme": "GB-CHC", "id": "1102345", "legalName": "Rural Befrienders"}
    assert parties[RURAL]["address"] == {
        "streetAddress": "4 Mill St",
        "locality": "Ludlow",
        "postalCode": "SY8 1BB",
        "countryName": "United Kingdom",
    }
    assert compiled(seen["contracted"])["buyer"] == {"id": COUNCIL, "name": "Shropshire Council"}


def test_an_award_names_the_supplier_the_lot_and_the_awarded_price_and_waits_out_standstill(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    _, seen = watch_journey(client, market, clock)
    awarded = by_id(compiled(seen["awarded"])["awards"])
    north = awarded["award-north"]
    assert north["value"] == {"amount": 380000, "currency": "GBP"}
    assert north["suppliers"] == [{"id": RURAL, "name": "Rural Befrienders"}]
    assert north["relatedLots"] == ["north"]
    assert north["description"] == "Most advantageous: highest quality at a competitive price"
    assert (awarded["award-south"]["value"]["amount"], awarded["award-south"]["relatedLots"]) == (300000, ["south"])
    assert {award["status"] for award in awarded.values()} == {"pending"}  # standstill
    after = by_id(compiled(seen["contracted"])["awards"])
    assert {award["status"] for award in after.values()} == {"active"}


def test_the_end_of_a_standstill_publishes_the_award_in_force_and_the_tender_stays_active_and_valid(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    tender = three_bid_tender(client, clock)
    for lot_id, bidder in (("north", RURAL), ("south", NATIONAL)):
        award = {"lot_id": lot_id, "bid_id": tender.bids[bidder], "reason": "Most advantageous"}
        ok(client.post(f"{tender.path}/award", json=award, headers=OFFICER))
    in_standstill = open_data(client)
    assert {a["status"] for a in compiled(in_standstill)["awards"]} == {"pending"}
    clock.advance(days=20)
    assert tick(market)["standstill ended"] == 2
    data = open_data(client)
    assert_valid(data)
    updates = [release for release in releases(data) if release["tag"] == ["awardUpdate"]]
    assert sorted(a["id"] for release in updates for a in release["awards"]) == ["award-north", "award-south"]
    after = compiled(data)
    assert {a["status"] for a in after["awards"]} == {"active"}
    assert after["tender"]["status"] == "active"  # awarded: the contracts are still to come


def test_a_contract_names_its_award_its_period_and_its_value(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey, seen = watch_journey(client, market, clock)
    record = compiled(seen["contracted"])
    contracts = by_id(record["contracts"])
    assert list(contracts) == journey.contracts
    north = contracts[journey.contracts[0]]
    assert (north["awardID"], north["status"], north["value"]) == (
        "award-north",
        "active",
        {"amount": 380000, "currency": "GBP"},
    )
    assert north["period"] == {"startDate": "2026-06-01T00:00:00Z", "endDate": "2028-05-31T23:59:59Z"}
    assert contracts[journey.contracts[1]]["awardID"] == "award-south"
    assert record["tender"]["status"] == "complete"
    assert [lot["status"] for lot in record["tender"]["lots"]] == ["complete", "complete"]


def test_a_contract_variation_and_a_termination_are_published(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey = tendering_journey(client, market, clock)
    north, south = journey.contracts
    vary = {"reason": "Extra sessions in Oswestry", "value": "390000"}
    ok(client.post(f"/contracts/{north}/vary", json=vary, headers=OFFICER))
    ending = {"reason": "Provider left the area", "effective": "2027-01-31"}
    ok(client.post(f"/contracts/{south}/terminate", json=ending, headers=OFFICER))
    data = open_data(client)
    assert_valid(data)
    assert [release["tag"] for release in releases(data)][-2:] == [["contractAmendment"], ["contractTermination"]]
    contracts = by_id(compiled(data)["contracts"])
    assert contracts[north]["value"]["amount"] == 390000
    assert [(a["id"], a["rationale"]) for a in contracts[north]["amendments"]] == [("1", "Extra sessions in Oswestry")]
    assert contracts[south]["status"] == "terminated"
    assert contracts[south]["period"]["endDate"] == "2027-01-31T23:59:59Z"


def test_records_merge_objects_by_field_arrays_of_objects_by_id_and_replace_everything_else() -> None:
    earlier = {
        "tender": {"id": "t", "title": "Day care", "lots": [{"id": "1", "title": "North", "status": "active"}]},
        "parties": [{"id": "A", "roles": ["tenderer"], "name": "A Ltd"}],
        "submissionMethod": ["written"],
        "note": "dropped by a later null",
    }
    later = {
        "tender": {"id": "t", "lots": [{"id": "1", "status": "complete"}, {"id": "2", "status": "active"}]},
        "parties": [{"id": "A", "roles": ["supplier", "tenderer"]}],
        "submissionMethod": ["electronicSubmission"],
        "note": None,
    }
    assert merge(earlier, later) == {
        "tender": {
            "id": "t",
            "title": "Day care",
            "lots": [{"id": "1", "title": "North", "status": "complete"}, {"id": "2", "status": "active"}],
        },
        "parties": [{"id": "A", "roles": ["supplier", "tenderer"], "name": "A Ltd"}],
        "submissionMethod": ["electronicSubmission"],
    }
    assert earlier["parties"] == [{"id": "A", "roles": ["tenderer"], "name": "A Ltd"}], "merging changes no release"


def test_a_compiled_release_is_tagged_compiled_and_dated_by_the_last_release(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey = tendering_journey(client, market, clock)
    record = ok(client.get(f"/ocds/records/ocds-shr000-{journey.tender}"))["records"][0]
    last = record["releases"][-1]
    assert record["compiledRelease"]["tag"] == ["compiled"]
    assert record["compiledRelease"]["date"] == last["date"]
    assert record["compiledRelease"]["id"] == f"ocds-shr000-{journey.tender}-{last['date']}"
    assert len(record["releases"]) == 7 and all("tag" in release for release in record["releases"])


# --- settings, paging, drafts, cancellation, amendment --------------------------------------------------


def test_the_ocid_prefix_and_the_publisher_are_settings(settings: Settings, clock: FixedClock) -> None:
    chosen = {
        "MARKETPLACE_OCID_PREFIX": "ocds-abc123",
        "MARKETPLACE_PUBLISHER_NAME": "Telford & Wrekin Council",
        "MARKETPLACE_PUBLISHER_IDENTIFIER": "GB-LAE-TFW",
    }
    configured = Settings.from_env(chosen)
    assert (configured.ocid_prefix, configured.publisher_name, configured.publisher_identifier) == (
        "ocds-abc123",
        "Telford & Wrekin Council",
        "GB-LAE-TFW",
    )
    market = Marketplace(
        replace(
            settings,
            ocid_prefix=configured.ocid_prefix,
            publisher_name=configured.publisher_name,
            publisher_identifier=configured.publisher_identifier,
        ),
        clock,
    )
    try:
        with TestClient(create_app(market)) as client:
            journey = tendering_journey(client, market, clock)
            data = open_data(client)
            missing = client.get(f"/ocds/records/ocds-shr000-{journey.tender}")
    finally:
        market.close()
    ocid = f"ocds-abc123-{journey.tender}"
    assert list(data.records) == [ocid]
    assert all(release["ocid"] == ocid and release["id"].startswith(ocid) for release in releases(data))
    assert missing.status_code == 404
    publisher = {"name": "Telford & Wrekin Council", "scheme": "GB-LAE", "uid": "TFW"}
    assert all(package["publisher"] == publisher for package in [*data.feed, *data.records.values()])
    assert_valid(data)


def test_the_feed_pages_in_log_order_after_a_position(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey = tendering_journey(client, market, clock)
    whole = ok(client.get("/ocds/releases"))["releases"]
    paged = open_data(client, limit=2)
    assert [len(package["releases"]) for package in paged.feed] == [2, 2, 2, 1]
    assert releases(paged) == whole
    assert "links" not in paged.feed[-1], "no next page after the last"

    first = client.get("/ocds/releases?limit=2")
    rest = client.get(f"/ocds/releases?after={first.headers['x-next-after']}")
    assert ok(rest)["releases"] == whole[2:]
    caught_up = client.get(f"/ocds/releases?after={rest.headers['x-next-after']}")
    assert caught_up.status_code == 204 and caught_up.headers["x-next-after"] == rest.headers["x-next-after"]

    vary = {"reason": "Extra sessions in Oswestry", "value": "390000"}
    ok(client.post(f"/contracts/{journey.contracts[0]}/vary", json=vary, headers=OFFICER))
    news = ok(client.get(f"/ocds/releases?after={caught_up.headers['x-next-after']}"))["releases"]
    assert [release["tag"] for release in news] == [["contractAmendment"]]


def test_a_draft_never_appears_in_open_data(client: TestClient[Any], market: Marketplace, clock: FixedClock) -> None:
    draft = ok(client.post("/tenders", json=tender_terms(clock), headers=OFFICER), 201)["id"]
    ok(client.post(f"/tenders/{draft}/cancel", json={"reason": "Drafted in error"}, headers=OFFICER))
    assert client.get("/ocds/releases").status_code == 204
    missing = client.get(f"/ocds/records/ocds-shr000-{draft}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert client.get("/ocds/records/ocds-shr000-not-a-tender").status_code == 404


def test_a_cancelled_tender_publishes_a_tender_cancellation(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    register_the_market(client)
    tender = publish_tender(client, clock)
    ok(
        client.post(
            f"/tenders/{tender}/cancel", json={"reason": "The service is now provided in-house"}, headers=OFFICER
        )
    )
    data = open_data(client)
    assert_valid(data)
    assert [release["tag"] for release in releases(data)] == [["tender"], ["tenderCancellation"]]
    tender_now = compiled(data)["tender"]
    assert tender_now["status"] == "cancelled"
    assert [lot["status"] for lot in tender_now["lots"]] == ["cancelled", "cancelled"]


def test_cancelling_the_last_open_lot_cancels_the_tender(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    register_the_market(client)
    tender = publish_tender(client, clock)
    for lot in ("north", "south"):
        ok(client.post(f"/tenders/{tender}/lots/{lot}/cancel", json={"reason": "No budget"}, headers=OFFICER))
    data = open_data(client)
    assert_valid(data)
    assert [release["tag"] for release in releases(data)] == [["tender"], ["tenderUpdate"], ["tenderCancellation"]]
    assert compiled(data)["tender"]["status"] == "cancelled"


def test_an_amendment_publishes_a_tender_amendment_with_its_rationale(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    register_the_market(client)
    tender = publish_tender(client, clock)
    deadline = (clock.now() + timedelta(days=40)).isoformat()
    north_only = [{"lot_id": "north", "title": "North Shropshire", "value": "400000.00"}]
    amendment = {"reason": "More time for site visits", "tender_deadline": deadline, "lots": north_only}
    ok(client.post(f"/tenders/{tender}/amend", json=amendment, headers=OFFICER))
    data = open_data(client)
    assert_valid(data)
    assert [release["tag"] for release in releases(data)] == [["tender"], ["tenderAmendment"]]
    amended = releases(data)[-1]["tender"]
    assert amended["amendments"] == [
        {
            "id": "1",
            "date": releases(data)[-1]["date"],
            "rationale": "More time for site visits",
            "description": "Changed: lots, tender deadline.",
        }
    ]
    assert amended["tenderPeriod"]["endDate"] == deadline.replace("+00:00", "Z")
    lots = compiled(data)["tender"]["lots"]
    assert [(lot["id"], lot["status"]) for lot in lots] == [("north", "active"), ("south", "cancelled")]
    assert compiled(data)["tender"]["value"]["amount"] == 400000


def test_a_sole_traders_address_stays_out_of_open_data(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    trader = "360G-shropshire-st0001"
    home = {"line1": "2 Church Lane", "town": "Clun", "postcode": "SY7 8JA"}
    body = registration(trader, name="Ann Example Care", legal_form="sole-trader", size="micro", vcse=False)
    ok(client.post("/organisations", json={**body, "address": home}, headers=provider(trader)), 201)
    tender = publish_tender(client, clock)
    ok(client.post(f"/tenders/{tender}/bids", json=offer({"north": "99000"}), headers=provider(trader)), 201)
    clock.advance(days=31)
    ok(client.post(f"/tenders/{tender}/open-bids", headers=OFFICER))
    data = open_data(client)
    assert_valid(data)
    trader_party = by_id(compiled(data)["parties"])[trader]
    assert trader_party["name"] == "Ann Example Care" and "address" not in trader_party
    assert trader_party["identifier"] == {"scheme": "360G", "id": "shropshire-st0001", "legalName": "Ann Example Care"}
    assert "Church Lane" not in json.dumps(data) and "SY7 8JA" not in json.dumps(data)


# --- a view like any other -------------------------------------------------------------------------------


def test_the_ocds_view_rebuilds_to_the_same_checksum_and_the_same_open_data(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    journey = tendering_journey(client, market, clock)
    ok(
        client.post(
            f"/contracts/{journey.contracts[0]}/vary", json={"reason": "More", "value": "390000"}, headers=OFFICER
        )
    )
    clock.advance(days=1)
    cancelled = publish_tender(client, clock)
    ok(client.post(f"/tenders/{cancelled}/cancel", json={"reason": "Withdrawn"}, headers=OFFICER))
    served = open_data(client)
    incremental = market.projector.checksums(["ocds"])
    assert market.projector.rebuild(["ocds"]) == incremental  # the whole log in one batch
    market.projector.batch_size = 3
    assert market.projector.rebuild(["ocds"]) == incremental  # a command's events split across batches
    assert open_data(client) == served
    with market.views() as session:
        for table in (ocds_tenders, ocds_contracts):
            rows = session.execute(select(table.c.version, table.c.events_folded)).all()
            assert rows and all(version == folded for version, folded in rows), table.name
