"""Dependency declarations read statically from realistic manifests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from migrations.deps import Source, logical_lines, parse_files, parse_requirements, pinned_version, read_dependencies
from migrations.errors import DependencyFileError

PYPROJECT = """\
[build-system]
requires = ["hatchling"]

[project]
name = "demo"
dependencies = [
    "Flask>=2.2,<3",
    "requests[socks] == 2.25.1 ; python_version >= '3.8'",
    'click',
]

[project.optional-dependencies]
db = ["SQLAlchemy~=1.4.46"]
test = ["pytest>=7"]

[dependency-groups]
dev = ["ruff==0.5.0", {include-group = "test"}]
"""

POETRY = """\
[tool.poetry]
name = "demo"

[tool.poetry.dependencies]
python = "^3.9"
pydantic = "^1.10.2"
attrs = {version = "21.4.0", optional = true}
numpy = "*"

[tool.poetry.group.dev.dependencies]
pytest = "^7.0"
"""

REQUIREMENTS = """\
# app requirements
-r base.txt
-c constraints.txt
--index-url https://example.invalid/simple
flask==2.2.2  # pinned for the app
Werkzeug>=2.2.2 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
-e ./libs/local
https://example.invalid/pkg.tar.gz
pandas==2.0.*; sys_platform != "win32"
"""

SETUP_CFG = """\
[metadata]
name = demo

[options]
install_requires =
    click>=7.1,<8
    attrs==21.4.0  # exact
python_requires = >=3.8

[options.extras_require]
fast =
    numpy>=1.24
"""

SETUP_PY = """\
from setuptools import setup

REQUIRES = [
    "requests>=2.25",
    "flask==2.2.2",
]

setup(
    name="demo",
    install_requires=REQUIRES,
    extras_require={"pd": ["pandas==2.0.3"], "dyn": compute()},
)
"""

UV_LOCK = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "flask" },
]

[[package]]
name = "Flask"
version = "2.2.2"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "werkzeug" },
]

[package.optional-dependencies]
dotenv = [
    { name = "python-dotenv" },
]
"""

POETRY_LOCK = """\
[[package]]
name = "pydantic"
version = "1.10.13"
description = "Data validation"
optional = false
python-versions = ">=3.7"

[package.dependencies]
typing-extensions = ">=4.2.0"

[[package]]
name = "typing-extensions"
version = "4.8.0"
description = "Backported types"
"""

PIPFILE_LOCK = """\
{
    "_meta": {"hash": {"sha256": "x"}},
    "default": {
        "requests": {
            "hashes": ["sha256:abc"],
            "version": "==2.25.1"
        }
    },
    "develop": {
        "pytest": {
            "version": "==7.4.0"
        }
    }
}
"""

PIPFILE = """\
[packages]
requests = "==2.25.1"
attrs = "*"

[dev-packages]
pytest = {version = ">=7"}
"""


