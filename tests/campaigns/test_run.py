"""The campaign run edits its one dashboard issue after each repository, not only at the end."""

from __future__ import annotations

from bot.settings import Settings
from tests.campaigns.conftest import tick
from tests.standin.fixtures import Standin

MONDAY = "2025-01-06T09:30:00+00:00"


def writes(standin: Standin) -> list[str]:
    """The run's GitHub writes in order: `dashboard` for the dashboard issue, `pr <repo>` for a new PR."""
    found = []
    for request in standin.state.requests:
        if request.method in ("POST", "PATCH") and request.path.startswith("/repos/acme/.github/issues"):
            found.append("dashboard")
        elif request.method == "POST" and request.path.endswith("/pulls"):
            found.append("pr " + "/".join(request.path.split("/")[2:4]))
    return found


def test_dashboard_is_edited_after_each_repository(org_settings: Settings, standin: Standin) -> None:
    """One dashboard write per repository in rollout order, each PR followed by the write that lists it; one issue."""
    tick(org_settings, MONDAY)
    assert writes(standin) == [
        "dashboard",  # acme/docs: skipped
        "pr acme/platform", "dashboard",
        "pr acme/api", "dashboard",
        "dashboard",  # acme/billing: planned (open-PR limit)
    ]  # fmt: skip
    issues = standin.state.repo("acme/.github").issues.values()
    assert len([i for i in issues if "organic-pr:campaign-dashboard:fixlib-2" in (i.body or "")]) == 1
