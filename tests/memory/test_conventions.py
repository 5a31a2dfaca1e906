"""Tests for memory.conventions."""

from __future__ import annotations

from typing import Any

import pytest

from memory.conventions import changelog_paths, fragment_dirs_declared, mine_conventions, refresh_history
from memory.model import FileChange, Unit

TEXTS = {
    "pkg/errors.py": 'class PkgError(Exception):\n    """Base."""\n\n\nclass NotFound(PkgError):\n    pass\n',
    "pkg/core.py": (
        "import logging\nlog = logging.getLogger(__name__)\n\n\ndef run(x: int) -> int:\n"
        '    """Run.\n\n    Args:\n        x: value\n    """\n    try:\n        return x\n'
        "    except KeyError as exc:\n        raise NotFound(str(x)) from exc\n"
    ),
    "tests/test_core.py": "def test_run():\n    assert True\n",
}
CONFIGS = {
    "pyproject.toml": "[tool.ruff]\nline-length = 100\n[tool.mypy]\nstrict = true\n",
    ".pre-commit-config.yaml": "repos:\n  - hooks:\n    - id: ruff\n    - id: mypy\n",
}


def _unit(title: str, paths: list[tuple[str, str]]) -> Unit:
    return Unit("s", "", "a", 0, title, (), [FileChange(p, p, status) for p, status in paths])


def test_profile_covers_tools_code_tests_errors_logging_changelog_and_titles() -> None:
    """Every part of the profile is mined from the texts, configs and units."""
    units = [
        _unit("Fix run for zero", [("pkg/core.py", "M"), ("changelog.d/1.bugfix", "A")]),
        _unit("Add NotFound", [("pkg/errors.py", "M"), ("changelog.d/2.feature", "A")]),
    ]
    profile = mine_conventions(TEXTS, CONFIGS, units, ["changelog.d/2.feature"])
    assert profile["formatters"]["ruff"] == {"line-length": 100}
    assert profile["formatters"]["pre-commit"] == ["mypy", "ruff"]
    assert profile["code"]["docstring_style"] == "google"
    assert profile["code"]["annotated_ratio"] == 1.0
    assert profile["tests"] == {
        "files": 1,
        "dirs": ["tests"],
        "naming": "test_*",
        "framework": "pytest",
        "conftest": False,
    }
    assert profile["exception_bases"] == ["PkgError"]
    assert profile["raise_from"] == 1
    assert profile["logging"] == ["logging.getLogger"]
    assert profile["changelog"]["fragment_dirs"] == ["changelog.d"]
    assert profile["title"]["capitalized"] == 1.0
    assert profile["title"]["common_first_words"] == ["Fix", "Add"]


ERRORS = {
    "pkg/errors.py": (
        "class ClickLikeError(Exception):\n    pass\n\n\nclass UsageError(ClickLikeError):\n    pass\n\n\n"
        "class BadParameter(UsageError):\n    pass\n\n\nclass NoSuchOption(UsageError):\n    pass\n\n\n"
        "class Abort(RuntimeError):\n    pass\n\n\nclass Exit(RuntimeError):\n    pass\n\n\n"
        "class Gone(\n    KeyError,\n):\n    pass\n\n\nclass Wrapped(requests.HTTPError):\n    pass\n\n\n"
        "class Plain(Base):\n    pass\n\n\nclass Other(Plain):\n    pass\n"
    )
}


def test_exception_bases_are_the_projects_own_classes() -> None:
    """Project classes other project exceptions derive from are its bases; builtins are listed apart."""
    profile = mine_conventions(ERRORS, {}, [])
    assert profile["exception_bases"] == ["UsageError", "ClickLikeError"]
    assert profile["builtin_exception_bases"] == ["RuntimeError", "Exception", "KeyError"]


