"""`/api/messages`: JWT validation (401 without or with a bad token, the real
check with a test key), start-up rules, service-URL checks and the error handler."""

from __future__ import annotations


import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from microsoft_agents.hosting.core.authorization import _entra_issuers
from sqlalchemy.engine import Engine

from pydantic import SecretStr

from bot.core.clock import FixedClock
from bot.teams.agent import SORRY
from bot.teams.sdk import Sdk
from bot.teams.setup import TeamsConfigError, TeamsSetup
from storage.addresses import get_address
from storage.db import session_scope
from tests.in_process import planbot
from tests.schedules.conftest import london
from tests.teams_fake.harness import TeamsWorld, anonymous_settings, credential_settings, text_of
from tests.teams_fake.loopback import LoopbackServer
from tests.teams_fake.tokens import ISSUER, StaticConnections, TokenIssuer

TEAMS_SERVICE = "https://smba.trafficmanager.net/emea/"


@pytest.fixture
def db_url(sqlite_db_url: str) -> str:
    """SQLite only: what is checked here does not depend on the engine (the
    conversation suite and the proactive tests run Teams on PostgreSQL too)."""
    return sqlite_db_url


@pytest.fixture
def issuer(monkeypatch: pytest.MonkeyPatch) -> Iterator[TokenIssuer]:
    """A key set on loopback, where the SDK looks up the Bot Framework's keys in this test."""
    made = TokenIssuer()
    server = LoopbackServer(made.app).start()
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, ISSUER, f"{server.url}/keys?run={id(made)}")
    yield made
    server.stop()


@pytest.fixture
def secured(teams_engine: Engine, clock: FixedClock, tmp_path: Path) -> Iterator[TeamsWorld]:
    """The web app as production runs it: credentials set, tokens required."""
    clock.at = london(2019, 12, 16, 9)
    settings = credential_settings()
    setup = TeamsSetup.from_settings(settings)
    made = TeamsWorld(teams_engine, clock, tmp_path, settings=settings, sdk=Sdk.build(setup, connections=StaticConnections(setup.auth))).start()
    yield made
    made.stop()


def test_a_request_without_a_token_or_with_a_bad_one_is_refused(secured: TeamsWorld, issuer: TokenIssuer) -> None:
    activity = secured.message("robin", "plan-status")
    activity["serviceUrl"] = TEAMS_SERVICE
    app_id = secured.settings.teams_app_id

    assert secured.post(activity).status_code == 401
    assert secured.post(activity, {"Authorization": "Bearer not-a-token"}).status_code == 401
    stranger_key = TokenIssuer().key
    forged = issuer.token(audience=app_id, service_url=TEAMS_SERVICE, key=stranger_key)
    assert secured.post(activity, {"Authorization": f"Bearer {forged}"}).status_code == 401
    other_bot = issuer.token(audience="another-bots-app-id", service_url=TEAMS_SERVICE)
    assert secured.post(activity, {"Authorization": f"Bearer {other_bot}"}).status_code == 401
    expired = issuer.token(audience=app_id, service_url=TEAMS_SERVICE, expires_in=-3600)
    assert secured.post(activity, {"Authorization": f"Bearer {expired}"}).status_code == 401
    wrong_issuer = issuer.token(audience=app_id, service_url=TEAMS_SERVICE, issuer="https://evil.example")
    assert secured.post(activity, {"Authorization": f"Bearer {wrong_issuer}"}).status_code == 401
    assert secured.fake.requests == [], "nothing reached the connector"