def rows(files: dict[str, str]) -> list[tuple[str, str, str, str | None, int, Source, str | None]]:
    return [(r.file, r.name, r.specifier, r.pinned, r.line, r.source, r.group) for r in parse_files(files)]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"pyproject.toml": PYPROJECT},
            [
                ("pyproject.toml", "flask", "<3,>=2.2", None, 7, Source.PEP621, None),
                ("pyproject.toml", "requests", "==2.25.1", "2.25.1", 8, Source.PEP621, None),
                ("pyproject.toml", "click", "", None, 9, Source.PEP621, None),
                ("pyproject.toml", "sqlalchemy", "~=1.4.46", None, 13, Source.PEP621, "db"),
                ("pyproject.toml", "pytest", ">=7", None, 14, Source.PEP621, "test"),
                ("pyproject.toml", "ruff", "==0.5.0", "0.5.0", 17, Source.PEP621, "dev"),
            ],
        ),
        (
            {"pyproject.toml": POETRY},
            [
                ("pyproject.toml", "pydantic", "^1.10.2", None, 6, Source.POETRY, None),
                ("pyproject.toml", "attrs", "21.4.0", None, 7, Source.POETRY, None),
                ("pyproject.toml", "numpy", "", None, 8, Source.POETRY, None),
                ("pyproject.toml", "pytest", "^7.0", None, 11, Source.POETRY, "dev"),
            ],
        ),
        (
            {"requirements.txt": REQUIREMENTS},
            [
                ("requirements.txt", "flask", "==2.2.2", "2.2.2", 5, Source.REQUIREMENTS, None),
                ("requirements.txt", "werkzeug", ">=2.2.2", None, 6, Source.REQUIREMENTS, None),
                ("requirements.txt", "pandas", "==2.0.*", None, 11, Source.REQUIREMENTS, None),
            ],
        ),
        (
            {"setup.cfg": SETUP_CFG},
            [
                ("setup.cfg", "click", "<8,>=7.1", None, 6, Source.SETUP_CFG, None),
                ("setup.cfg", "attrs", "==21.4.0", "21.4.0", 7, Source.SETUP_CFG, None),
                ("setup.cfg", "numpy", ">=1.24", None, 12, Source.SETUP_CFG, "fast"),
            ],
        ),
        (
            {"setup.py": SETUP_PY},
            [
                ("setup.py", "requests", ">=2.25", None, 4, Source.SETUP_PY, None),
                ("setup.py", "flask", "==2.2.2", "2.2.2", 5, Source.SETUP_PY, None),
                ("setup.py", "pandas", "==2.0.3", "2.0.3", 11, Source.SETUP_PY, "pd"),
            ],
        ),
        (
            {"uv.lock": UV_LOCK},
            [
                ("uv.lock", "demo", "==0.1.0", "0.1.0", 6, Source.UV_LOCK, None),
                ("uv.lock", "flask", "==2.2.2", "2.2.2", 14, Source.UV_LOCK, None),
            ],
        ),
        (
            {"poetry.lock": POETRY_LOCK},
            [
                ("poetry.lock", "pydantic", "==1.10.13", "1.10.13", 3, Source.POETRY_LOCK, None),
                ("poetry.lock", "typing-extensions", "==4.8.0", "4.8.0", 13, Source.POETRY_LOCK, None),
            ],
        ),
        (
            {"Pipfile.lock": PIPFILE_LOCK},
            [
                ("Pipfile.lock", "requests", "==2.25.1", "2.25.1", 4, Source.PIPFILE_LOCK, "default"),
                ("Pipfile.lock", "pytest", "==7.4.0", "7.4.0", 10, Source.PIPFILE_LOCK, "develop"),
            ],
        ),
        (
            {"Pipfile": PIPFILE},
            [
                ("Pipfile", "requests", "==2.25.1", "2.25.1", 2, Source.PIPFILE, "packages"),
                ("Pipfile", "attrs", "", None, 3, Source.PIPFILE, "packages"),
                ("Pipfile", "pytest", ">=7", None, 6, Source.PIPFILE, "dev-packages"),
            ],
        ),
    ],
    ids=[
        "pep621",
        "poetry",
        "requirements",
        "setup.cfg",
        "setup.py",
        "uv.lock",
        "poetry.lock",
        "Pipfile.lock",
        "Pipfile",
    ],
)
def test_parsers_return_records(files: dict[str, str], expected: list[tuple[object, ...]]) -> None:
    """Each manifest kind yields normalised names, specifiers, pins, lines and groups."""
    assert rows(files) == expected


def test_marker_is_kept() -> None:
    """An environment marker is recorded apart from the specifier."""
    record = parse_files({"requirements.txt": REQUIREMENTS})[-1]
    assert record.marker == 'sys_platform != "win32"'


def test_includes_are_listed_relative_to_the_includer() -> None:
    """`-r`/`-c` targets are resolved against the including file's folder."""
    _, includes = parse_requirements("-r base.txt\n--constraint=../c.txt\n", "requirements/prod.txt")
    assert [(i.target, i.constraint) for i in includes] == [("requirements/base.txt", False), ("c.txt", True)]


def test_constraint_include_reads_as_constraints() -> None:
    """A file pulled in with `-c` is parsed as constraints whatever its name."""
    files = {"requirements.txt": "-c pins.txt\nflask\n", "pins.txt": "flask==2.2.2\n"}
    assert [(r.file, r.source) for r in parse_files(files)] == [
        ("pins.txt", Source.CONSTRAINTS),
        ("requirements.txt", Source.REQUIREMENTS),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a==1 \\\n  --hash=x\nb\n", [(1, "a==1 --hash=x"), (3, "b")]),
        ("# only a comment\n\n", []),
        ("url#egg=x\n", [(1, "url#egg=x")]),
    ],
)
def test_logical_lines(text: str, expected: list[tuple[int, str]]) -> None:
    """Continuations join, comments drop, a `#` inside a token stays."""
    assert list(logical_lines(text)) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("==1.2", "1.2"), ("===1.2", "1.2"), ("==1.*", None), (">=1", None), ("==1,<2", None), ("", None)],
)
def test_pinned_version(spec: str, expected: str | None) -> None:
    """Only a single exact clause pins a version."""
    assert pinned_version(spec) == expected


@pytest.mark.parametrize("name", ["pyproject.toml", "uv.lock", "Pipfile.lock", "setup.py"])
def test_malformed_file_raises(name: str) -> None:
    """A file that cannot be parsed raises DependencyFileError."""
    with pytest.raises(DependencyFileError):
        parse_files({name: "[[[ not valid (\n"})


def test_read_dependencies_walks_a_repo(tmp_path: Path) -> None:
    """The walker reads manifests in subfolders and the files they include."""
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "prod.txt").write_text("-r ../common.txt\nflask==2.2.2\n")
    (tmp_path / "common.txt").write_text("click==7.1.2\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "requirements.txt").write_text("ignored==1\n")
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT))
    found = {(r.file, r.name) for r in read_dependencies(tmp_path)}
    assert ("requirements/prod.txt", "flask") in found and ("common.txt", "click") in found
    assert ("pyproject.toml", "sqlalchemy") in found and not any(n == "ignored" for _, n in found)
