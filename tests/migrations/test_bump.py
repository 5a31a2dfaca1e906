"""Bumping declarations by text edits, and telling which locks need regeneration."""

from __future__ import annotations

import pytest

from migrations.bump import bump_specifier, current_version, plan_bump, rewrite_requirement
from migrations.deps import Source, parse_files

from .test_deps import PIPFILE_LOCK, POETRY, POETRY_LOCK, PYPROJECT, SETUP_CFG, SETUP_PY, UV_LOCK


@pytest.mark.parametrize(
    ("spec", "version", "expected"),
    [
        ("==2.2.2", "3.0.0", "==3.0.0"),
        ("<3,>=2.2", "3.0.0", "<4,>=3.0.0"),
        (">=2.2,<3", "2.3.0", ">=2.3.0,<3"),
        ("~=1.4.46", "2.0.23", "~=2.0.23"),
        ("~=1.4", "2.0.23", "~=2.0"),
        ("==2.0.*", "2.1.4", "==2.1.*"),
        ("!=3.0.0,>=2", "3.0.0", ">=3.0.0"),
        ("<=7.1.2", "8.1.7", "<=8.1.7"),
        ("^1.10.2", "2.5.0", "^2.5.0"),
        ("", "1.0", ""),
    ],
)
def test_bump_specifier(spec: str, version: str, expected: str) -> None:
    """Each clause is rewritten to admit and require the target version."""
    assert bump_specifier(spec, version) == expected


@pytest.mark.parametrize(
    ("raw", "source", "expected"),
    [
        (
            "requests[socks] == 2.25.1 ; python_version >= '3.8'",
            Source.PEP621,
            "requests[socks] ==2.32.3 ; python_version >= '3.8'",
        ),
        ("requests (>=2.25)", Source.SETUP_PY, "requests >=2.32.3"),
        ("requests", Source.PEP621, "requests"),
        ("requests @ https://example.invalid/r.whl", Source.PEP621, "requests @ https://example.invalid/r.whl"),
        ("^2.25", Source.POETRY, "^2.32.3"),
    ],
)
def test_rewrite_requirement(raw: str, source: Source, expected: str) -> None:
    """Only the specifier of a requirement changes; markers, extras and URLs stay."""
    assert rewrite_requirement(raw, "2.32.3", source) == expected


@pytest.mark.parametrize(
    ("files", "package", "version", "changed_line"),
    [
        ({"pyproject.toml": PYPROJECT}, "flask", "3.0.0", '    "Flask>=3.0.0,<4",\n'),
        ({"pyproject.toml": PYPROJECT}, "sqlalchemy", "2.0.23", 'db = ["SQLAlchemy~=2.0.23"]\n'),
        ({"pyproject.toml": POETRY}, "pydantic", "2.5.0", 'pydantic = "^2.5.0"\n'),
        ({"setup.cfg": SETUP_CFG}, "click", "8.1.7", "    click>=8.1.7,<9\n"),
        ({"setup.py": SETUP_PY}, "flask", "3.0.0", '    "flask==3.0.0",\n'),
        ({"requirements.txt": "flask==2.2.2  # app\n"}, "Flask", "3.0.0", "flask==3.0.0  # app\n"),
        ({"constraints.txt": "attrs==21.4.0\n"}, "attrs", "24.2.0", "attrs==24.2.0\n"),
    ],
)
def test_plan_bump_edits_the_declaration(files: dict[str, str], package: str, version: str, changed_line: str) -> None:
    """The declaring line is rewritten in place; every other line is untouched."""
    plan = plan_bump(files, parse_files(files), package, version)
    ((name, text),) = plan.files.items()
    old_lines, new_lines = files[name].splitlines(keepends=True), text.splitlines(keepends=True)
    assert len(old_lines) == len(new_lines)
    assert [n for o, n in zip(old_lines, new_lines, strict=True) if o != n] == [changed_line]


@pytest.mark.parametrize(
    ("name", "text", "package", "command"),
    [
        ("uv.lock", UV_LOCK, "flask", ("uv", "lock", "--upgrade-package", "flask==3.0.0")),
        ("poetry.lock", POETRY_LOCK, "pydantic", ("poetry", "update", "--lock", "pydantic")),
        ("Pipfile.lock", PIPFILE_LOCK, "requests", ("pipenv", "lock")),
        ("requirements.txt", "flask==2.2.2 \\\n    --hash=sha256:aa\n", "flask",
         ("pip-compile", "--generate-hashes", "--upgrade-package", "flask==3.0.0")),
    ],
)  # fmt: skip
def test_locks_are_reported_not_rewritten(name: str, text: str, package: str, command: tuple[str, ...]) -> None:
    """Locks and hashed pins are left alone and named with the command that regenerates them."""
    plan = plan_bump({name: text}, parse_files({name: text}), package, "3.0.0")
    assert plan.files == {}
    assert [(lock.file, lock.command) for lock in plan.locks] == [(name, command)]


def test_any_version_needs_no_edit() -> None:
    """A declaration without a specifier already admits the new version."""
    files = {"requirements.txt": "click\n"}
    plan = plan_bump(files, parse_files(files), "click", "8.1.7")
    assert plan.files == {} and plan.edits == [] and plan.notes


@pytest.mark.parametrize(
    ("files", "expected", "exact"),
    [
        ({"uv.lock": UV_LOCK, "pyproject.toml": PYPROJECT}, "2.2.2", True),
        ({"requirements.txt": "flask==2.2.1\n", "pyproject.toml": PYPROJECT}, "2.2.1", True),
        ({"pyproject.toml": PYPROJECT}, "2.2", False),
        ({"requirements.txt": "flask\n"}, None, False),
    ],
)
def test_current_version(files: dict[str, str], expected: str | None, exact: bool) -> None:
    """A lock wins over a pin, a pin over a lower bound; nothing when nothing constrains it."""
    found = current_version(parse_files(files), "Flask")
    assert (found.version, found.exact) == (expected, exact) if found else expected is None
