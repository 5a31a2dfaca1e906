"""The stand-in's own gatekeeping: App JWT rules, token checks, rate-limit headers."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from tests.standin.fixtures import Standin

TOKENS = "/app/installations/1/access_tokens"


def _jwt(standin: Standin, **claims: object) -> str:
    now = int(time.time())
    payload = {"iss": str(standin.app_id), "iat": now - 60, "exp": now + 540, **claims}
    return jwt.encode(payload, standin.private_key, algorithm="RS256")


@pytest.fixture
def ready(standin: Standin) -> Standin:
    standin.state.add_installation(1, "octo")
    standin.state.add_repo("octo/widgets", installation_id=1)
    standin.state.add_issue("octo/widgets", "Bug")
    return standin


def test_valid_jwt_mints_a_ghs_token_valid_one_hour(ready: Standin) -> None:
    """The exchange answers 201 with a ghs_ token expiring in an hour."""
    response = httpx.post(ready.url + TOKENS, headers={"Authorization": f"Bearer {_jwt(ready)}"})
    assert response.status_code == 201
    assert response.json()["token"].startswith("ghs_")
    [token] = ready.state.minted
    assert 3500 < (token.expires_at.timestamp() - time.time()) <= 3600


@pytest.mark.parametrize(
    "claims",
    [{"iss": "999"}, {"exp": int(time.time()) - 300, "iat": int(time.time()) - 900}, {"exp": int(time.time()) + 3600}],
    ids=["wrong-issuer", "expired", "too-long"],
)
def test_bad_jwt_is_401(ready: Standin, claims: dict[str, object]) -> None:
    """A JWT from another issuer, expired, or living over ten minutes is refused and mints nothing."""
    response = httpx.post(ready.url + TOKENS, headers={"Authorization": f"Bearer {_jwt(ready, **claims)}"})
    assert response.status_code == 401
    assert ready.state.minted == []


def test_every_api_response_carries_rate_limit_headers(ready: Standin) -> None:
    """Successful and failed API responses both carry the x-ratelimit-* headers."""
    token = ready.state.mint_token(1).value
    ok = httpx.get(ready.url + "/repos/octo/widgets/issues/1", headers={"Authorization": f"token {token}"})
    denied = httpx.get(ready.url + "/repos/octo/widgets/issues/1", headers={"Authorization": "token ghs_bad"})
    for response in (ok, denied):
        assert {
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "x-ratelimit-used",
            "x-ratelimit-resource",
        } <= set(response.headers)
    assert (ok.status_code, denied.status_code) == (200, 401)


def test_repository_outside_the_installation_is_404(ready: Standin) -> None:
    """A token cannot see repositories its installation was not given."""
    ready.state.add_repo("other/secret")
    token = ready.state.mint_token(1).value
    response = httpx.get(ready.url + "/repos/other/secret", headers={"Authorization": f"token {token}"})
    assert response.status_code == 404


def test_expired_token_is_401(ready: Standin) -> None:
    """A token past its expiry gets Bad credentials."""
    token = ready.state.mint_token(1)
    token.expires_at = token.expires_at.replace(year=2000)
    response = httpx.get(ready.url + "/repos/octo/widgets", headers={"Authorization": f"token {token.value}"})
    assert response.status_code == 401
