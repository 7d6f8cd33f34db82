"""Organisations by their words: name, town, postcode district and legal form."""

from __future__ import annotations

from typing import Any

from domain.organisations.organisation import Organisation
from domain.values import Address
from projections.batch import Folds, Row
from projections.search.index import SearchView, entry_changed, entry_made, search_tables

ORGANISATION_SEARCH = search_tables("organisation_search")


def _address(address: Address) -> Row:
    return {"town": address.town, "district": address.district}


def _registered(event: Organisation.Registered) -> Row:
    return {"name": event.name, "legal_form": event.legal_form, **_address(event.address)}


def _updated(event: Organisation.DetailsUpdated) -> Row:
    changes: dict[str, Any] = event.changes
    found: Row = {name: changes[name] for name in ("name", "legal_form") if name in changes}
    return {**found, **(_address(changes["address"]) if "address" in changes else {})}


def _text(fields: Row) -> tuple[str, list[str]]:
    return fields["name"], [fields["town"], fields["district"], fields["legal_form"]]


class OrganisationSearch(SearchView):
    name = "organisation_search"
    search = ORGANISATION_SEARCH
    tables = ORGANISATION_SEARCH
    own_rows = ORGANISATION_SEARCH.rows
    follows = (Organisation,)
    folds: Folds = {
        Organisation.Registered: entry_made(ORGANISATION_SEARCH, _registered, _text),
        Organisation.DetailsUpdated: entry_changed(ORGANISATION_SEARCH, _updated, _text),
    }
    ignores = (Organisation.Verified, Organisation.Deactivated)