@pytest.mark.parametrize(
    ("paths", "configs", "files", "dirs"),
    [
        (
            ["CHANGES.md", "docs/changes.md", "src/pkg/changes.py", "README.md"],
            {},
            ["CHANGES.md", "docs/changes.md"],
            [],
        ),
        (["docs/changelog.rst", "HISTORY.rst", "pkg/history.py"], {}, ["HISTORY.rst", "docs/changelog.rst"], []),
        (["NEWS.rst", "news/123.bugfix.rst", "news/.gitignore", "news/pip.vendor.rst"], {}, ["NEWS.rst"], ["news"]),
        (["src/pkg/news/feed.py", "src/pkg/news/README.md"], {}, [], []),
        (["changelog.d/+a1.misc.md", "changelog.d/README.md"], {}, [], ["changelog.d"]),
        (["newsfragments/42.feature"], {}, [], ["newsfragments"]),
        (["fragments/1.x"], {"pyproject.toml": '[tool.towncrier]\ndirectory = "fragments/"\n'}, [], ["fragments"]),
        (
            [],
            {"towncrier.toml": '[tool.towncrier]\npackage = "pkg"\npackage_dir = "src"\n'},
            [],
            ["src/pkg/newsfragments"],
        ),
        (
            [".changes/unreleased/Added-20240101-120000.yaml", ".changes/v1.0.0.md", "CHANGELOG.md"],
            {".changie.yaml": "changesDir: .changes\nunreleasedDir: unreleased\nheaderPath: header.tpl.md\n"},
            ["CHANGELOG.md"],
            [".changes/unreleased"],
        ),
        (
            ["changes/next/Fixed-1.yaml"],
            {".changie.yml": "changesDir: changes\nunreleasedDir: next\n"},
            [],
            ["changes/next"],
        ),
    ],
)
def test_changelog_files_and_fragment_folders_come_from_the_tree(
    paths: list[str], configs: dict[str, str], files: list[str], dirs: list[str]
) -> None:
    """Changelog files at the root or under docs/, and fragment folders (found or declared), are listed."""
    changelog = mine_conventions({}, configs, [], paths)["changelog"]
    assert (changelog["files"], changelog["fragment_dirs"]) == (files, dirs)


def test_changelog_paths_keep_only_changelogs_and_fragments() -> None:
    """Of a tree's paths only the changelog files and fragments of found or declared folders are kept."""
    paths = ["CHANGES.md", "src/pkg/core.py", "frag/1.bugfix", "changelog.d/3.misc", "changes/notes.txt"]
    assert changelog_paths(paths, fragment_dirs_declared(TOWNCRIER)) == [
        "CHANGES.md",
        "changelog.d/3.misc",
        "frag/1.bugfix",
    ]


