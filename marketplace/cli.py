"""The `marketplace` command: serve, project, rebuild, checksums, verify, checkpoint, token, tick, demo."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url
from sqlalchemy.exc import OperationalError

from domain.base import Actor, Role
from marketplace.anchors import anchor_argument
from marketplace.application import MarketplaceApp
from marketplace.clock import FixedClock
from marketplace.projector import Progress
from marketplace.service import Marketplace
from marketplace.settings import Settings
from marketplace.tokens import DEV_TOKENS_OFF, issue_token, jwt_secret


def settings_from_env(overrides: Mapping[str, str] | None = None) -> Settings:
    """The settings, or a clear refusal (exit 2) naming the setting at fault, rather than a traceback."""
    try:
        return Settings.from_env({**os.environ, **(overrides or {})})
    except ValueError as refused:
        print(f"marketplace: {refused}", file=sys.stderr)
        raise SystemExit(2) from None


def market_for(settings: Settings) -> Marketplace:
    """The marketplace on the settings' database and clock (a demo store's may run ahead: MARKETPLACE_CLOCK_OFFSET)."""
    return Marketplace(settings, settings.clock())


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = settings_from_env()
    jwt_secret(settings)  # warn once, and create the development secret before workers race for it
    if settings.is_sqlite and args.workers > 1:
        logging.warning("SQLite serialises writes: extra workers add read capacity only")
    if settings.clock_offset:  # each worker's marketplace takes the offset from the same settings
        logging.warning("for demos and training only: the clock runs %s ahead of the system's", settings.clock_offset)
    uvicorn.run(
        "api.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=False,
    )
    return 0


def project(args: argparse.Namespace) -> int:
    """Follow the event log and fold new events into the views until stopped."""
    market = market_for(settings_from_env())
    market.projector.batch_size = args.batch
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stalled = [f"{s.view} at {s.position}" for s in market.projector.stalls()]
    logging.info("projection worker following the log (lag %s; stalled %s)", market.projector.lag(), stalled or "none")
    market.projector.follow(stop, poll_interval=args.poll)
    market.close()
    return 0


def _progress_bar(done: int, total: int) -> None:
    width = 40
    filled = width * done // total if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} events")
    sys.stderr.flush()


EVENTS_TABLE = f"{MarketplaceApp.name.lower()}_events"  # eventsourcing-sqlalchemy names it after the application


def existing_market(settings: Settings) -> Marketplace | None:
    """The marketplace on the settings' database, for a verb that only reads it (or rebuilds views of it): None,
    with the reason on stderr, when there is no event store there. Opening one would make an empty store, and a
    check of an empty store passes: run from the wrong folder, `verify` would vouch for nothing."""
    url = make_url(settings.database_url)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        found = url.database not in (None, "", ":memory:") and Path(url.database or "").is_file()
    else:
        engine = create_engine(url)
        try:
            found = inspect(engine).has_table(EVENTS_TABLE)
        except OperationalError as error:
            print(f"marketplace: cannot reach the database at {shown}: {error.orig}", file=sys.stderr)
            return None
        finally:
            engine.dispose()
    if not found:
        print(
            f"marketplace: no event store at {shown}. Set MARKETPLACE_DATABASE_URL (or MARKETPLACE_VAR_DIR, whose "
            "marketplace.db is the default) to the database `marketplace serve` uses; nothing was created.",
            file=sys.stderr,
        )
        return None
    return market_for(settings)


def rebuild(args: argparse.Namespace) -> int:
    market = existing_market(settings_from_env())
    if market is None:
        return 2
    names = None if args.all or not args.names else args.names
    unknown = set(names or ()) - {p.name for p in market.projector.projections}
    if unknown:
        print(f"unknown projection(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    progress = None if args.quiet else _progress_bar
    if args.check:
        return _check(market, names, progress)
    checksums = market.projector.rebuild(names, progress=progress)
    if not args.quiet:
        sys.stderr.write("\n")
    for name, checksum in sorted(checksums.items()):
        print(f"{name} {checksum}")
    market.close()
    return 0


def _check(market: Marketplace, names: Sequence[str] | None, progress: Progress | None) -> int:
    """Rebuild into a scratch database, leave the live views alone, report each view: `ok` or `DIFFERS`."""
    comparisons = market.projector.check(names, progress=progress)
    if progress:
        sys.stderr.write("\n")
    for c in comparisons:
        verdict = f"ok {c.live}" if c.same else f"DIFFERS live {c.live} rebuilt {c.rebuilt}"
        print(f"{c.name} at {c.position}: {verdict}")
    market.close()
    return 0 if all(c.same for c in comparisons) else 1


def checksums(_: argparse.Namespace) -> int:
    market = existing_market(settings_from_env())
    if market is None:
        return 2
    for name, checksum in sorted(market.projector.checksums().items()):
        print(f"{name} {checksum}")
    market.close()
    return 0


def verify(args: argparse.Namespace) -> int:
    """Recompute the audit chain from the stored events: `ok <head> <hash>`, or where it first breaks.

    With kept anchors, also recompute it from the events alone (a rewritten chain table cannot hide
    a rewritten history from them) and name each anchor it no longer leads to, and each forged checkpoint.
    """
    from marketplace.anchors import read_kept
    from marketplace.audit import verify_all

    try:
        kept = read_kept(args.anchor, args.anchors, args.public_key)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"cannot read the anchors: {error}", file=sys.stderr)
        return 2
    market = existing_market(settings_from_env())
    if market is None:
        return 2
    ok, lines = verify_all(market, kept.anchors, kept.refused)
    market.close()
    print("\n".join(lines))
    return 0 if ok else 1


def checkpoint(_: argparse.Namespace) -> int:
    """Sign the chain's head now (if it moved since the last checkpoint) and print the checkpoint as JSON."""
    import msgspec

    from marketplace.checkpoints import ChainDiffers, Signer, sign_checkpoint

    settings = settings_from_env()
    market = market_for(settings)
    try:
        signed = sign_checkpoint(market, Signer.from_settings(settings))
    except ChainDiffers as error:
        print(f"not signed: {error}", file=sys.stderr)
        return 1
    finally:
        market.close()
    print(msgspec.json.encode(signed).decode() if signed else "not signed: the chain's head is already checkpointed")
    return 0


