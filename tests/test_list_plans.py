"""Every list query reads an index in its order, with no temporary sort: on SQLite and on PostgreSQL, the plan of
each keyset-paged query a list route runs (projections/pagination.py) is asked of the database itself (EXPLAIN).

The queries are the ones the routes send, caught on their way (SQLAlchemy's `before_cursor_execute`): one marketplace
holds a real record of every kind (tests/authorisation_records.py), and every list route of the OpenAPI document
(a GET taking `cursor` and `limit`) is called by each kind of reader whose query differs (the public, an auditor,
the council's commissioner, a provider), with no filter and with each of its filters alone, and each of those again
for a second page, which adds the row-value condition `(a, b) > (?, ?)`. A filter's value is any of its type (an
enum's first value, `true`, a day, a real id): a plan follows the query's shape, not its values. Filters given
together need no index of their own: one filter at a time is what is asked of a list here. The second page is the
first page's query as `pagination.after` makes it for a cursor (one of the list's own sort key, values of its
columns' types), run after the request: every list has one so, whether it holds one row, none, or pages within
sections (the registrations work queue), and the first page's answer is left as it is.

- SQLite: `EXPLAIN QUERY PLAN`, with no ANALYZE. The production database had never run ANALYZE when these plans
  were first looked at, and without statistics SQLite chooses by the query's shape and the indexes alone: a plan
  that holds without them is the robust one (and statistics of a few test rows would say any sort is cheap). A
  plan fails on `USE TEMP B-TREE FOR ... ORDER BY` (a sort) or on a `SCAN` of a table that no index serves.
- PostgreSQL: on tables this small the planner prefers a sequential scan and a sort whatever the indexes, so
  `enable_seqscan` and `enable_sort` are turned off for the EXPLAIN (SET LOCAL, in a transaction rolled back): it
  then sorts only where no index gives the order. A plan fails on a `Sort` or `Incremental Sort` node, or on a
  `Seq Scan`.

One query may sort, and EXCEPTED says why; it may not scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import Column, Date, DateTime, Integer, Numeric, Select, event, inspect
from sqlalchemy.engine import Connection

from domain.base import Role
from marketplace.clock import FixedClock
from marketplace.service import Marketplace
from marketplace.write_side import write_side
from projections import pagination
from projections.columns import serves_lists_only
from projections.decisions import decision_log
from projections.engine import metadata
from projections.organisations.directory import organisations
from tests.authorisation_records import DATABASES, Records, marketplace_records
from tests.conftest import COUNCIL, bearer
from tests.journeys import OFFICER, RURAL, provider

READERS = {
    "the public": {},
    "an auditor": bearer(Role.AUDITOR, COUNCIL, "audrey"),
    "the commissioner": OFFICER,
    "a provider": provider(RURAL),
}
TEXT = {  # a value of each free-text filter
    "kind": "tender",
    "decision": "tender.awarded",
    "actor": "cathy",
    "organisation": RURAL,
    "district": "SY8",
    "parish": "Ludlow",
    "applicant": RURAL,
    "recipient": RURAL,
    "supplier": RURAL,
    "publisher": COUNCIL,
    "team": "Adult social care",
    "department": "Libraries",
    "q": "care",  # the free-text search of tenders, organisations and the care directory
}
IDS = {  # the filters and path parameters naming a record, and the path parameter of the write routes naming it
    "programme": "programme",
    "contract": "contract",
    "record": "contract",
    "grant": "grant",
    "service_id": "service",
    "tender": "tender",
}
TABLES = {table.name for table in (*metadata.sorted_tables, *write_side.sorted_tables)}
EXCEPTED = {  # a fragment of the statement: why its plan may sort
    "registrations.unchecked > ": "the registrations work queue's awaiting checks: applications (status applied) or "
    "listings with renewed evidence unchecked (status listed or suspended, unchecked > 0). An OR of statuses and a "
    "range of `unchecked` cannot be sought in applied order; the seek reads only the queue, which is then sorted. "
    "An index read in applied order would walk every registration ever made to find the few waiting.",
    "AS search_rank": "a free-text search (`q=`) of tenders, organisations or the care directory, best match first "
    "(projections/search). Its matches are found on the full-text index (FTS5 on SQLite, GIN on PostgreSQL), and "
    "their rank depends on the query's words: no index can hold that order, so ranking the matches is a sort of them "
    "(of the matches alone: the list's own rows are sought by id from each match).",
}


@dataclass(frozen=True)
class Query:
    """One statement a list route sent: what it was asked, and the statement and parameters it sent."""

    asked: str
    statement: str
    parameters: Any


@pytest.fixture(scope="module", params=DATABASES)
def records(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Records]:
    """One marketplace with a record of every kind, built once for the module (tests/authorisation_records.py)."""
    with marketplace_records(request.param, tmp_path_factory.mktemp("plans")) as built:
        yield built


Filters = list[tuple[str, dict[str, Any]]]


def list_routes(records: Records) -> dict[str, Filters]:
    """Every route taking `cursor` and `limit`, with its other query parameters (name, schema)."""
    paths = records.client.app.openapi_schema.to_schema()["paths"]
    found = {}
    for route, item in paths.items():
        parameters = item.get("get", {}).get("parameters", [])
        if {"cursor", "limit"} <= {p["name"] for p in parameters}:
            asked = [p for p in parameters if p["in"] == "query" and p["name"] not in {"cursor", "limit"}]
            found[route] = [(p["name"], p["schema"]) for p in asked]
    return found


def value_of(name: str, schema: dict[str, Any], components: dict[str, Any], ids: dict[str, str]) -> str | list[str]:
    """A value the filter takes: its enum's first, `true`, a day or a moment, a real id, or a text."""
    kind = next(s for s in schema.get("oneOf", [schema]) if s.get("type") != "null")
    if "$ref" in kind:
        return str(components[kind["$ref"].rsplit("/", 1)[1]]["enum"][0])
    if kind.get("type") == "array":  # the statuses of /tenders: one, as one filter alone asks
        return ["tendering"]
    if "pattern" in schema:  # ^(one|another)$
        return str(schema["pattern"].strip("^$()").split("|")[0])
    simple = {"boolean": "true", "integer": "1", "date": "2026-07-01", "date-time": "2026-07-01T00:00:00Z"}
    typed = simple.get(kind.get("format", kind.get("type")))
    return typed or ids.get(name) or TEXT[name]


