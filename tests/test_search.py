"""Free-text search (`q=`) of tenders, organisations and the care directory: matched by the database's own full-text
index (FTS5 on SQLite, a GIN index on PostgreSQL), ranked in plain SQL alike, paged by cursor (projections/search)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from domain.base import MarketplaceAggregate
from domain.organisations.organisation import Organisation, OrganisationDetails
from domain.tendering.tender import Tender
from domain.tendering.terms import TermsChange
from domain.values import Address, Contact
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from projections.engine import Envelope, metadata
from projections.organisations.directory import OrganisationDirectory, search_organisations
from projections.search.organisations import OrganisationSearch
from projections.search.tenders import TenderSearch, matching_tenders
from projections.search.words import words_of
from projections.tendering.tenders import TenderBoard
from tests.conftest import POSTGRES_URL, registration, reset_postgres
from tests.journeys import OFFICER, ok, provider, tender_terms
from tests.tendering_fixtures import NO_CONFLICTS, POLICY, drafted, officer

# --- through the API, on each database -----------------------------------------------------------------------------


def organisation(client: TestClient[Any], identifier: str, name: str, town: str, postcode: str) -> None:
    body = registration(identifier, name=name, address={"line1": "1 High St", "town": town, "postcode": postcode})
    ok(client.post("/organisations", json=body, headers=provider(identifier)), 201)


def found(client: TestClient[Any], path: str, headers: dict[str, str] | None = None, **query: Any) -> list[str]:
    return [item["name"] for item in ok(client.get(path, params=query, headers=headers or {}))["items"]]


@pytest.fixture
def directory_of_organisations(client: TestClient[Any]) -> TestClient[Any]:
    organisation(client, "GB-CHC-1000001", "Oswestry Home Care", "Oswestry", "SY11 1AA")
    organisation(client, "GB-CHC-1000002", "Care Partners of Shropshire", "Oswestry", "SY11 2BB")
    organisation(client, "GB-CHC-1000003", "Ludlow Befrienders", "Ludlow", "SY8 1BB")
    organisation(client, "GB-CHC-1000004", "Caretakers Ludlow", "Ludlow", "SY8 2CC")
    return client


def test_a_word_of_the_name_ranks_above_a_word_found_elsewhere(directory_of_organisations: TestClient[Any]) -> None:
    """`oswestry` is the name's first word for one, the town of the other; `care` whole beats `caretakers`."""
    client = directory_of_organisations
    assert found(client, "/organisations", q="Oswestry") == ["Oswestry Home Care", "Care Partners of Shropshire"]
    care = found(client, "/organisations", q="care")
    assert set(care[:2]) == {"Oswestry Home Care", "Care Partners of Shropshire"}  # equal rank: then by id
    assert care[2:] == ["Caretakers Ludlow"]  # `care` begins a word of its name
    assert found(client, "/organisations", q="LUDLOW befr") == ["Ludlow Befrienders"]


def test_every_word_must_begin_a_word_of_what_is_found(directory_of_organisations: TestClient[Any]) -> None:
    client = directory_of_organisations
    assert set(found(client, "/organisations", q="car lud")) == {"Caretakers Ludlow"}
    assert found(client, "/organisations", q="are") == []  # inside a word is not the beginning of one
    assert found(client, "/organisations", q="Oswestry Ludlow") == []


def test_filters_combine_with_the_search(directory_of_organisations: TestClient[Any]) -> None:
    client = directory_of_organisations
    assert found(client, "/organisations", q="care", district="SY8") == ["Caretakers Ludlow"]
    assert set(found(client, "/organisations", q="care", district="SY11")) == {
        "Oswestry Home Care",
        "Care Partners of Shropshire",
    }
    assert found(client, "/organisations", q="ludlow", district="SY11") == []


def test_paging_by_cursor_gives_every_match_once_in_rank_order(directory_of_organisations: TestClient[Any]) -> None:
    client = directory_of_organisations
    whole = found(client, "/organisations", q="sy")
    assert len(whole) == 4
    paged: list[str] = []
    cursor = None
    while True:
        page = ok(
            client.get("/organisations", params={"q": "sy", "limit": 1, **({"cursor": cursor} if cursor else {})})
        )
        paged += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == whole


@pytest.mark.parametrize(
    "q",
    ["", "   ", "!!! ???", "x" * 201, "one two three four five six seven eight nine"],
    ids=["empty", "spaces", "no-letters", "too-long", "nine-words"],
)
@pytest.mark.parametrize("path", ["/organisations", "/tenders", "/directory"])
def test_a_search_asking_for_nothing_or_too_much_is_refused_naming_q(
    client: TestClient[Any], path: str, q: str
) -> None:
    answer = client.get(path, params={"q": q})
    assert answer.status_code == 400, answer.text
    assert [error["field"] for error in answer.json()["errors"]] == ["q"]


