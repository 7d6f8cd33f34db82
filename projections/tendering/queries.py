"""The tendering views' queries in one place: tenders, questions, bids, evaluation, awards and contracts.

Each view lives in its own small module; callers import its queries from here.
"""

from __future__ import annotations

from projections.tendering.awards import award_notices, awards_for_tender, supplier_mix
from projections.tendering.bid_reads import bids_of_bidder, find_bid, submitted_bids
from projections.tendering.bids import bid_ids_for_tender, bids_for_tender
from projections.tendering.contracts import contracts_register, find_contract
from projections.tendering.evaluation_matrix import evaluation_matrix
from projections.tendering.outcomes import outcomes_of_bids, standstills_ended_by
from projections.tendering.tenders import find_tender, questions_for, search_tenders

__all__ = [
    "award_notices",
    "awards_for_tender",
    "bid_ids_for_tender",
    "bids_for_tender",
    "bids_of_bidder",
    "contracts_register",
    "evaluation_matrix",
    "find_bid",
    "find_contract",
    "find_tender",
    "outcomes_of_bids",
    "questions_for",
    "search_tenders",
    "standstills_ended_by",
    "submitted_bids",
    "supplier_mix",
]
