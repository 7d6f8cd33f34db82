"""Who may do what with the Community Right to Challenge, and who may read what: one place for the API, the
command line and the clock.

Officers keep the council's service register and consider expressions of interest for their own council alone;
providers express interests for their own organisation (or staff group) alone, answer a proposed modification and
withdraw; the chronograph flags decisions and procurements not made in time. The service register and the
register of expressions of interest and decisions are public; what an expression says (its finances, evidence,
plans) is its body's and the council's, and a staff group's members are never published.
"""

from __future__ import annotations

from domain.base import Actor
from marketplace.access import OFFICERS, PROVIDERS, THE_CLOCK, OwnRecord, Permit, reads_for_the_council

# --- who may issue each command ---------------------------------------------------------------------------------

KEEP_REGISTER = Permit("keep the council's service register", OFFICERS)  # register, update, publish windows
EXPRESS = Permit("express an interest in running a council service", PROVIDERS)  # submit, answer, withdraw
CONSIDER = Permit("consider expressions of interest", OFFICERS)  # acknowledge, propose, accept, reject
RECORD_OVERDUE = Permit("record a decision or procurement overdue", THE_CLOCK)

COUNCIL_ONLY = OwnRecord("owner", "Only {owner} keeps this service in its register.", rule="Council")
DECIDING_COUNCIL = OwnRecord("council", "Only {owner} considers this expression of interest.", rule="Council")
BODY_ONLY = OwnRecord("body", "Only the body that expressed the interest may do this.", rule="Body")

# --- what each reader may see -----------------------------------------------------------------------------------


def sees_expression(reader: Actor | None, body: str) -> bool:
    """All an expression says (and a staff group's members): the council's and its body's; others read the
    public register's entry."""
    return reads_for_the_council(reader) or (reader is not None and reader.organisation == body)
