"""End-to-end fixtures: the generated fixture repo, the scripted model, the real sandbox, settings for both modes.

The service tests reuse tests/bot/conftest.py (stand-in, signed deliveries, real Redis, SQLite/PostgreSQL).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.settings import Settings
from tests.bot.conftest import (  # noqa: F401  (fixtures re-exported)
    app_settings,
    client,
    deliver,
    settings,
)
from tests.e2e.fixture_repo import ISSUE_BODY, ISSUE_TITLE, build_fixture_repo
from tests.llm.scripted import ScriptedLLM, scripted_llm, scripted_llm_server  # noqa: F401
from tests.sandbox.helpers import LOCAL_INDEX
from tests.standin.fixtures import Standin, app_key, github_spec, standin  # noqa: F401

LLM_KEY = "sk-scripted-secret-key-0000"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """End-to-end runs use the embedded SQLite store (the store itself is tested on PostgreSQL in tests/bot)."""
    return f"sqlite+aiosqlite:///{tmp_path}/store.db"


@pytest.fixture(scope="session")
def fixture_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ledger repository, generated once per session (tests copy it)."""
    return build_fixture_repo(tmp_path_factory.mktemp("fixture") / "ledger")


@pytest.fixture
def ledger_repo(fixture_source: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture repository (a checkout on main)."""
    target = tmp_path / "ledger"
    shutil.copytree(fixture_source, target, symlinks=True)
    return target


@pytest.fixture(scope="session")
def sandbox_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One environment cache for the session: the fixture's environment is built once."""
    if not LOCAL_INDEX.is_dir():
        pytest.skip("no local package index at /opt/pypi/simple")
    return tmp_path_factory.mktemp("sandbox-cache")


def pipeline_settings(base: Settings, llm: ScriptedLLM | None, sandbox_cache: Path, tmp_path: Path) -> Settings:
    """`base` with the scripted model (or none), the local index and the shared environment cache."""
    update: dict[str, object] = {
        "sandbox_cache_dir": sandbox_cache,
        "sandbox_index_url": LOCAL_INDEX.as_uri(),
        "memory_dir": tmp_path / "memory",
        "workspace_dir": tmp_path / "ws",
        "sandbox_test_wall_s": 60.0,
        "llm_max_attempts": 1,
        "revise_debounce_s": 0.0,
    }
    if llm is not None:
        update |= {"llm_base_url": llm.base_url, "llm_model": "scripted", "llm_api_key": SecretStr(LLM_KEY)}
    return base.model_copy(update=update)


@pytest.fixture
def local_settings(scripted_llm: ScriptedLLM, sandbox_cache: Path, tmp_path: Path) -> Settings:  # noqa: F811
    """Settings for local mode with the scripted model."""
    return pipeline_settings(Settings(github_webhook_secret=SecretStr("unused")), scripted_llm, sandbox_cache, tmp_path)


E2E_REPO = "octo/ledger"


@pytest.fixture
def service_settings(
    app_settings: Settings,  # noqa: F811
    standin: Standin,  # noqa: F811
    scripted_llm: ScriptedLLM,  # noqa: F811
    sandbox_cache: Path,
    ledger_repo: Path,
    tmp_path: Path,
) -> Settings:
    """The service on the stand-in with the fixture repo installed as octo/ledger, its issue #1 labelled."""
    standin.state.add_repo(E2E_REPO, source=ledger_repo, installation_id=42)
    standin.state.add_issue(E2E_REPO, ISSUE_TITLE, ISSUE_BODY, user="reporter", labels=["bot-fix"])
    standin.state.set_permission(E2E_REPO, "maintainer", "maintain")
    configured = pipeline_settings(app_settings, scripted_llm, sandbox_cache, tmp_path)
    return configured.model_copy(update={"github_git_url": standin.url})
