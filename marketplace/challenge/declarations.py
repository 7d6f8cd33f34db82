"""The Community Right to Challenge's aggregates: the council's services and expressions of interest in them
(marketplace/capability.py)."""

from __future__ import annotations

from domain.challenge.council_service import Awaiting, CouncilService
from domain.challenge.expression import ExpressionOfInterest
from domain.challenge.terms import Member, Partner, Periods, Window
from marketplace.capability import Deadline, Declaration
from marketplace.challenge.deadlines import flag_overdue
from marketplace.challenge.services import Expressions, Services
from projections.challenge.expressions import ExpressionRegister
from projections.challenge.services import ServiceRegister

DECLARATIONS = (
    Declaration(
        "council_service",
        CouncilService,
        values=(Periods, Window, Awaiting),
        views=(ServiceRegister,),
        service=Services,
    ),
    Declaration(
        "expression_of_interest",
        ExpressionOfInterest,
        values=(Member, Partner),
        views=(ExpressionRegister,),
        service=Expressions,
        deadlines=(Deadline("challenge deadlines flagged", flag_overdue),),
    ),
)