@pytest.mark.parametrize("q", ['"care" OR *', "care:* & !x", "NEAR(care ludlow)", "care' --", "ca-re"])
def test_the_engines_query_syntax_never_reaches_them(directory_of_organisations: TestClient[Any], q: str) -> None:
    assert ok(directory_of_organisations.get("/organisations", params={"q": q}))["items"] is not None


def test_a_tender_is_found_by_its_words_and_a_draft_only_by_officers(
    client: TestClient[Any], clock: FixedClock
) -> None:
    published = ok(client.post("/tenders", json=tender_terms(clock), headers=OFFICER), 201)
    path = f"/tenders/{published['id']}"
    ok(client.post(f"{path}/conflicts-assessment", json={"conflicts_found": False, "reason": "None"}, headers=OFFICER))
    ok(client.post(f"{path}/publish", json={"reason": "Approved by the board"}, headers=OFFICER))
    draft = {**tender_terms(clock), "title": "Draft befriending service", "description": "Isolation in Clun."}
    ok(client.post("/tenders", json=draft, headers=OFFICER), 201)

    def titles(q: str, headers: dict[str, str] | None = None) -> list[str]:
        query = {"q": q, "status": ["draft", "tendering"]}
        return [item["title"] for item in ok(client.get("/tenders", params=query, headers=headers or {}))["items"]]

    assert titles("north shropshire") == ["Community day opportunities for older people"]  # a lot's title
    assert titles("isolation") == ["Community day opportunities for older people"]  # the public: no draft, if asked
    assert titles("befriending") == []
    assert titles("befriending", OFFICER) == ["Draft befriending service"]
    assert sorted(titles("isolation", OFFICER)) == [
        "Community day opportunities for older people",
        "Draft befriending service",
    ]


def test_an_amended_tender_is_found_by_its_new_title_not_its_old_and_a_rebuild_finds_the_same(
    client: TestClient[Any], market: Marketplace, clock: FixedClock
) -> None:
    created = ok(client.post("/tenders", json=tender_terms(clock), headers=OFFICER), 201)
    path = f"/tenders/{created['id']}"
    ok(client.post(f"{path}/conflicts-assessment", json={"conflicts_found": False, "reason": "None"}, headers=OFFICER))
    ok(client.post(f"{path}/publish", json={"reason": "Approved by the board"}, headers=OFFICER))
    amended = {"title": "Befriending for older people in Oswestry", "reason": "Scope narrowed by the board"}
    ok(client.post(f"{path}/amend", json=amended, headers=OFFICER))

    def ids(q: str) -> list[str]:
        return [item["id"] for item in ok(client.get("/tenders", params={"q": q}))["items"]]

    assert ids("oswestry befriending") == [created["id"]]
    assert ids("community") == []
    before = {q: ids(q) for q in ("oswestry", "community", "older", "north")}
    market.projector.rebuild(["tender_search"])
    assert {q: ids(q) for q in before} == before
    assert all(comparison.same for comparison in market.projector.check(["tender_search", "organisation_search"]))


# --- a generated data set: the same ordered ids on SQLite and PostgreSQL ------------------------------------------

VOCABULARY = [
    "care",
    "home",
    "day",
    "respite",
    "older",
    "people",
    "oswestry",
    "ludlow",
    "clun",
    "shrewsbury",
    "bishop's",
    "castle",
    "community",
    "befriending",
    "transport",
    "meals",
    "dementia",
    "carers",
    "café",
    "naïve",
    "Über",
    "support",
    "garden",
    "rural",
    "market",
    "valley",
    "north",
    "south",
    "SY7",
    "SY11",
    "2026",
]
QUERIES = ["care", "car", "oswestry care", "day respite", "cafe", "naive", "uber", "sy1", "2026", "c", "o p", "zzz"]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)).title()


