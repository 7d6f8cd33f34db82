"""Who publishes notices: the council's officers, each notice approved by the officer publishing it, who must be
named in the council's people register (the regulations want a named officer); a contract's notices by its
buyer's officers alone. Notices are public: everybody reads them, on every path."""

from __future__ import annotations

from marketplace.access import OFFICERS, Permit

PUBLISH_NOTICE = Permit("publish a notice", OFFICERS)
