"""Notices' aggregate: what the council publishes under the Procurement Act 2023 (marketplace/capability.py)."""

from __future__ import annotations

from domain.notices.content import (
    ContractChange,
    ContractPerformance,
    ContractTermination,
    KpiAssessment,
    LargePayment,
    LargePayments,
    NamedOfficer,
)
from domain.notices.notice import Notice
from domain.payments.compliance import Performance
from marketplace.capability import Declaration
from marketplace.notices.services import Notices
from projections.notices.notices import NoticeRegister

DECLARATIONS = (
    Declaration(
        "notice",
        Notice,
        values=(
            NamedOfficer,
            Performance,
            LargePayments,
            LargePayment,
            ContractPerformance,
            KpiAssessment,
            ContractChange,
            ContractTermination,
        ),
        views=(NoticeRegister,),
        service=Notices,
    ),
)
