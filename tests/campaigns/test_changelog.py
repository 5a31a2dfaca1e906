"""The changelog excerpt between two versions, and finding a release's changelog."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.campaigns.changelog import changelog_text, excerpt, find_changelog

MARKDOWN = """# Changelog

## [Unreleased]

## [3.0.0] - 2025-02-01
- three

## [2.1.0] - 2024-12-01
- two one

## 2.0.0
- two

## v1.9.0 (2024-01-01)
- one nine
"""

RST = """Changes
=======

Version 2.0.1
-------------

- two zero one

2.0.0 (2024-05-01)
------------------

- two

1.0
---

- one
"""


@pytest.mark.parametrize(
    ("text", "old", "new", "present", "absent"),
    [
        (MARKDOWN, "1.9.0", "2.1.0", ["two one", "- two"], ["three", "one nine"]),
        (MARKDOWN, "2.0.0", "3.0.0", ["three", "two one"], ["- two\n", "one nine"]),
        (MARKDOWN, "1.0", "1.8", [], ["two", "one nine"]),
        (RST, "1.0", "2.0.1", ["two zero one", "- two"], ["- one"]),
        (RST, "2.0.0", "2.0.1", ["Version 2.0.1"], ["2.0.0 (2024"]),
    ],
)
def test_excerpt_keeps_sections_after_old_up_to_new(
    text: str, old: str, new: str, present: list[str], absent: list[str]
) -> None:
    """Only the sections of versions in (old, new] are kept, from Markdown headings or reST titles."""
    found = excerpt(text, old=old, new=new)
    assert all(p in found for p in present) and not any(a in found for a in absent)


def test_excerpt_is_newest_first_and_cut_at_the_limit() -> None:
    """Sections come newest first; a long excerpt is cut with a marker."""
    found = excerpt(MARKDOWN, old="1.9.0", new="3.0.0")
    assert found.index("3.0.0") < found.index("2.1.0") < found.index("## 2.0.0")
    assert excerpt(MARKDOWN, old="1.9.0", new="3.0.0", limit=20).endswith("…(cut)")


def test_text_without_version_headers_gives_nothing() -> None:
    """Prose that names versions outside headers is not mistaken for sections."""
    assert excerpt("We moved from 1.0 to 2.0 in this release.\n", old="1.0", new="2.0") == ""


def test_changelog_is_found_in_package_folder_or_metadata(tmp_path: Path) -> None:
    """The shallowest CHANGES/CHANGELOG/HISTORY/NEWS file wins; a wheel without one falls back to METADATA."""
    (tmp_path / "pkg" / "docs").mkdir(parents=True)
    (tmp_path / "pkg" / "docs" / "HISTORY.rst").write_text("deep")
    (tmp_path / "pkg" / "CHANGES.md").write_text("shallow")
    assert find_changelog(tmp_path) == tmp_path / "pkg" / "CHANGES.md"
    wheel = tmp_path / "wheel"
    (wheel / "pkg-1.0.dist-info").mkdir(parents=True)
    (wheel / "pkg-1.0.dist-info" / "METADATA").write_text("Name: pkg\nVersion: 1.0\n\n## 1.0\n- first\n")
    assert changelog_text(wheel) == "## 1.0\n- first\n"