def real_ids(records: Records) -> dict[str, str]:
    """For each filter or path parameter naming a record, the id of one: from the path a write route is sent to."""
    ids = {}
    for name, parameter in IDS.items():
        for (_, route), target in records.targets.items():
            parts = route.split("/")
            if f"{{{parameter}:str}}" in parts:
                ids[name] = target.path.split("/")[parts.index(f"{{{parameter}:str}}")]
                break
    return ids


def placeholder(column: Column[Any]) -> Any:
    """A value of the column's type, as a cursor holds it."""
    kind = column.type
    if isinstance(kind, DateTime | Date):
        return "2026-07-01T00:00:00+00:00" if isinstance(kind, DateTime) else "2026-07-01"
    return "0" if isinstance(kind, Numeric) else 0 if isinstance(kind, Integer) else ""


@dataclass(frozen=True)
class Caught:
    queries: list[Query]  # each distinct statement, with the first request that sent it
    routes: set[str]  # the routes that sent any


def captured(records: Records) -> Caught:
    """The statements with ORDER BY and LIMIT the list routes send, and their second pages: each query
    `pagination.after` orders for a first page is run again after the request, as `after` makes it for a cursor."""
    client, schema, ids = records.client, records.client.app.openapi_schema.to_schema(), real_ids(records)
    seen: dict[str, Query] = {}
    routes: set[str] = set()
    asked = ["", ""]  # the route, and the request
    second_pages: list[Select[Any]] = []
    ordered = pagination.after

    def catch(*sent: Any) -> None:
        statement, parameters = sent[2], sent[3]
        if statement.lstrip().upper().startswith("SELECT") and "ORDER BY" in statement and "LIMIT" in statement:
            seen.setdefault(statement, Query(asked[1], statement, parameters))
            routes.add(asked[0])

    def after(query: Select[Any], columns: list[Column[Any]], cursor: str | None) -> Select[Any]:
        if cursor is None:
            next_page = pagination.encode_cursor([placeholder(column) for column in columns])
            second_pages.append(ordered(query, columns, next_page).limit(101))
        return ordered(query, columns, cursor)

    event.listen(records.market.engine, "before_cursor_execute", catch)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pagination, "after", after)
            for route, filters in list_routes(records).items():
                path = re.sub(r"\{(\w+)\}", lambda found: ids[found.group(1)], route)
                asked[0] = route
                for reader, headers in READERS.items():
                    for name, schema_of in [("", {}), *filters]:
                        value = value_of(name, schema_of, schema["components"]["schemas"], ids) if name else None
                        asked[1] = f"GET {route} as {reader}, " + (f"{name}={value}" if name else "no filter")
                        client.get(path, params={name: value} if name else {}, headers=headers)
                        asked[1] += ", second page"
                        with records.market.engine.connect() as connection:
                            for query in second_pages:
                                connection.execute(query).all()
                        second_pages.clear()
    finally:
        event.remove(records.market.engine, "before_cursor_execute", catch)
    return Caught(list(seen.values()), routes)


