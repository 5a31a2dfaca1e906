"""The cron tick: registered on the worker, and an invalid campaign reported while the valid ones still run."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.campaigns.render import dashboard_marker
from bot.settings import Settings
from bot.worker import build_worker
from tests.campaigns.conftest import tick
from tests.campaigns.org import ORG
from tests.standin.fixtures import Standin

CONFIG = """campaigns:
  - name: broken
    package: fixlib
    versions: "two"
    schedule: "0 9 * * 1"
  - name: nothing-selected
    package: fixlib
    versions: ">=2"
    schedule: "0 9 * * 1"
    repos: {include: ["no-such-repo"]}
"""


@pytest.fixture
def org_config() -> str:
    return CONFIG


async def test_worker_registers_the_tick_as_a_cron_job(redis_url: str, tmp_path: Path) -> None:
    """With campaigns enabled the worker runs the tick every minute; disabled, it has no cron job."""
    base = Settings(
        github_webhook_secret=SecretStr("s"), redis_url=redis_url, database_url=f"sqlite+aiosqlite:///{tmp_path}/s.db"
    )
    assert [c.name for c in build_worker(base).cron_jobs] == ["cron:campaign_tick"]
    assert build_worker(base.model_copy(update={"campaigns_enabled": False})).cron_jobs == []


def test_invalid_campaign_is_shown_on_its_dashboard_and_valid_ones_run(
    org_settings: Settings, standin: Standin
) -> None:
    """The broken campaign's dashboard says why it does not run; the valid campaign still gets its dashboard."""
    tick(org_settings, "2025-01-06T09:30:00+00:00", times=2)
    issues = list(standin.state.repo(f"{ORG}/.github").issues.values())
    [broken] = [i for i in issues if dashboard_marker("broken") in (i.body or "")]
    assert "configuration is invalid" in (broken.body or "") and "not a PEP 440 version specifier" in (
        broken.body or ""
    )
    [ran] = [i for i in issues if dashboard_marker("nothing-selected") in (i.body or "")]
    assert "Last run: 2025-01-06T09:00Z" in (ran.body or "")
    assert not [p for r in standin.state.repos.values() for p in r.pulls.values()]