def token(args: argparse.Namespace) -> int:
    """Print a development token; a lifetime beyond MARKETPLACE_TOKEN_MAX_HOURS is refused, as the API would refuse
    it, and so is any token while development tokens are off (MARKETPLACE_DEV_TOKENS=off): the API would refuse it."""
    settings = settings_from_env()
    if not settings.dev_tokens:
        print(f"marketplace token: {DEV_TOKENS_OFF} Sign in through a configured provider.", file=sys.stderr)
        return 2
    actor = Actor(args.sub, args.org, Role(args.role))
    try:
        print(issue_token(jwt_secret(settings), actor, timedelta(hours=args.hours), settings.token_max_hours))
    except ValueError as refused:
        print(f"marketplace token: {refused}", file=sys.stderr)
        return 2
    return 0


def tick(_: argparse.Namespace) -> int:
    """Record deadlines that have passed (the chronograph), once."""
    from marketplace.scheduler import tick as run_tick

    market = market_for(settings_from_env())
    for deadline, moved in run_tick(market).items():
        print(f"{deadline}: {moved}")
    market.close()
    return 0


def post(_: argparse.Namespace) -> int:
    """Address the letters decisions ask for and send those due (serve does so every MARKETPLACE_POST_SECONDS)."""
    from marketplace.notifications.post import post as run_post

    market = market_for(settings_from_env())
    posted = run_post(market)
    print(f"letters addressed: {posted.addressed}\nletters sent: {posted.sent}\nletters not sent: {posted.failed}")
    market.close()
    return 0