def generated_events(seed: int = 16, count: int = 300) -> list[Envelope]:
    """Organisations and tenders (some drafts, some published, some amended) of seeded random words, as the log."""
    rng, aggregates = random.Random(seed), list[MarketplaceAggregate]()
    for n in range(count // 2):
        town = rng.choice(["Oswestry", "Ludlow", "Clun", "Shrewsbury"])
        details = OrganisationDetails(
            identifier=f"GB-CHC-{2000000 + n}",
            name=_text(rng, rng.randint(1, 4)),
            legal_form=rng.choice(["charitable-trust", "company", "community-interest-company"]),
            size="small",
            vcse=True,
            address=Address("1 High Street", town, rng.choice(["SY11 1AA", "SY8 1BB", "SY7 8JA", "SY1 3FE"])),
            contact=Contact("Mo", "mo@example.org"),
        )
        aggregates.append(Organisation.register(officer(), details))
    for _ in range(count // 2):
        tender = drafted(title=_text(rng, rng.randint(2, 6)), description=_text(rng, rng.randint(3, 12)))
        if rng.random() < 0.7:
            tender.record_conflicts_assessment(officer(), NO_CONFLICTS, "No interests declared")
            tender.publish(officer(), POLICY, "Approved")
            if rng.random() < 0.3:
                tender.amend(officer(), POLICY, "Scope changed", TermsChange(title=_text(rng, rng.randint(2, 4))))
        aggregates.append(tender)
    events = [event for aggregate in aggregates for event in aggregate.collect_events()]
    return [Envelope(position, event) for position, event in enumerate(events, start=1)]


def folded_database(url: str, envelopes: list[Envelope]) -> Engine:
    engine = create_engine(url)
    views = [OrganisationDirectory(), OrganisationSearch(), TenderBoard(), TenderSearch()]
    tables = [table for view in views for table in view.tables]
    metadata.create_all(engine, tables=tables)
    with Session(engine) as session:
        for view in views:
            view.apply(session, [e for e in envelopes if view.wants_class(type(e.event))])
        session.commit()
    return engine


def ordered_ids(engine: Engine) -> dict[str, list[str]]:
    """Every query's matches, organisations and public tenders, each read page by page (7 a page)."""
    answers = {}
    with Session(engine) as session:
        for q in QUERIES:
            words = tuple(q.split())
            for kind, search in (("organisations", _organisations), ("tenders", _tenders)):
                ids, cursor = [], None
                while True:
                    rows, cursor = search(session, words, cursor)
                    ids += [row["id"] for row in rows]
                    if cursor is None:
                        break
                answers[f"{kind}?q={q}"] = ids
    return answers


def _organisations(session: Session, words: tuple[str, ...], cursor: str | None) -> Any:
    return search_organisations(session, words=words, cursor=cursor, limit=7)


def _tenders(session: Session, words: tuple[str, ...], cursor: str | None) -> Any:
    return matching_tenders(session, words, statuses=None, published_only=True, cursor=cursor, limit=7)


@pytest.fixture(scope="module")
def generated() -> list[Envelope]:
    return generated_events()


@pytest.fixture(scope="module")
def on_sqlite(generated: list[Envelope], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[str]]]:
    engine = folded_database(f"sqlite:///{tmp_path_factory.mktemp('search') / 'search.db'}", generated)
    yield ordered_ids(engine)
    engine.dispose()


def test_a_generated_data_set_is_searched_as_a_reader_would_expect(
    generated: list[Envelope], on_sqlite: dict[str, list[str]]
) -> None:
    """Each answer is every record whose words begin with each query word, drafts left out, each once."""
    searched: dict[str, list[tuple[str, str]]] = {"organisations": [], "tenders": []}
    for envelope in generated:
        event = envelope.event
        if isinstance(event, Organisation.Registered):
            text = f"{event.name} {event.address.town} {event.address.district} {event.legal_form}"
            searched["organisations"].append((str(event.originator_id), text))
    published, tender_terms_now = set(), dict[str, dict[str, Any]]()
    for envelope in generated:
        event, key = envelope.event, str(envelope.event.originator_id)
        if isinstance(event, Tender.Drafted):
            tender_terms_now[key] = {"title": event.title, "description": event.description, "lots": event.lots}
        elif isinstance(event, Tender.Amended):
            tender_terms_now[key] = {**tender_terms_now[key], **event.terms}
        elif isinstance(event, Tender.Published):
            published.add(key)
    for key in sorted(published):
        now = tender_terms_now[key]
        lots = " ".join(lot.title for lot in now["lots"])
        searched["tenders"].append((key, f"{now['title']} {now['description']} {lots}"))
    for q in QUERIES:
        for kind, records in searched.items():
            expected = {
                id_ for id_, text in records if all(any(w.startswith(q_) for w in words_of(text)) for q_ in q.split())
            }
            answer = on_sqlite[f"{kind}?q={q}"]
            assert len(answer) == len(set(answer)) and set(answer) == expected, f"{kind}?q={q}"
    assert sum(map(len, on_sqlite.values())) > 300  # the queries find a good part of the data set


@pytest.mark.postgres
def test_a_generated_data_set_gives_the_same_ordered_ids_on_sqlite_and_postgresql(
    generated: list[Envelope], on_sqlite: dict[str, list[str]]
) -> None:
    if not POSTGRES_URL:
        pytest.skip("MARKETPLACE_TEST_POSTGRES_URL is not set")
    reset_postgres(POSTGRES_URL)
    engine = folded_database(POSTGRES_URL, generated)
    try:
        assert ordered_ids(engine) == on_sqlite
    finally:
        engine.dispose()
