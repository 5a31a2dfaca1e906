"""PR body and dashboard text."""

from __future__ import annotations

from typing import Any

import pytest

from bot.campaigns.render import HUMAN_STATUSES, dashboard_body, dashboard_marker, needs_human, pr_body, pr_title

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


LEFT: dict[str, Any] = {"api": "geom.area", "kind": "removed", "severity": "breaking",
                        "sites": [{"file": "shop.py", "line": 5}]}  # fmt: skip
BROKEN: dict[str, Any] = {**PACKAGE, "name": "geom", "codemod_files": ["shop.py"], "left": [LEFT]}
FIXED: dict[str, Any] = {
    "status": "fixed",
    "files": {"shop.py": "x", "test_geom.py": "y"},
    "winner": "candidate-1",
    "candidates": 2,
    "confidence": 0.91,
    "decision": "ready_pr",
    "test_path": "test_geom.py",
    "explanation": "area() became Rect.area().",
    "spent_tokens": 1200,
    "spent_usd": 0.01,
}


@pytest.mark.parametrize(
    ("packages", "patch", "draft"),
    [
        ([PACKAGE], {"status": "none"}, False),
        ([BROKEN], FIXED, False),
        ([BROKEN], {**FIXED, "decision": "draft_pr"}, True),
        ([BROKEN], {**FIXED, "status": "partial", "remaining": ["geom.area at shop.py:5"]}, True),
        ([BROKEN], {"status": "no_model"}, True),
        ([BROKEN], {"status": "unfixed"}, True),
        ([BROKEN], {"status": "budget"}, True),
    ],
)
def test_breaks_left_for_a_human_make_a_draft(
    packages: list[dict[str, Any]], patch: dict[str, Any], draft: bool
) -> None:
    """Only a confident patch-engine fix of every break left by the codemods keeps the PR ready."""
    assert needs_human(packages, patch) is draft


def test_pr_body_tells_codemod_changes_from_patch_engine_changes() -> None:
    """Files and breaks are attributed: codemods, the patch engine's winner (with its test and spend)."""
    body = pr_body("c", [BROKEN], {"ok": True, "counts": {"passed": 2}}, "", patch=FIXED)
    parts = ("`shop.py` (codemods)", "`shop.py` (patch engine)", "`test_geom.py` (patch engine)",
             "**removed** `geom.area` at `shop.py:5`: fixed by the patch engine", "### Patch engine",
             "candidate-1 of 2 candidates", "confidence 0.91", "`test_geom.py`", "> area() became Rect.area().",
             "1200 tokens")  # fmt: skip
    assert [p for p in parts if p not in body] == []


def test_pr_body_without_a_model_lists_the_breaks_for_a_human() -> None:
    """No model: the break is listed with why nothing fixed it, and the patch engine touched no file."""
    body = pr_body("c", [BROKEN], {"ok": False, "verdict": "failed"}, "", patch={"status": "no_model"})
    assert f"`geom.area` at `shop.py:5`: left for a human: {HUMAN_STATUSES['no_model']}" in body
    assert "(patch engine)" not in body and "left for a human: no language model is configured" in body
