"""OCDS 1.1 releases for open data: one per published change of a tender, folded from its events.

Drafts never appear: a tender's first release is its publication. Sealed content never reaches these
tables: of a bid only who bid for which tender is kept, and bidders are named only once the bids are
opened; an award's value is the award decision's. Releases are kept without `ocid` and `id`: the ocid
prefix is a setting, so the serving layer adds them and this view is the same under any prefix.
Parties are kept by identifier and role; their names and addresses are filled in when served. Mapping: docs/ocds.md.
"""

from projections.tendering.ocds.projection import OpenContracting, releases_after, releases_of
from projections.tendering.ocds.tables import ocds_contracts, ocds_tenders
from projections.tendering.ocds.values import org_id_scheme, stamp

__all__ = [
    "OpenContracting",
    "ocds_contracts",
    "ocds_tenders",
    "org_id_scheme",
    "releases_after",
    "releases_of",
    "stamp",
]
