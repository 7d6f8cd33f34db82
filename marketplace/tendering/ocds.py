"""OCDS 1.1 release and record packages, served from the releases the `ocds` view keeps.

The view keeps releases without `ocid` and `id` because the ocid prefix is a setting; they are added
here, with the package metadata. A record compiles a tender's releases by the OCDS merge rules.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple
from uuid import UUID

from domain.organisations.organisation import Organisation, organisation_uuid
from domain.rules import NotFound
from marketplace.organisations.access import sees_address
from marketplace.persistence import aggregate_log
from marketplace.service import Marketplace
from marketplace.settings import Settings
from marketplace.tendering.ocds_planning import with_planning
from projections.batch import utc
from projections.tendering.ocds import org_id_scheme, releases_after, releases_of, stamp
from projections.tendering.ocds.values import ocds_address

Document = dict[str, Any]

VERSION = "1.1"
EXTENSIONS = [  # the exact versions whose schemas are shipped in schemas/ocds/ (see its README)
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/"
    "a0df51b5214325561d4efde52f775ea75271c683/extension.json",
]
# The council this service runs for publishes the data (a setting), under the UK's usual open data licence.
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OMITTED_WHEN_MERGED = ("id", "date", "tag")  # a release's own; the compiled release gets its own


class ReleasePage(NamedTuple):
    """A release package (None when nothing follows `after`) and the position to continue from."""

    package: Document | None
    next_after: int


def ocid(prefix: str, tender_id: str) -> str:
    return f"{prefix}-{tender_id}"


def tender_id_of(prefix: str, an_ocid: str) -> str | None:
    """The tender an ocid names, if it is one of ours (a tender id in its canonical form, after our prefix)."""
    if not an_ocid.startswith(prefix + "-"):
        return None
    tender_id = an_ocid[len(prefix) + 1 :]
    try:
        return tender_id if str(UUID(tender_id)) == tender_id else None
    except ValueError:
        return None


class Party(NamedTuple):
    """What open data says of an organisation as it stood: a person's address (sole trader, partner) is left out."""

    name: str
    address: Document | None


class PartyBook:
    """Each party as it stood at each release, folded from its own events: read once per organisation per request."""

    def __init__(self, market: Marketplace) -> None:
        self.market = market
        self.histories: dict[str, list[tuple[int, Party, str]]] = {}

    def at(self, identifier: str, position: int) -> Party | None:
        """The organisation after its last event before `position` (the release's); None if it had none.

        Its address as the public may see it (marketplace.organisations.access): left out if the organisation was of
        people (a sole trader, a partnership) then, or is now.
        """
        history = self.histories.get(identifier)
        if history is None:
            history = self.histories[identifier] = self._history(identifier)
        stood: tuple[Party, str] | None = None
        for changed_at, party, legal_form in history:
            if changed_at >= position:
                break
            stood = (party, legal_form)
        if stood is None:
            return None
        party, legal_form = stood
        if sees_address(None, identifier, [legal_form, history[-1][2]]):
            return party
        return party._replace(address=None)

    def _history(self, identifier: str) -> list[tuple[int, Party, str]]:
        with self.market.views() as session:
            stored = aggregate_log(session, self.market.app.recorder, organisation_uuid(identifier))
        history: list[tuple[int, Party, str]] = []
        organisation: Any = None
        for notification in stored:
            event: Any = self.market.app.mapper.to_domain_event(notification)
            organisation = event.mutate(organisation)
            if isinstance(organisation, Organisation):
                party = Party(organisation.name, ocds_address(organisation.address))
                history.append((notification.id, party, organisation.legal_form))
        return history


def _named(book: PartyBook, position: int, release: Document) -> Document:
    """The release with its parties' names and addresses, and the names its references leave out, as they stood."""
    for entry in release.get("parties", []):
        party = book.at(entry["id"], position)
        if party is not None:
            entry["name"] = entry["identifier"]["legalName"] = party.name
            if party.address is not None:
                entry["address"] = party.address
    tender = release.get("tender", {})
    references = [release.get("buyer"), tender.get("procuringEntity"), *tender.get("tenderers", [])]
    references += [supplier for award in release.get("awards", []) for supplier in award.get("suppliers", [])]
    for reference in references:
        if reference is not None and "name" not in reference:
            party = book.at(reference["id"], position)
            if party is not None:
                reference["name"] = party.name
    return release


