"""Tenders by their words: title, description and the lots' titles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from domain.tendering.tender import Tender
from projections.batch import Folds, Row, plain
from projections.search.index import SearchView, entry_changed, entry_made, ranked_page, search_tables
from projections.tendering.tenders import filtered_tenders, tenders

TENDER_SEARCH = search_tables("tender_search")
_SEARCHED = ("title", "description", "lots")


def _fields(terms: dict[str, Any]) -> Row:
    """The terms searched by, of those given: the lots by their titles alone."""
    found = {name: terms[name] for name in _SEARCHED if name in terms}
    if "lots" in found:
        found["lots"] = [plain(lot)["title"] for lot in found["lots"]]
    return found


def _text(fields: Row) -> tuple[str, list[str]]:
    return fields["title"], [fields["description"], *fields["lots"]]


class TenderSearch(SearchView):
    """Only what changes a tender's words is folded; whether a reader may see it is the tender board's to say."""

    name = "tender_search"
    search = TENDER_SEARCH
    tables = TENDER_SEARCH
    own_rows = TENDER_SEARCH.rows
    follows = (Tender,)
    folds: Folds = {
        Tender.Drafted: entry_made(TENDER_SEARCH, lambda e: _fields({n: getattr(e, n) for n in _SEARCHED}), _text),
        Tender.Revised: entry_changed(TENDER_SEARCH, lambda event: _fields(event.terms), _text),
        Tender.Amended: entry_changed(TENDER_SEARCH, lambda event: _fields(event.terms), _text),
    }
    ignores = (
        Tender.ConflictsAssessmentRecorded,
        Tender.Published,
        Tender.QuestionAsked,
        Tender.QuestionAnswered,
        Tender.TenderingClosed,
        Tender.BidsOpened,
        Tender.Awarded,
        Tender.ContractConcluded,
        Tender.LotCancelled,
        Tender.Cancelled,
        Tender.StandstillEnded,
    )


def matching_tenders(
    session: Session, words: Sequence[str], *, cursor: str | None = None, limit: int = 100, **filters: Any
) -> tuple[list[Row], str | None]:
    """The tenders `search_tenders` would list with these filters that match every word, best match first."""
    query = filtered_tenders(**filters)
    if query is None:
        return [], None
    return ranked_page(session, query, tenders.c.id, TENDER_SEARCH, words, cursor=cursor, limit=limit)