def demo(_: argparse.Namespace) -> int:
    """Load the demo into the demo's own store (MARKETPLACE_DEMO_DATABASE_URL, else var/demo.db), never the
    marketplace's; inline, as it reads its own views; its present is the settings' clock's now."""
    from marketplace.demo import load_demo

    settings = replace(settings_from_env({"MARKETPLACE_DEMO": "on"}), projection_mode="inline")
    market = Marketplace(settings, FixedClock(settings.clock().now()))
    loaded = load_demo(market)
    market.close()
    print(f"loaded {loaded.organisations} organisations")
    print(f"loaded {loaded.care_steps} care micro-enterprise steps (applications, evidence, checks, approvals)")
    print(f"loaded {loaded.tendering_steps} tendering steps (tenders, bids, evaluations, awards, contracts)")
    print(f"loaded {loaded.grant_records} grant records (a programme and its applications)")
    print(f"loaded {loaded.challenge_records} challenge records (services, expressions of interest and a tender)")
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"into the demo store at {shown}: serve it with MARKETPLACE_DEMO=on marketplace serve", file=sys.stderr)
    return 0


def _files(command: argparse.ArgumentParser, flag: str, metavar: str, help_text: str) -> None:
    """An option naming a file, given once for each file (verify reads them all)."""
    command.add_argument(flag, action="append", default=[], type=Path, metavar=metavar, help=help_text)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="marketplace", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="serve the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--log-level", default="info")
    p.set_defaults(run=serve)

    p = commands.add_parser("project", help="run the projection worker (PostgreSQL deployments)")
    p.add_argument("--poll", type=float, default=0.5, help="seconds between polls when idle")
    p.add_argument("--batch", type=int, default=25_000, help="events folded per transaction")
    p.set_defaults(run=project)

    p = commands.add_parser("rebuild", help="drop and rebuild views from event 1, then print checksums")
    p.add_argument("names", nargs="*", help="projection names (default: all)")
    p.add_argument("--all", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a scratch database, compare with the live views (left as they are); exit 1 on a difference",
    )
    p.set_defaults(run=rebuild)

    p = commands.add_parser("checksums", help="print each view's content checksum")
    p.set_defaults(run=checksums)

    p = commands.add_parser("verify", help="recompute the audit hash chain; report the first position it breaks")
    p.add_argument(
        "--anchor", action="append", default=[], type=anchor_argument, metavar="POSITION:HASH", help="a kept link"
    )
    _files(
        p,
        "--anchors",
        "FILE",
        "kept checkpoints: GET /audit/checkpoints answers (JSON, or one per line) and/or POSITION:HASH lines",
    )
    _files(
        p, "--public-key", "PEM", "trust only checkpoints signed by this key (default: the keys published beside them)"
    )
    p.set_defaults(run=verify)

    p = commands.add_parser("checkpoint", help="sign the audit chain's head now (serve does so at intervals)")
    p.set_defaults(run=checkpoint)

    p = commands.add_parser("token", help="print a development bearer token (refused when MARKETPLACE_DEV_TOKENS=off)")
    p.add_argument("--role", required=True, choices=[r.value for r in Role if r is not Role.SYSTEM])
    p.add_argument("--org", required=True, help="the organisation identifier, e.g. GB-LAE-SHR")
    p.add_argument("--sub", required=True, help="the subject (a person's id)")
    p.add_argument("--hours", type=float, default=8.0)
    p.set_defaults(run=token)

    p = commands.add_parser("tick", help="record deadlines that have passed (closes tendering, ends standstills)")
    p.set_defaults(run=tick)

    p = commands.add_parser("post", help="address the letters decisions ask for, send those due (MARKETPLACE_SMTP_URL)")
    p.set_defaults(run=post)

    p = commands.add_parser(
        "demo",
        help="load a realistic sample into the demo store (MARKETPLACE_DEMO_DATABASE_URL, else var/demo.db): the "
        "council, providers, care micro-enterprises, tenders at every stage, grants and challenges (docs/demo.md)",
    )
    p.set_defaults(run=demo)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