Plan = tuple[list[str], list[str], list[str]]  # the plan's lines; those that sort; those that scan a table


def sqlite_plan(connection: Connection, query: Query) -> Plan:
    """The plan's lines, those that sort, and those that scan a table no index serves."""
    plan = [
        str(row[3]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query.statement}", query.parameters)
    ]
    sorts = [line for line in plan if line.startswith("USE TEMP B-TREE FOR") and "ORDER BY" in line]
    scans = [line for line in plan if (found := re.fullmatch(r"SCAN (\w+)( AS \w+)?", line)) and found[1] in TABLES]
    return plan, sorts, scans


def postgres_plan(connection: Connection, query: Query) -> Plan:
    """The plan's lines, its sorts, and its sequential scans (neither chosen where an index serves)."""
    with connection.begin() as transaction:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        plan = [str(row[0]) for row in connection.exec_driver_sql(f"EXPLAIN {query.statement}", query.parameters)]
        transaction.rollback()
    sorts = [line for line in plan if re.match(r"\s*(->\s+)?(Incremental )?Sort\s+\(", line)]
    return plan, sorts, [line for line in plan if "Seq Scan on " in line]


@pytest.fixture(scope="module")
def caught(records: Records) -> Caught:
    """What the list routes send, caught once for the module."""
    return captured(records)


def test_every_list_route_of_the_openapi_document_sends_its_query(records: Records, caught: Caught) -> None:
    """The routes whose plans are checked are all the paged lists: a list added to the API is checked too."""
    assert caught.routes == set(list_routes(records)), set(list_routes(records)) - caught.routes


def test_every_list_route_reads_an_index_in_order_without_a_temporary_sort(records: Records, caught: Caught) -> None:
    """Each statement's plan, from the database that runs it; every one that sorts or scans is listed, with its plan.
    A statement EXCEPTED names may sort (each says why) but not scan, and an exception no plan needs fails."""
    explain = sqlite_plan if records.market.engine.dialect.name == "sqlite" else postgres_plan
    wrong, excused = [], set()
    with records.market.engine.connect() as connection:
        for query in caught.queries:
            plan, sorts, scans = explain(connection, query)
            excuse = next((fragment for fragment in EXCEPTED if fragment in query.statement), None)
            if excuse and sorts:
                excused.add(excuse)
            faults = scans if excuse else sorts + scans
            if faults:
                wrong.append(f"{query.asked}: {'; '.join(faults)}\n    {query.statement}\n    " + "\n    ".join(plan))
    assert not wrong, "\n".join(["", *wrong])
    assert excused == set(EXCEPTED), "an exception no statement needs"


def test_a_new_marketplace_makes_the_indexes_an_existing_database_lacks(records: Records) -> None:
    """`create_all` leaves a table that exists as it is: the indexes declared since it was made are made on start."""
    dropped = {"tenders": "tenders_by_deadline", "letters": "letters_to"}  # a view's and the write side's
    with records.market.engine.begin() as connection:
        for index in dropped.values():
            connection.exec_driver_sql(f"DROP INDEX {index}")
    again = Marketplace(records.market.settings, FixedClock(datetime(2026, 7, 1, tzinfo=timezone.utc)))
    again.close()
    made = inspect(records.market.engine)
    for table, index in dropped.items():
        assert index in {found["name"] for found in made.get_indexes(table)}


def test_a_rebuild_leaves_every_declared_index_in_place_the_lists_own_made_after_the_fold(records: Records) -> None:
    """A rebuild makes the lists' own indexes once the log is folded (`list_index`); none may be left out."""
    records.market.projector.rebuild(["organisations", "decision_log"])
    made = inspect(records.market.engine)
    for table in (organisations, decision_log):
        declared = {str(index.name) for index in table.indexes}
        assert declared <= {found["name"] for found in made.get_indexes(table.name)}, table.name
        assert any(serves_lists_only(index) for index in table.indexes), table.name
