"""Settings come from the environment; one setting chooses the database."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from domain.payments.terms import PaymentPolicy
from domain.tendering.procurement import ProcurementPolicy
from marketplace.clock import Clock, OffsetClock, SystemClock
from marketplace.notifications.mail import MailSettings, mail_settings_from_env
from marketplace.oidc_config import OidcIssuer, issuers_from_env
from marketplace.payments.policy import payment_policy_from_env

DEFAULT_VAR_DIR = Path("var")
# A deployment (MARKETPLACE_DEV_SECRET=off: the image sets it) makes no development secret: each container would
# make its own under its own var/, and whoever reads one signs in as anyone. Development tokens then need the secret.
DEV_TOKENS_NEED_A_SECRET = (
    "MARKETPLACE_JWT_SECRET is not set, and development tokens are on (MARKETPLACE_DEV_TOKENS=on) where no "
    "development secret is made (MARKETPLACE_DEV_SECRET=off): set MARKETPLACE_JWT_SECRET, or turn development "
    "tokens off (MARKETPLACE_DEV_TOKENS=off) and sign people in through MARKETPLACE_OIDC_ISSUERS."
)

# MARKETPLACE_CLOCK_OFFSET: weeks, days, hours and minutes forward, largest first ("10d", "36h", "1w2d", "1d12h").
CLOCK_OFFSET = re.compile(r"\+?(?:(?P<weeks>\d+)w)?(?:(?P<days>\d+)d)?(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?")
MOST_OFFSET = timedelta(days=366)
BAD_OFFSET = (
    "MARKETPLACE_CLOCK_OFFSET must move the clock forward by weeks, days, hours and minutes, largest first, "
    f"such as 10d, 36h, 1w2d or 1d12h, at most {MOST_OFFSET.days} days"
)
OFFSET_OFF_A_DEMO = (
    "MARKETPLACE_CLOCK_OFFSET moves the marketplace's clock, for demos and training only: it needs a demo store "
    "(MARKETPLACE_DEMO=on), so it can never move the clock of the marketplace's own database."
)
OFFSET_IN_PRODUCTION = (
    "MARKETPLACE_CLOCK_OFFSET moves the marketplace's clock, for demos and training only: it is refused in "
    "production settings (MARKETPLACE_DEV_SECRET=off or MARKETPLACE_DEV_TOKENS=off)."
)
DEMO_ON_THE_MARKETPLACE = (
    "MARKETPLACE_DEMO_DATABASE_URL names the marketplace's own database (MARKETPLACE_DATABASE_URL): the demo "
    "needs a database of its own."
)


def default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{(var_dir / 'marketplace.db').resolve()}"


def default_demo_database_url(var_dir: Path) -> str:
    return f"sqlite:///{(var_dir / 'demo.db').resolve()}"


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to know about where it runs."""

    database_url: str
    jwt_secret: str = ""
    projection_mode: str = "inline"  # inline: fold in the command's transaction; worker: `marketplace project`
    var_dir: Path = field(default=DEFAULT_VAR_DIR)
    max_body_bytes: int = 1024 * 1024
    ocid_prefix: str = "ocds-shr000"
    publisher_name: str = "Shropshire Council"  # who publishes the open data (OCDS `publisher`)
    publisher_identifier: str = "GB-LAE-SHR"  # its org-id.guide identifier
    grants_prefix: str = "360G-shropshire"  # 360Giving grant ids are <prefix>-<grant id>; register the prefix
    policy: ProcurementPolicy = field(default_factory=ProcurementPolicy)
    payments: PaymentPolicy = field(default_factory=PaymentPolicy)  # payment terms (marketplace/payments/policy.py)
    tick_seconds: float = 30.0  # how often `serve` records deadlines passing (0: never; use `marketplace tick`)
    local_postcode_areas: tuple[str, ...] = ("SY", "TF")  # what counts as a local supplier
    group_commit: bool = True  # commands arriving together share one transaction (off: one each, e.g. to profile)
    public_url: str = "http://localhost:8000"  # where the public reaches the API: open-data URIs, never the Host header
    idempotency_hours: float = 24.0  # how long an Idempotency-Key is remembered before it is purged
    write_rate: float = 20.0  # write requests per second each caller may sustain (0: no limit)
    write_burst: int = 100  # how many writes a caller may send at once before the rate applies
    token_max_hours: float = 12.0  # a bearer token may not live longer than this from its issue (exp - iat)
    signing_key: str = ""  # Ed25519 private key (PEM) for chain checkpoints; a development key under var/ if unset
    checkpoint_seconds: float = 300.0  # how often `serve` signs the chain head as a checkpoint (0: never)
    stall_retry_max_seconds: float = 60.0  # the longest a worker waits before retrying a view that cannot fold
    dev_tokens: bool = True  # HS256 tokens of `marketplace token` (MARKETPLACE_JWT_SECRET) admitted; off in production
    dev_secret: bool = True  # without MARKETPLACE_JWT_SECRET, a development secret under var/; off in a deployment
    oidc_issuers: tuple[OidcIssuer, ...] = ()  # the OpenID Connect providers whose tokens sign people in
    oidc_leeway_seconds: float = 60.0  # clock skew allowed on an OIDC token's exp, nbf and iat (at most 300)
    oidc_refetch_seconds: float = 60.0  # at most one fetch of an issuer's keys per this many seconds
    mail: MailSettings = field(default_factory=MailSettings)  # letters' mail server (marketplace/notifications/)
    oidc_timeout_seconds: float = 5.0  # how long a fetch of an issuer's discovery document or keys may take
    demo: bool = False  # MARKETPLACE_DEMO=on: the demo's store (MARKETPLACE_DEMO_DATABASE_URL), for demos and training
    clock_offset: timedelta = timedelta(0)  # the clock runs this far ahead of the system's: demo stores only

    def __post_init__(self) -> None:
        """An offset clock only on a demo store, never in production settings, however the settings are made."""
        if not timedelta(0) <= self.clock_offset <= MOST_OFFSET:
            raise ValueError(BAD_OFFSET)
        if self.clock_offset and not self.demo:
            raise ValueError(OFFSET_OFF_A_DEMO)
        if self.clock_offset and not (self.dev_tokens and self.dev_secret):
            raise ValueError(OFFSET_IN_PRODUCTION)

    def clock(self) -> Clock:
        """The clock these settings run the marketplace on: the system's, moved by any demo offset."""
        return OffsetClock(self.clock_offset) if self.clock_offset else SystemClock()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("MARKETPLACE_VAR_DIR", str(DEFAULT_VAR_DIR)))
        demo = _on_or_off(env.get("MARKETPLACE_DEMO", "off"), "MARKETPLACE_DEMO")
        url = _demo_database_url(env, var_dir) if demo else env.get("MARKETPLACE_DATABASE_URL")
        url = url or default_database_url(var_dir)
        mode = env.get("MARKETPLACE_PROJECTION_MODE", "inline")
        if mode not in ("inline", "worker"):
            raise ValueError("MARKETPLACE_PROJECTION_MODE must be 'inline' or 'worker'")
        secret, dev_tokens, dev_secret = _development_tokens(env)
        return cls(
            database_url=url,
            jwt_secret=secret,
            projection_mode=mode,
            var_dir=var_dir,
            ocid_prefix=env.get("MARKETPLACE_OCID_PREFIX", "ocds-shr000"),
            publisher_name=env.get("MARKETPLACE_PUBLISHER_NAME", "Shropshire Council"),
            publisher_identifier=env.get("MARKETPLACE_PUBLISHER_IDENTIFIER", "GB-LAE-SHR"),
            grants_prefix=env.get("MARKETPLACE_360G_PREFIX", "360G-shropshire"),
            policy=ProcurementPolicy(social_value_minimum=int(env.get("MARKETPLACE_SOCIAL_VALUE_MINIMUM", "10"))),
            payments=payment_policy_from_env(env),
            tick_seconds=float(env.get("MARKETPLACE_TICK_SECONDS", "30")),
            local_postcode_areas=tuple(env.get("MARKETPLACE_LOCAL_POSTCODE_AREAS", "SY,TF").split(",")),
            group_commit=env.get("MARKETPLACE_GROUP_COMMIT", "1") not in ("0", "false", "no"),
            public_url=env.get("MARKETPLACE_PUBLIC_URL", "http://localhost:8000").rstrip("/"),
            idempotency_hours=float(env.get("MARKETPLACE_IDEMPOTENCY_HOURS", "24")),
            write_rate=float(env.get("MARKETPLACE_WRITE_RATE", "20")),
            write_burst=int(env.get("MARKETPLACE_WRITE_BURST", "100")),
            token_max_hours=float(env.get("MARKETPLACE_TOKEN_MAX_HOURS", "12")),
            signing_key=env.get("MARKETPLACE_SIGNING_KEY", ""),
            checkpoint_seconds=float(env.get("MARKETPLACE_CHECKPOINT_SECONDS", "300")),
            stall_retry_max_seconds=float(env.get("MARKETPLACE_STALL_RETRY_MAX_SECONDS", "60")),
            dev_tokens=dev_tokens,
            dev_secret=dev_secret,
            oidc_issuers=issuers_from_env(env),
            oidc_leeway_seconds=_seconds(env, "MARKETPLACE_OIDC_LEEWAY_SECONDS", "60", 0, 300),
            oidc_refetch_seconds=_seconds(env, "MARKETPLACE_OIDC_REFETCH_SECONDS", "60", 0, 86_400),
            oidc_timeout_seconds=_seconds(env, "MARKETPLACE_OIDC_TIMEOUT_SECONDS", "5", 0.1, 30),
            mail=mail_settings_from_env(env),
            demo=demo,
            clock_offset=clock_offset(env.get("MARKETPLACE_CLOCK_OFFSET", "")),
        )


