"""Campaign fixtures: the fixture org on the stand-in, its releases as local wheels, settings, and a tick runner."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from pydantic import SecretStr

from bot.settings import Settings
from bot.store import Store
from bot.store.models import Installation
from tests.bot.test_worker import run_burst
from tests.campaigns.org import CONFIG, add_org, build_releases
from tests.campaigns.shop import build_geom
from tests.llm.scripted import scripted_llm, scripted_llm_server  # noqa: F401  (fixtures re-exported)
from tests.sandbox.helpers import LOCAL_INDEX
from tests.standin.fixtures import Standin, app_key, github_spec, standin  # noqa: F401  (fixtures re-exported)

INSTALLATION = 42


@pytest.fixture(scope="session")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """fixlib 1.0 / 2.0.0, acme-platform 0.1 and geom 1.0 / 2.0 as wheels in a find-links directory."""
    return build_geom(build_releases(tmp_path_factory.mktemp("wheels")))


@pytest.fixture(scope="session")
def caches(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sandbox environment cache, migrations cache), shared by the session so environments are built once."""
    if not LOCAL_INDEX.is_dir():
        pytest.skip("no local package index at /opt/pypi/simple")
    return tmp_path_factory.mktemp("sandbox-cache"), tmp_path_factory.mktemp("migrations-cache")


@pytest.fixture
def org_config() -> str:
    """The org's organic-pr.yml (a test module overrides this fixture to try another)."""
    return CONFIG


@pytest.fixture
def org_settings(
    org_config: str,
    standin: Standin,  # noqa: F811 - the fixture, by name
    releases: Path,
    caches: tuple[Path, Path],
    redis_url: str,
    tmp_path: Path,
) -> Settings:
    """The service pointed at the stand-in with the fixture org installed, and the local releases."""
    add_org(standin.state, INSTALLATION, org_config)
    settings = Settings(
        github_webhook_secret=SecretStr("campaign-tests"),
        redis_url=redis_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/store.db",
        workspace_dir=tmp_path / "ws",
        memory_dir=tmp_path / "mem",
        github_api_url=standin.url,
        github_git_url=standin.url,
        github_app_id=standin.app_id,
        github_app_private_key=SecretStr(standin.private_key),
        github_write_gap_s=0.0,
        github_content_gap_s=0.0,
        sandbox_cache_dir=caches[0],
        migrations_cache_dir=caches[1],
        sandbox_index_url=LOCAL_INDEX.as_uri(),
        migrations_find_links=[str(releases)],
        sandbox_test_wall_s=60.0,
        campaigns_enabled=False,  # the tests tick with a fixed clock instead of the wall clock
    )
    asyncio.run(_install(settings))
    return settings


async def _install(settings: Settings) -> None:
    store = Store(settings.database_url)
    await store.migrate()
    await store.upsert_installation(
        Installation(id=INSTALLATION, account_login="acme", account_type="Organization"), []
    )
    await store.aclose()


def tick(settings: Settings, now: str, *, times: int = 1) -> None:
    """Enqueue the cron tick at clock `now` (`times` times), then run a real arq worker until the queue is empty."""

    async def scenario() -> None:
        pool = await create_pool(RedisSettings.from_dsn(settings.redis_url or ""))
        for index in range(times):
            await pool.enqueue_job("campaign_tick", now=now, _job_id=f"tick:{now}:{index}")
        await pool.aclose()
        await run_burst(settings)

    asyncio.run(scenario())