def test_a_token_the_sdk_cannot_even_read_is_a_401_not_a_500(
    secured: TeamsWorld, issuer: TokenIssuer, caplog: pytest.LogCaptureFixture
) -> None:
    """No `kid`, `alg` none, HS256 signed with a guessable secret: refused before anything runs."""
    import jwt

    activity = secured.message("alex", "plan-status", expect_replies=False)
    claims = {"aud": secured.settings.teams_app_id, "iss": ISSUER, "exp": 4102444800, "serviceurl": TEAMS_SERVICE}
    tokens = [
        jwt.encode(claims, "guessable-secret", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        jwt.encode({**claims, "exp": 946684800}, "guessable-secret", algorithm="HS256", headers={"kid": "made-up"}),
    ]
    for token in tokens:
        with caplog.at_level(logging.WARNING):
            assert secured.post(activity, {"Authorization": f"Bearer {token}"}).status_code == 401
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a bad token"


def test_a_signed_request_is_answered(secured: TeamsWorld, issuer: TokenIssuer, teams_engine: Engine) -> None:
    activity = secured.message("robin", "plan-status")
    activity["serviceUrl"] = TEAMS_SERVICE
    token = issuer.token(audience=secured.settings.teams_app_id, service_url=TEAMS_SERVICE)

    response = secured.post(activity, {"Authorization": f"Bearer {token}"})

    assert response.status_code == 200, response.text
    shown = "\n".join(text_of(a) for a in response.json()["activities"])
    assert "Partnership health and shared ownership" in shown
    with session_scope(teams_engine) as session:
        stored = get_address(session, person_id="robin", platform="teams")
        assert stored is not None and stored.reference["serviceUrl"] == TEAMS_SERVICE


def test_in_production_a_service_url_off_microsofts_hosts_is_refused(secured: TeamsWorld, issuer: TokenIssuer) -> None:
    activity = secured.message("robin", "plan-status")  # the loopback fake's URL
    token = issuer.token(audience=secured.settings.teams_app_id, service_url=activity["serviceUrl"])

    response = secured.post(activity, {"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert secured.fake.requests == []


def test_healthz_needs_no_token(secured: TeamsWorld) -> None:
    response = httpx.get(secured.bot_server.url + "/healthz")

    assert response.status_code == 200 and response.json()["platforms"] == ["teams"]


def test_anonymous_mode_is_refused_beside_real_credentials() -> None:
    with pytest.raises(TeamsConfigError, match="PLANBOT_TEAMS_ANONYMOUS"):
        TeamsSetup.from_settings(credential_settings(planbot_teams_anonymous=True))
    beside_slack = anonymous_settings("http://127.0.0.1:9/", slack_signing_secret=SecretStr("a-real-secret"))
    with pytest.raises(TeamsConfigError, match="SLACK_SIGNING_SECRET"):
        TeamsSetup.from_settings(beside_slack)


def test_anonymous_mode_listens_on_loopback_only(db_url: str) -> None:
    result = planbot("serve", "--host", "0.0.0.0", "--port", "1", database_url=db_url, extra_env={"PLANBOT_TEAMS_ANONYMOUS": "true"})
    assert result.returncode == 2 and "listens on 127.0.0.1 only, not 0.0.0.0" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_credentials_are_named() -> None:
    settings = credential_settings()
    settings.teams_tenant_id = None
    with pytest.raises(TeamsConfigError, match="TEAMS_TENANT_ID"):
        TeamsSetup.from_settings(settings)


def test_loopback_service_urls_are_allowed_only_when_anonymous() -> None:
    with pytest.raises(TeamsConfigError, match="TEAMS_SERVICE_URL"):
        TeamsSetup.from_settings(credential_settings(teams_service_url="http://127.0.0.1:9/"))
    production = TeamsSetup.from_settings(credential_settings()).service_urls
    local = TeamsSetup.from_settings(anonymous_settings("http://127.0.0.1:9/"), warn=False).service_urls

    assert production.is_allowed("https://smba.trafficmanager.net/emea/")
    assert not production.is_allowed("http://127.0.0.1:9/") and not production.is_allowed("https://evil.example/")
    assert not production.is_allowed("http://smba.trafficmanager.net/emea/"), "https only"
    assert local.is_allowed("http://127.0.0.1:9/") and local.is_allowed("https://smba.trafficmanager.net/teams/")
    assert not local.is_allowed("http://10.0.0.5/") and not local.is_allowed("https://evil.example/")


def test_anonymous_mode_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        TeamsSetup.from_settings(anonymous_settings("http://127.0.0.1:9/"))

    assert "local testing only" in caplog.text


def test_the_secret_is_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        setup = TeamsSetup.from_settings(credential_settings())
        Sdk.build(setup)

    assert "not-a-real-secret" not in caplog.text and "not-a-real-secret" not in repr(setup)


def test_a_failure_in_the_bot_is_an_apology_and_one_traceback(world: TeamsWorld, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(event: object) -> list:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(world.core, "handle", broken)
    monkeypatch.setattr(world.core, "answer_read", broken)  # a question is tried as a reader first
    with caplog.at_level(logging.ERROR):
        replies = world.say("cal", "plan-status")

    shown = "\n".join(text_of(a) for a in replies)
    assert shown == SORRY and "Exception caught" not in shown
    assert sum("the database fell over" in (r.exc_text or "") or bool(r.exc_info) for r in caplog.records) == 1


def test_a_body_that_is_not_an_activity_is_a_400(world: TeamsWorld) -> None:
    response = world.http.post(world.bot_server.url + "/api/messages", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    response = world.http.post(world.bot_server.url + "/api/messages", json={"type": "message"})
    assert response.status_code == 400
