"""The Community Right to Challenge's aggregates: the council's services and expressions of interest in them
(marketplace/capability.py)."""

from __future__ import annotations

from domain.challenge.council_service import Awaiting, CouncilService
from domain.challenge.expression import ExpressionOfInterest
from domain.challenge.terms import Member, Partner, Periods, Window
from marketplace.capability import Deadline, Declaration, told_of
from marketplace.challenge.deadlines import flag_overdue
from marketplace.challenge.services import Expressions, Services
from projections.challenge.expressions import ExpressionRegister, expressions_of_interest
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
        letters=told_of(
            "expression_of_interest.accepted",
            "expression_of_interest.modification_proposed",
            "expression_of_interest.rejected",
            to=expressions_of_interest.c.body,
            by=expressions_of_interest.c.id,
            path="/expressions-of-interest/{id}",
            because="the Localism Act 2011 (s.83) wants the relevant body notified of the council's decision on its "
            "expression of interest, with reasons",
        ),
    ),
)
