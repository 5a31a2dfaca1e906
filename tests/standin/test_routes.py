"""Stand-in routes the adapter tests do not reach answer faithfully (the fixture checks each exchange)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import jwt
import pytest

from tests.standin.fixtures import Standin

REPO = "/repos/octo/widgets"


@pytest.fixture
def api(standin: Standin) -> Iterator[httpx.Client]:
    state = standin.state
    state.add_installation(1, "octo")
    state.add_repo("octo/widgets", installation_id=1)
    state.add_issue("octo/widgets", "Bug", labels=["bug"])
    token = state.mint_token(1).value
    with httpx.Client(base_url=standin.url, headers={"Authorization": f"token {token}"}) as client:
        yield client


def test_labels_are_added_and_removed(api: httpx.Client, standin: Standin) -> None:
    """Labels added through the API show on the issue; removing one takes it off."""
    assert api.post(f"{REPO}/issues/1/labels", json={"labels": ["bot-fix"]}).status_code == 200
    assert api.delete(f"{REPO}/issues/1/labels/bug").status_code == 200
    assert standin.state.repo("octo/widgets").issues[1].labels == ["bot-fix"]


def test_repository_is_served(api: httpx.Client) -> None:
    """GET /repos/{owner}/{repo} gives the default branch and the clone URL of the git endpoint."""
    data = api.get(REPO).json()
    assert (data["default_branch"], data["clone_url"].endswith("/octo/widgets.git")) == ("main", True)


def test_ref_is_moved_forward(api: httpx.Client, standin: Standin) -> None:
    """A ref created at main can be updated through PATCH git/refs."""
    sha = standin.state.branch_sha("octo/widgets", "main")
    assert api.post(f"{REPO}/git/refs", json={"ref": "refs/heads/organic-pr/x", "sha": sha}).status_code == 201
    assert api.post(f"{REPO}/git/refs", json={"ref": "refs/heads/organic-pr/x", "sha": sha}).status_code == 422
    assert api.patch(f"{REPO}/git/refs/heads/organic-pr/x", json={"sha": sha}).status_code == 200


def test_check_run_is_read_back(api: httpx.Client, standin: Standin) -> None:
    """A created check run can be fetched by id."""
    sha = standin.state.branch_sha("octo/widgets", "main")
    created = api.post(f"{REPO}/check-runs", json={"name": "organic-pr", "head_sha": sha}).json()
    assert api.get(f"{REPO}/check-runs/{created['id']}").json()["status"] == "queued"


def test_closed_pulls_are_listed_by_state(api: httpx.Client, standin: Standin) -> None:
    """A closed PR is listed under state=closed and not under the default open."""
    pull = standin.state.add_pull("octo/widgets", "Old", "main")
    assert api.patch(f"{REPO}/pulls/{pull.number}", json={"state": "closed"}).status_code == 200
    assert [p["number"] for p in api.get(f"{REPO}/pulls", params={"state": "closed"}).json()] == [pull.number]
    assert api.get(f"{REPO}/pulls").json() == []


def test_app_endpoint_needs_the_app_jwt(standin: Standin) -> None:
    """GET /app answers the App with a JWT and refuses an installation token."""
    now = int(time.time())
    token = jwt.encode({"iss": str(standin.app_id), "iat": now - 60, "exp": now + 540}, standin.private_key, "RS256")
    assert httpx.get(standin.url + "/app", headers={"Authorization": f"Bearer {token}"}).json()["id"] == standin.app_id
    assert httpx.get(standin.url + "/app", headers={"Authorization": "token ghs_x"}).status_code == 401
