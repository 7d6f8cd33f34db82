"""Who may do what in tendering: the permit each command checks, the rule that one organisation alone acts on
its own record, and what each reader may see (drafts, bid records, sealed offers and the receipt's nonce).

The services check the permits and record rules, so the API, the command line and the clock are held to the same
rules; the API's routes are guarded by the same permits, so what a route admits and the service checks agree.
Every read path asks the read rules below.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.base import Actor, Role
from marketplace.access import OFFICERS, PROVIDERS, THE_CLOCK, OwnRecord, Permit, reads_for_the_council

# --- who may issue each command ---------------------------------------------------------------------------------

DRAFT_TENDER = Permit("draft a tender", OFFICERS)
MANAGE_TENDER = Permit("manage a tender", OFFICERS)  # revise, assess, publish, answer, amend, open, award, cancel
ASK_QUESTION = Permit("ask a clarification question", PROVIDERS)
CLOSE_TENDERING = Permit("close tendering", THE_CLOCK)  # the chronograph, at the deadline
END_STANDSTILL = Permit("end a standstill", THE_CLOCK)  # the chronograph, the day after the standstill's last
BID = Permit("bid", PROVIDERS)  # submit, replace, withdraw, reconfirm
EVALUATE = Permit("evaluate bids", OFFICERS)  # assign, declare, score, moderate
MANAGE_CONTRACT = Permit("manage a contract", OFFICERS)  # conclude, vary, terminate, decommission


BUYER_ONLY = OwnRecord("buyer", "Only {owner} manages this tender.", rule="Buyer")
BIDDER_ONLY = OwnRecord("bidder", "Only the bidder may change its bid.", rule="Bidder")
CONTRACT_BUYER_ONLY = OwnRecord("buyer", "Only {owner} manages this contract.", rule="Buyer")

# --- what each reader may see -----------------------------------------------------------------------------------


SEALED_FIELDS = ("prices", "responses")  # what a bid's offer says
NONCE_FIELD = "nonce"  # the bidder's secret half of its receipt


@dataclass(frozen=True)
class Seal:
    """What a bid's disclosure turns on: whether its tender's bids are opened, and which offer was."""

    tender_opened: bool = False
    opened_digest: str | None = None  # the receipt digest of this bid's offer that was opened, if it was


def sees_drafts(reader: Actor | None) -> bool:
    """Tenders never published (drafts, or drafts cancelled) and unanswered questions: the council's only."""
    return reads_for_the_council(reader)


def sees_bid(reader: Actor | None, bidder: str) -> bool:
    """Whose bid record it is to read at all: its bidder's and the council's."""
    return reads_for_the_council(reader) or (reader is not None and reader.organisation == bidder)


def sees_offer(reader: Actor | None, bidder: str, digest: str, seal: Seal) -> bool:
    """An offer's prices and responses.

    Sealed to everyone, its bidder and the council included, until the tender's bids are opened.
    Then the offer that was opened is for officers, auditors and its bidder; an offer replaced or
    withdrawn before the deadline was never evaluated, so it is its bidder's and the auditors' only.
    """
    if reader is None or not seal.tender_opened:
        return False
    if sees_unopened_offers(reader, bidder):
        return True
    return seal.opened_digest == digest and reads_for_the_council(reader)


def sees_unopened_offers(reader: Actor | None, bidder: str) -> bool:
    """Once the bids are opened, the offers that were not (replaced, or withdrawn): the bidder's and auditors'."""
    return reader is not None and (reader.role is Role.AUDITOR or _is_the_bidder(reader, bidder))


def sees_nonce(reader: Actor | None, bidder: str) -> bool:
    """The receipt's nonce lets its holder prove what it sent: the bidder's alone, never an officer's."""
    return reader is not None and _is_the_bidder(reader, bidder)


def _is_the_bidder(reader: Actor, bidder: str) -> bool:
    return reader.role is Role.PROVIDER and reader.organisation == bidder


def sealed_note(seal: Seal) -> str:
    """What a reader is shown in place of an offer it may not read."""
    if not seal.tender_opened:
        return "sealed until the bids are opened"
    return "an offer that was not opened: for its bidder and auditors"
