"""PR body and dashboard text."""

from __future__ import annotations

from typing import Any

from bot.campaigns.render import dashboard_body, dashboard_marker, pr_body, pr_title

PACKAGE: dict[str, Any] = {
    "name": "fixlib",
    "old": "1.0",
    "new": "2.0",
    "edits": [{"file": "requirements.txt", "line": 2, "before": "fixlib==1.0\n", "after": "fixlib==2.0\n"}],
    "locks": [{"file": "uv.lock", "command": ["uv", "lock", "--upgrade-package", "fixlib==2.0"]}],
    "codemod_files": ["app.py"],
    "changes": [
        {
            "api": "fixlib.fetch",
            "kind": "parameter-renamed",
            "severity": "breaking",
            "old_signature": "fetch(url, colour)",
            "new_signature": "fetch(url, color)",
            "replacement": "color",
            "sites": ["app.py:5", "cli.py:9"],
        },
        {"api": "fixlib.gone", "kind": "removed", "severity": "breaking", "sites": []},
    ],
    "non_mechanical": 0,
    "changelog": "## 2.0\n- colour is color",
}


def test_pr_body_has_bump_code_api_hits_tests_and_changelog() -> None:
    """Every part the issue asks for is in the body; APIs the repo does not use are left out."""
    body = pr_body(
        "fixlib-2", [PACKAGE], {"ok": True, "counts": {"passed": 3}, "installed": "fixlib 2.0"}, "diff --git"
    )
    assert pr_title([PACKAGE]) == "Migrate fixlib to 2.0"
    parts = (
        "`requirements.txt` line 2: `fixlib==1.0` → `fixlib==2.0`",
        "uv lock --upgrade-package",
        "`app.py` (codemods)",
        "`fixlib.fetch`",
        "`app.py:5`, `cli.py:9`",
        "use `color`",
        "✅ passed",
        "3 passed",
        "- colour is color",
        "```diff\ndiff --git",
    )
    assert [p for p in parts if p not in body] == []
    assert "fixlib.gone" not in body


def test_failed_tests_show_the_output_tail() -> None:
    """A failing run shows its verdict and the last lines of output."""
    body = pr_body(
        "c", [PACKAGE], {"ok": False, "verdict": "failed", "counts": {"failed": 1}, "output_tail": "E boom"}, ""
    )
    assert "❌ failed (failed)" in body and "E boom" in body


def test_dashboard_lists_each_repo_with_status_and_link() -> None:
    """One table row per repository in rollout order, PR links, reasons escaped, the marker first."""
    rows: list[dict[str, Any]] = [
        {"repo": "o/lib", "status": "merged", "reason": "", "pr_number": 3, "pr_url": "https://x/3"},
        {"repo": "o/app", "status": "failed", "reason": "tests | broke", "pr_number": None, "pr_url": None},
    ]
    body = dashboard_body("c", "fixlib==2.0", rows, slot="2025-01-06T09:00Z", cycles=[["o/a", "o/b"]])
    assert body.startswith(dashboard_marker("c"))
    assert "| 1 | o/lib | ✅ merged | [#3](https://x/3) |" in body
    assert "| 2 | o/app | ❌ failed | tests \\| broke |" in body
    assert "o/a ↔ o/b" in body
