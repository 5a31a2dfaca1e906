"""Pytest fixtures for the GitHub stand-in; re-export them from a conftest.py to use them.

    from tests.standin.fixtures import app_key, github_spec, standin  # noqa: F401  (in a conftest.py)

    def test_x(standin):
        standin.state.add_installation(1, "octo")
        standin.state.add_repo("octo/widgets", {"a.py": "x = 1\\n"}, installation_id=1)
        ... GitHubApp(app_id=standin.app_id, private_key=standin.private_key, base_url=standin.url, ...)

The `standin` fixture serves the app with a real uvicorn on a free loopback port and fails the test at
teardown if any request or response broke GitHub's API description.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conformance.openapi import Spec, load_spec
from tests.fixtures.server import serve_app
from tests.standin.app import create_standin_app
from tests.standin.state import StandinState

__all__ = ["STANDIN_APP_ID", "AppKey", "Standin", "app_key", "generate_app_key", "github_spec", "standin"]

STANDIN_APP_ID = 4242


@dataclass(frozen=True)
class AppKey:
    private_pem: str
    public_pem: str


@dataclass
class Standin:
    """A running stand-in: its base URL (API and git), its state, and the App credentials it trusts."""

    url: str
    state: StandinState
    app_id: int
    private_key: str

    def clone_url(self, full_name: str) -> str:
        return f"{self.url}/{full_name}.git"


def generate_app_key() -> AppKey:
    """A fresh 2048-bit RSA key pair in PEM (PKCS#8 private, SubjectPublicKeyInfo public)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return AppKey(private.decode(), public.decode())


@pytest.fixture(scope="session")
def app_key() -> AppKey:
    """The App's RSA key pair for the whole session."""
    return generate_app_key()


@pytest.fixture(scope="session")
def github_spec(shared_dir: Path) -> Spec:
    """GitHub's REST API description, loaded and indexed once."""
    return load_spec(shared_dir / "fixtures" / "github" / "openapi" / "rest-api.api.github.com.json")


@pytest.fixture
def standin(tmp_path: Path, app_key: AppKey, github_spec: Spec) -> Iterator[Standin]:
    """A fresh, empty stand-in served on loopback, with conformance checking on."""
    state = StandinState(tmp_path / "standin", app_id=STANDIN_APP_ID, public_key_pem=app_key.public_pem)
    with serve_app(create_standin_app(state, github_spec)) as url:
        state.base_url = url
        yield Standin(url, state, STANDIN_APP_ID, app_key.private_pem)
    if state.violations:
        listing = "\n  ".join(dict.fromkeys(state.violations))
        pytest.fail(f"GitHub API description violated ({len(state.violations)}):\n  {listing}", pytrace=False)