def served(prefix: str, book: PartyBook, row: Document) -> Document:
    """A stored release as published: with its ocid, its id (unique within the ocid), its parties named and, for a
    tender naming a service, its planning section (marketplace/tendering/ocds_planning.py)."""
    release_ocid = ocid(prefix, row["tender_id"])
    release = _named(book, row["position"], row["release"])  # fresh from its query: named in place
    with_planning(book.market, public_url(book.market.settings), row["tender_id"], row["position"], release)
    return {"ocid": release_ocid, "id": f"{release_ocid}-{row['release_id']}", **release}


def publisher(settings: Settings) -> Document:
    scheme, uid = org_id_scheme(settings.publisher_identifier)
    return {"name": settings.publisher_name, "scheme": scheme, "uid": uid}


def package(settings: Settings, uri: str, published: str) -> Document:
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": published,
        "publisher": publisher(settings),
        "license": LICENCE,
        "extensions": EXTENSIONS,
    }


def public_url(settings: Settings) -> str:
    """Where the public reaches the API (MARKETPLACE_PUBLIC_URL): never a request's Host header, which
    anyone can set, and which a cache would then serve to everyone in the package's `uri` and links."""
    return settings.public_url.rstrip("/")


def release_package(market: Marketplace, after: int, limit: int) -> ReleasePage:
    """The releases after a log position, in log order; `links.next` when more follow."""
    with market.views() as session:
        rows = releases_after(session, after, limit)
    page, more = rows[:limit], len(rows) > limit
    if not page:
        return ReleasePage(None, after)
    last = page[-1]["position"]
    feed, book = f"{public_url(market.settings)}/ocds/releases", PartyBook(market)
    document = {
        **package(market.settings, f"{feed}?after={after}&limit={limit}", stamp(max(utc(row["date"]) for row in page))),
        "releases": [served(market.settings.ocid_prefix, book, row) for row in page],
    }
    if more:
        document["links"] = {"next": f"{feed}?after={last}&limit={limit}"}
    return ReleasePage(document, last)


def record_package(market: Marketplace, an_ocid: str) -> Document:
    """One tender's record: every release, and the compiled release."""
    prefix = market.settings.ocid_prefix
    tender_id = tender_id_of(prefix, an_ocid)
    with market.views() as session:
        rows = releases_of(session, tender_id) if tender_id else []
    if not rows:
        raise NotFound("OCDS record", an_ocid)
    rows.sort(key=lambda row: utc(row["date"]))  # date order (stable: log order within a date)
    book = PartyBook(market)
    releases = [served(prefix, book, row) for row in rows]
    record = {"ocid": an_ocid, "releases": releases, "compiledRelease": compile_release(an_ocid, releases)}
    published = releases[-1]["date"]
    uri = f"{public_url(market.settings)}/ocds/records/{an_ocid}"
    return {**package(market.settings, uri, published), "records": [record]}


def compile_release(an_ocid: str, releases: list[Document]) -> Document:
    """Merge releases in date order: the record's current picture, tagged `compiled`."""
    compiled: Document = {}
    for release in releases:
        compiled = merge(compiled, {k: v for k, v in release.items() if k not in OMITTED_WHEN_MERGED})
    last = releases[-1]["date"]
    return {**compiled, "id": f"{an_ocid}-{last}", "date": last, "tag": ["compiled"]}


def merge(earlier: Any, later: Any) -> Any:
    """OCDS merge: objects merge field by field (null removes a field), arrays of objects that all have
    an `id` merge item by item on it, and any other value or array replaces what was there."""
    if isinstance(later, dict):
        merged = dict(earlier) if isinstance(earlier, dict) else {}
        for key, value in later.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = merge(merged.get(key), value)
        return merged
    if _identified(later):
        return _merge_by_id(earlier if _identified(earlier) else [], later)
    return copy.deepcopy(later)


def _identified(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) and "id" in item for item in value)


def _merge_by_id(earlier: list[Document], later: list[Document]) -> list[Document]:
    """Items keep their first place; new ids follow in the order they came."""
    items = {str(item["id"]): item for item in earlier}
    for item in later:
        key = str(item["id"])
        items[key] = merge(items.get(key), item)
    return list(items.values())
