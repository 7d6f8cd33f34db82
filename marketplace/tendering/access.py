"""What each reader may see of a bid: sealed offers, and the receipt's nonce (every read path asks these)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.base import Actor, Role
from marketplace.access import reads_for_the_council

SEALED_FIELDS = ("prices", "responses")  # what a bid's offer says
NONCE_FIELD = "nonce"  # the bidder's secret half of its receipt


@dataclass(frozen=True)
class Seal:
    """What a bid's disclosure turns on: whether its tender's bids are opened, and which offer was."""

    tender_opened: bool = False
    opened_digest: str | None = None  # the receipt digest of this bid's offer that was opened, if it was


def sees_offer(reader: Actor | None, bidder: str, digest: str, seal: Seal) -> bool:
    """An offer's prices and responses.

    Sealed to everyone, its bidder and the council included, until the tender's bids are opened.
    Then the offer that was opened is for officers, auditors and its bidder; an offer replaced or
    withdrawn before the deadline was never evaluated, so it is its bidder's and the auditors' only.
    """
    if reader is None or not seal.tender_opened:
        return False
    if reader.role is Role.AUDITOR or (reader.organisation == bidder and reader.role is Role.PROVIDER):
        return True
    return seal.opened_digest == digest and reads_for_the_council(reader)


def sees_nonce(reader: Actor | None, bidder: str) -> bool:
    """The receipt's nonce lets its holder prove what it sent: the bidder's alone, never an officer's."""
    return reader is not None and reader.role is Role.PROVIDER and reader.organisation == bidder


def sealed_note(seal: Seal) -> str:
    """What a reader is shown in place of an offer it may not read."""
    if not seal.tender_opened:
        return "sealed until the bids are opened"
    return "an offer that was not opened: for its bidder and auditors"
