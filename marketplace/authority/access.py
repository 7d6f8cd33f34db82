"""Who keeps the scheme of delegation and who reads it: admins record and revoke its entries; the council's
readers (officers and auditors) read it, so anyone checking a decision can see the authority it used."""

from __future__ import annotations

from domain.base import Role
from marketplace.access import OFFICERS, OwnRecord, Permit

KEEP_SCHEME = Permit("keep the council's scheme of delegation", frozenset({Role.ADMIN}))
COUNCIL_ONLY = OwnRecord("owner", "Only {owner} keeps this scheme of delegation.", rule="Council")
SETTLE_HELD = Permit("approve or decline a decision held for approval", OFFICERS)
HELD_FOR_COUNCIL = OwnRecord("owner", "Only {owner}'s officers settle this held decision.", rule="Council")
