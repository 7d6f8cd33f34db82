"""Tendering's aggregates: tenders, bids, evaluations and contracts (marketplace/capability.py)."""

from __future__ import annotations

from domain.payments.terms import OutcomePrice
from domain.tendering.bid import Bid
from domain.tendering.contract import Contract
from domain.tendering.evaluation import Evaluation, OpenedBid
from domain.tendering.performance import Kpi, Measurement
from domain.tendering.procurement import Criterion, Lot
from domain.tendering.tender import Assessment, Award, Supplier, Tender
from domain.tendering.terms import AwardLot, Selection, Variation, VaryContract
from marketplace.capability import Deadline, Declaration
from marketplace.tendering.deadlines import close_tendering, end_standstills
from marketplace.tendering.sealing import Sealer
from marketplace.tendering.services import Bids, Contracts, Evaluations, Tenders
from projections.payments.outcomes import ContractOutcomes
from projections.search.tenders import TenderSearch
from projections.tendering.awards import AwardNotices
from projections.tendering.contracts import ContractRegister
from projections.tendering.evaluation import EvaluationViews
from projections.tendering.kpis import KpiDashboard
from projections.tendering.ocds import OpenContracting
from projections.tendering.outcomes import TenderOutcomes
from projections.tendering.tenders import TenderBoard

DECLARATIONS = (
    Declaration(
        "tender",
        Tender,
        values=(Lot, Criterion, Supplier, Assessment, Award, AwardLot, Selection),  # held decisions hold an AwardLot
        views=(TenderBoard, AwardNotices, OpenContracting, TenderOutcomes, TenderSearch),
        service=Tenders,
        deadlines=(Deadline("tendering closed", close_tendering), Deadline("standstill ended", end_standstills)),
    ),
    Declaration("bid", Bid, views=(TenderBoard, OpenContracting), service=Bids, redactor=Sealer),
    Declaration(
        "evaluation", Evaluation, values=(OpenedBid,), views=(EvaluationViews, TenderOutcomes), service=Evaluations
    ),
    Declaration(
        "contract",
        Contract,
        values=(VaryContract, Variation, OutcomePrice, Kpi, Measurement),  # a held decision holds the first two
        views=(ContractRegister, OpenContracting, ContractOutcomes, KpiDashboard),
        service=Contracts,
    ),
)
