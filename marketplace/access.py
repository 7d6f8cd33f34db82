"""Who may do what, in the words every context's policy uses: the role groups, defined once, and a `Permit`
each command checks in its service, so the rule holds for the API, the CLI and the clock alike.

Each context names its own permits and disclosure rules beside its services (`marketplace/<context>/access.py`);
the API reads a permit's roles for its route guard and its documentation, so what a route admits and what the
service checks cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.base import Actor, Role
from domain.rules import DomainError, Refusal

OFFICERS = frozenset({Role.COMMISSIONER, Role.ADMIN})  # decide for the council
COUNCIL_READERS = OFFICERS | {Role.AUDITOR}  # read for the council; auditors read everything and write nothing
PROVIDERS = frozenset({Role.PROVIDER})
SIGNED_IN = frozenset(Role) - {Role.SYSTEM}  # anyone with a token
THE_CLOCK = frozenset({Role.SYSTEM})  # the chronograph, recording deadlines as they pass


def reads_for_the_council(reader: Actor | None) -> bool:
    return reader is not None and reader.role in COUNCIL_READERS


@dataclass(frozen=True)
class Permit:
    """Who may issue one command: the roles that may, and the action named when anyone else is refused."""

    action: str
    roles: frozenset[Role]

    def allows(self, actor: Actor) -> bool:
        return actor.role in self.roles

    def check(self, actor: Actor) -> None:
        """Refuse (403) an actor whose role may not take this action."""
        if not self.allows(actor):
            allowed = ", ".join(sorted(role.value for role in self.roles))
            raise DomainError(
                f"To {self.action} is for the {allowed} role, not {actor.role.value}.",
                kind=Refusal.FORBIDDEN,
                rule="RoleAllows",
            )


@dataclass(frozen=True)
class OwnRecord:
    """One organisation alone acts on a record: a tender and its contracts are their buyer's, a bid its bidder's."""

    owner: str  # the record's attribute that names the organisation it is
    message: str  # what the refused are told: `{owner}` is that organisation
    rule: str = ""  # names the problem type; "" keeps the generic one

    def check(self, actor: Actor, record: object) -> None:
        """Refuse (403) an actor acting for any other organisation than the record's."""
        owner = getattr(record, self.owner)
        if actor.organisation != owner:
            raise DomainError(self.message.format(owner=owner), kind=Refusal.FORBIDDEN, rule=self.rule)