def _demo_database_url(env: Mapping[str, str], var_dir: Path) -> str:
    """A demo store is named by a setting of its own, so no production URL in the environment is ever a demo's."""
    url = env.get("MARKETPLACE_DEMO_DATABASE_URL", "").strip() or default_demo_database_url(var_dir)
    if url == env.get("MARKETPLACE_DATABASE_URL", "").strip():
        raise ValueError(DEMO_ON_THE_MARKETPLACE)
    return url


def clock_offset(value: str) -> timedelta:
    """MARKETPLACE_CLOCK_OFFSET as a duration ("" or unset: none); refused unless forward, in the documented form."""
    if not value.strip():
        return timedelta(0)
    found = CLOCK_OFFSET.fullmatch(value.strip().lower())
    if found is None or not any(found.groupdict().values()):
        raise ValueError(BAD_OFFSET)
    offset = timedelta(**{unit: int(amount) for unit, amount in found.groupdict().items() if amount})
    if offset > MOST_OFFSET:
        raise ValueError(BAD_OFFSET)
    return offset


def _development_tokens(env: Mapping[str, str]) -> tuple[str, bool, bool]:
    """The HS256 secret, whether development tokens are on, and whether a development secret may be made for them:
    a deployment (MARKETPLACE_DEV_SECRET=off) with development tokens on does not start without a secret."""
    secret = env.get("MARKETPLACE_JWT_SECRET", "")
    dev_tokens = _on_or_off(env.get("MARKETPLACE_DEV_TOKENS", "on"), "MARKETPLACE_DEV_TOKENS")
    dev_secret = _on_or_off(env.get("MARKETPLACE_DEV_SECRET", "on"), "MARKETPLACE_DEV_SECRET")
    if dev_tokens and not secret and not dev_secret:
        raise ValueError(DEV_TOKENS_NEED_A_SECRET)
    return secret, dev_tokens, dev_secret


def _on_or_off(value: str, setting: str) -> bool:
    answer = value.strip().lower()
    if answer in ("on", "true", "yes", "1"):
        return True
    if answer in ("off", "false", "no", "0"):
        return False
    raise ValueError(f"{setting} must be 'on' or 'off'")


def _seconds(env: Mapping[str, str], setting: str, default: str, least: float, most: float) -> float:
    try:
        seconds = float(env.get(setting, default))
    except ValueError:
        seconds = float("nan")
    if not least <= seconds <= most:  # nan fails too
        raise ValueError(f"{setting} must be a number of seconds from {least:g} to {most:g}")
    return seconds