TOWNCRIER = {"pyproject.toml": '[tool.towncrier]\ndirectory = "frag"\n'}
CHANGIE = {".changie.yaml": "changesDir: .changes\nunreleasedDir: unreleased\n"}
IN_PLACE = [
    _unit("Fix a", [("src/a.py", "M"), ("CHANGES.md", "M")]),
    _unit("Fix b", [("src/b.py", "M"), ("CHANGES.md", "M")]),
    _unit("Docs", [("docs/x.md", "M")]),
    _unit("Release", [("CHANGES.md", "M"), ("news/1.bugfix", "D")]),
]
FRAGMENTS = [
    _unit("Fix a", [("src/a.py", "M"), ("frag/1.bugfix", "A")]),
    _unit("Fix b", [("src/b.py", "M"), ("frag/2.feature", "A")]),
    _unit("Release", [("NEWS.rst", "M"), ("frag/1.bugfix", "D"), ("frag/2.feature", "D")]),
]
CHANGIE_UNITS = [
    _unit("Fix a", [("src/a.py", "M"), (".changes/unreleased/Fixed-20240101-120000.yaml", "A")]),
    _unit("Add b", [("src/b.py", "M"), (".changes/unreleased/Added-20240102-120000.yaml", "A")]),
    _unit(
        "Release v1.0.0",
        [
            ("CHANGELOG.md", "M"),
            (".changes/v1.0.0.md", "A"),
            (".changes/unreleased/Fixed-20240101-120000.yaml", "D"),
            (".changes/unreleased/Added-20240102-120000.yaml", "D"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("units", "configs", "expected"),
    [
        (IN_PLACE, {}, {"entries": "edited in place", "touched": ["CHANGES.md"], "in_units": 0.75}),
        (FRAGMENTS, TOWNCRIER, {"entries": "fragments", "touched": ["frag/", "NEWS.rst"], "in_units": 1.0}),
        ([], TOWNCRIER, {"entries": "fragments", "touched": [], "in_units": 0.0}),
        (
            CHANGIE_UNITS,
            CHANGIE,
            {"entries": "fragments", "touched": [".changes/unreleased/", "CHANGELOG.md"], "in_units": 1.0},
        ),
        ([], CHANGIE, {"entries": "fragments", "changie": True, "towncrier": False}),
        ([_unit("Fix", [("src/a.py", "M")])], {}, {"entries": None, "touched": [], "in_units": 0.0}),
        (
            [*IN_PLACE, _unit("Move changes to markdown", [("CHANGES.md", "D"), ("docs/changes.md", "A")])],
            {},
            {"entries": "edited in place", "touched": ["docs/changes.md"], "in_units": 0.8},
        ),
    ],
)
def test_history_tells_how_changelog_entries_are_added(
    units: list[Unit], configs: dict[str, str], expected: dict[str, Any]
) -> None:
    """Units editing a changelog file mean entries in place; units adding fragments mean fragments."""
    changelog = mine_conventions({}, configs, units, ["CHANGES.md"])["changelog"]
    assert {k: changelog[k] for k in expected} == expected


def test_refresh_history_recomputes_changelog_use_and_titles() -> None:
    """The history part follows new units while the tree part stays."""
    profile = mine_conventions({}, TOWNCRIER, [], ["CHANGES.md"])
    refreshed = refresh_history(profile, FRAGMENTS)
    assert refreshed["changelog"]["files"] == ["CHANGES.md"]
    assert refreshed["changelog"]["touched"] == ["frag/", "NEWS.rst"]
    assert refreshed["title"]["common_first_words"] == ["Fix", "Release"]


def test_refresh_history_keeps_changie_fragments_without_units() -> None:
    """A changie config alone says entries are fragments, after a refresh as after a full mining."""
    profile = mine_conventions({}, CHANGIE, [], ["CHANGELOG.md"])
    refreshed = refresh_history(profile, [_unit("Fix", [("src/a.py", "M")])])["changelog"]
    assert (refreshed["entries"], refreshed["fragment_dirs"]) == ("fragments", [".changes/unreleased"])


@pytest.mark.parametrize(
    ("configs", "tool", "expected"),
    [
        (
            {
                "pyproject.toml": "[tool.ruff]\nline-length = 88\n"
                '[tool.ruff.lint]\nselect = ["B", "E"]\nignore = ["E501"]\n'
            },
            "ruff",
            {"line-length": 88, "select": ["B", "E"], "ignore": ["E501"]},
        ),
        (
            {
                "pyproject.toml": '[tool.ruff]\nextend = "config/ruff.toml"\n[tool.ruff.lint]\nignore = ["E501"]\n',
                "config/ruff.toml": 'line-length = 100\n[lint]\nselect = ["E", "F"]\nignore = ["E203"]\n',
            },
            "ruff",
            {"extend": "config/ruff.toml", "line-length": 100, "select": ["E", "F"], "ignore": ["E501"]},
        ),
        (
            {
                ".editorconfig": "root = true\n[*]\nindent_style = space\n"
                "[*.py]\nmax_line_length = 88\n[*.js]\nindent_size = 2\n"
            },
            ".editorconfig",
            {"indent_style": "space", "max_line_length": "88"},
        ),
    ],
)
def test_formatter_settings_are_read_where_the_tools_keep_them(
    configs: dict[str, str], tool: str, expected: dict[str, Any]
) -> None:
    """Ruff's [tool.ruff.lint] rules (over those of the file it extends) and .editorconfig's settings for Python
    files are part of the profile."""
    assert mine_conventions({}, configs, [])["formatters"][tool] == expected
