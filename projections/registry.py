"""Every projection the service keeps, by name."""

from __future__ import annotations

from projections.care.registrations import RegistrationViews
from projections.chain import AuditChain
from projections.decisions import DecisionLog
from projections.engine import Projection
from projections.organisations.directory import OrganisationDirectory
from projections.tendering.awards import AwardNotices
from projections.tendering.contracts import ContractRegister
from projections.tendering.evaluation import EvaluationViews
from projections.tendering.ocds import OpenContracting
from projections.tendering.tenders import TenderBoard


def all_projections() -> list[Projection]:
    return [
        OrganisationDirectory(),
        TenderBoard(),
        EvaluationViews(),
        AwardNotices(),
        ContractRegister(),
        OpenContracting(),
        RegistrationViews(),
        DecisionLog(),
        AuditChain(),
    ]
