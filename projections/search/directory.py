"""Care micro-enterprises by their words: trading name, services, postcode districts and parishes."""

from __future__ import annotations

from domain.care.registration import Registration
from projections.batch import Folds, Row
from projections.search.index import SearchView, entry_changed, entry_made, search_tables

DIRECTORY_SEARCH = search_tables("directory_search")
_SEARCHED = ("name", "services", "districts", "parishes")


def _text(fields: Row) -> tuple[str, list[str]]:
    return fields["name"], [*fields["services"], *fields["districts"], *fields["parishes"]]


class DirectorySearch(SearchView):
    """Every registration's words; the directory's own rules (listed, in date) say which are found."""

    name = "directory_search"
    search = DIRECTORY_SEARCH
    tables = DIRECTORY_SEARCH
    own_rows = DIRECTORY_SEARCH.rows
    follows = (Registration,)
    folds: Folds = {
        Registration.Applied: entry_made(DIRECTORY_SEARCH, lambda e: {n: getattr(e, n) for n in _SEARCHED}, _text),
        Registration.Resubmitted: entry_changed(
            DIRECTORY_SEARCH, lambda e: {n: v for n, v in e.changes.items() if n in _SEARCHED}, _text
        ),
    }
    ignores = (
        Registration.EvidenceAdded,
        Registration.CheckRecorded,
        Registration.Restored,
        Registration.AvailabilityUpdated,
        Registration.RenewalDue,
        Registration.Lapsed,
        Registration.Approved,
        Registration.Rejected,
        Registration.Withdrawn,
        Registration.Suspended,
        Registration.Reinstated,
    )
