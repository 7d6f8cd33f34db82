"""Who may do what with grants, and who may read what: one place for the API, the command line and the clock.

Officers run programmes, assess, decide and manage grants for the funding organisation alone; providers apply,
answer offers and report for their own organisation alone; the chronograph records windows and lapses.
Programme drafts are the council's; an application is its applicant's and the council's, though assessors'
scores and conflict statements are the council's only; a grant's record is its recipient's and the council's,
and the public grants register and 360Giving data show every grant made.
"""

from __future__ import annotations

from domain.base import Actor
from marketplace.access import OFFICERS, PROVIDERS, THE_CLOCK, OwnRecord, Permit, reads_for_the_council

# --- who may issue each command ---------------------------------------------------------------------------------

RUN_PROGRAMME = Permit("run a grant programme", OFFICERS)  # draft, publish, extend, adjust budget, close
RECORD_WINDOW = Permit("record a programme's window opening or closing", THE_CLOCK)
APPLY = Permit("apply for a grant", PROVIDERS)  # draft, save, submit, withdraw, answer an offer
ASSESS = Permit("assess grant applications", OFFICERS)  # assign, declare, score, moderate
DECIDE = Permit("decide grant applications", OFFICERS)  # request changes, offer, decline
LAPSE_OFFER = Permit("record an offer lapsing", THE_CLOCK)
MANAGE_GRANT = Permit("manage a grant", OFFICERS)  # conditions, payments, reviews, variations, clawback, close
REPORT = Permit("report on a grant", PROVIDERS | OFFICERS)  # monitoring returns, underspend

FUNDER_ONLY = OwnRecord("owner", "Only {owner} runs this programme.", rule="Funder")
GRANT_FUNDER_ONLY = OwnRecord("funder", "Only {owner} manages this grant.", rule="Funder")
APPLICANT_ONLY = OwnRecord("applicant", "Only the applicant may do this to its application.", rule="Applicant")
RECIPIENT_ONLY = OwnRecord("recipient", "Only the grant's recipient reports on it.", rule="Recipient")

# --- what each reader may see -----------------------------------------------------------------------------------

ASSESSMENT_EVENTS = frozenset({"InterestsDeclared", "Scored", "Moderated"})  # the council's, not the applicant's


def sees_programme(reader: Actor | None, published: bool) -> bool:
    """Published programmes are public; drafts the council's."""
    return published or reads_for_the_council(reader)


def sees_application(reader: Actor | None, applicant: str) -> bool:
    return reads_for_the_council(reader) or (reader is not None and reader.organisation == applicant)


def sees_assessment(reader: Actor | None) -> bool:
    """Assessors, their declarations and scores: the council's (the applicant sees the decision and feedback)."""
    return reads_for_the_council(reader)


def sees_grant(reader: Actor | None, recipient: str) -> bool:
    return reads_for_the_council(reader) or (reader is not None and reader.organisation == recipient)


def reports_as(actor: Actor, record: object) -> None:
    """A provider reports on its own grant only; an officer for its funder only."""
    if actor.role in PROVIDERS:
        RECIPIENT_ONLY.check(actor, record)
    else:
        GRANT_FUNDER_ONLY.check(actor, record)
