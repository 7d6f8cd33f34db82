"""The container deployment: docker-compose.yml and the Dockerfile it builds."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from marketplace.settings import Settings
from marketplace.tokens import jwt_secret

pytestmark = pytest.mark.request_layer  # answered before any database is asked: SQLite alone

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("api", "projector")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return dict(compose["services"])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the "KEY=value" list form
        return dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def command(service: dict[str, Any]) -> list[str]:
    cmd = service["command"]
    return shlex.split(cmd) if isinstance(cmd, str) else [str(arg) for arg in cmd]


def test_stack_has_postgres_api_and_projector(services: dict[str, Any]) -> None:
    assert {"postgres", "api", "projector"} <= services.keys()


def test_api_and_projector_share_one_database_setting(services: dict[str, Any]) -> None:
    assert environment(services["api"]) == environment(services["projector"])


def test_database_url_points_at_the_postgres_service_through_psycopg(
    services: dict[str, Any],
) -> None:
    url = urlsplit(environment(services["api"])["MARKETPLACE_DATABASE_URL"])
    assert url.scheme == "postgresql+psycopg"
    assert url.hostname == "postgres"


def test_projections_are_folded_by_the_worker_not_inline(
    services: dict[str, Any],
) -> None:
    assert environment(services["api"])["MARKETPLACE_PROJECTION_MODE"] == "worker"


def test_the_jwt_secret_is_the_operators_to_give_and_the_stack_never_makes_one(services: dict[str, Any]) -> None:
    settings = environment(services["api"])
    assert settings["MARKETPLACE_JWT_SECRET"] == "${MARKETPLACE_JWT_SECRET:-}"  # compose itself demands nothing
    assert settings["MARKETPLACE_DEV_SECRET"] == "off"  # the settings demand it, while development tokens are on


PROVIDERS = '[{"name": "suppliers", "issuer": "https://oidc.account.gov.uk/", "audience": "c", "role": "provider"}]'


def test_with_development_tokens_off_and_providers_set_the_stack_starts_without_a_secret(
    services: dict[str, Any],
) -> None:
    for name in APP_SERVICES:
        started = Settings.from_env(container_env(services[name], MARKETPLACE_DEV_TOKENS="off", **oidc()))
        assert (started.dev_tokens, started.jwt_secret, jwt_secret(started)) == (False, "", "")
        assert [issuer.label for issuer in started.oidc_issuers] == ["suppliers"]


def test_with_development_tokens_on_the_stack_refuses_to_start_without_a_secret(services: dict[str, Any]) -> None:
    for operator in ({}, {"MARKETPLACE_DEV_TOKENS": "on", **oidc()}, {"MARKETPLACE_JWT_SECRET": ""}):
        with pytest.raises(ValueError, match="MARKETPLACE_JWT_SECRET is not set, and development tokens are on"):
            Settings.from_env(container_env(services["api"], **operator))
    started = Settings.from_env(container_env(services["api"], MARKETPLACE_JWT_SECRET="s" * 40))
    assert started.dev_tokens and jwt_secret(started) == "s" * 40


def test_the_image_alone_refuses_development_tokens_without_a_secret() -> None:
    image = dockerfile_env()
    assert image["MARKETPLACE_DEV_SECRET"] == "off"
    with pytest.raises(ValueError, match="MARKETPLACE_JWT_SECRET is not set"):
        Settings.from_env(image)  # docker run marketplace, given nothing
    assert not Settings.from_env({**image, "MARKETPLACE_DEV_TOKENS": "off"}).dev_tokens


def test_a_local_serve_still_makes_its_development_secret_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    local = Settings.from_env({"MARKETPLACE_VAR_DIR": str(tmp_path)})  # ./dev serve: nothing set
    assert local.dev_secret and local.dev_tokens
    secret = jwt_secret(local)
    assert secret == (tmp_path / "dev-jwt-secret").read_text().strip() and len(secret) >= 32
    assert "MARKETPLACE_JWT_SECRET is not set: using the development secret" in caplog.text


def oidc() -> dict[str, str]:
    return {"MARKETPLACE_OIDC_ISSUERS": PROVIDERS}


def container_env(service: dict[str, Any], **operator: str) -> dict[str, str]:
    """The environment a service's container starts with: the image's ENV, then the file's settings with the
    operator's shell interpolated into them, as docker compose does."""
    given = {name: interpolate(value, operator) for name, value in environment(service).items()}
    return {**dockerfile_env(), **given}


_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, operator: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME-default}, ${NAME:-default}, ${NAME?error} and ${NAME:?error} (the colon: empty
    counts as unset); an unset variable with `?` stops compose with its error (ValueError here)."""

    def substitute(found: re.Match[str]) -> str:
        op, given = found["op"] or "", operator.get(found["name"])
        unset = given is None or (op.startswith(":") and not given)
        if unset and op.endswith("?"):
            raise ValueError(f"compose: {found['name']}: {found['arg']}")
        return found["arg"] if unset and op.endswith("-") else given or ""

    assert "$$" not in value and not re.search(r"\$(?!\{)", value), f"an interpolation this test cannot read: {value}"
    return _VARIABLE.sub(substitute, value)


def dockerfile_env() -> dict[str, str]:
    """The runtime stage's ENV settings (the last FROM on)."""
    runtime = (ROOT / "Dockerfile").read_text().replace("\\\n", " ").split("\nFROM ")[-1]
    pairs = [item for line in re.findall(r"^ENV\s+(.*)$", runtime, re.MULTILINE) for item in shlex.split(line)]
    return dict(pair.split("=", 1) for pair in pairs)


def test_sign_in_providers_and_development_tokens_are_the_operators_to_set(services: dict[str, Any]) -> None:
    settings = environment(services["api"])
    assert settings["MARKETPLACE_OIDC_ISSUERS"] == "${MARKETPLACE_OIDC_ISSUERS:-}"
    assert settings["MARKETPLACE_DEV_TOKENS"] == "${MARKETPLACE_DEV_TOKENS:-on}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_start_only_once_postgres_is_healthy(services: dict[str, Any], name: str) -> None:
    assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["postgres", *APP_SERVICES])
def test_every_service_reports_its_health(services: dict[str, Any], name: str) -> None:
    assert services[name]["healthcheck"]["test"]


def test_api_health_is_probed_on_the_health_endpoint(services: dict[str, Any]) -> None:
    assert "/health" in " ".join(services["api"]["healthcheck"]["test"])


def test_api_serves_with_several_workers(services: dict[str, Any]) -> None:
    args = command(services["api"])
    assert args[:2] == ["marketplace", "serve"]
    assert int(args[args.index("--workers") + 1]) > 1


def test_projector_runs_the_projection_worker(services: dict[str, Any]) -> None:
    assert command(services["projector"]) == ["marketplace", "project"]


def test_image_installs_the_project_with_pinned_constraints() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    assert re.search(r"pip install .*(-c|--constraint)[ =]constraints\.txt", dockerfile)


def test_image_runs_as_an_unprivileged_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
