"""Dependency declarations of a repository, read statically (pure parsers; `read_repo` is the file walker).

Every parser takes a file's text and its repository-relative name and returns `Dependency` records:
PEP 621 `[project]` dependencies, extras and PEP 735 groups, Poetry and Pipfile tables,
`requirements*.txt`/constraints (with their `-r`/`-c` includes), `setup.cfg` and `setup.py` (by ast,
never executed). Lock files are parsed in `migrations.locks`.
"""

from __future__ import annotations

import ast
import configparser
import enum
import posixpath
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from migrations.errors import DependencyFileError

COMMENT = re.compile(r"(^|\s+)#.*$")
OPTION = re.compile(r"\s+--?[A-Za-z]")
INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")


class Source(enum.StrEnum):
    """Which kind of file a record comes from."""

    PEP621 = "pep621"
    REQUIREMENTS = "requirements"
    CONSTRAINTS = "constraints"
    SETUP_CFG = "setup.cfg"
    SETUP_PY = "setup.py"
    POETRY = "poetry"
    PIPFILE = "pipfile"
    UV_LOCK = "uv.lock"
    POETRY_LOCK = "poetry.lock"
    PIPFILE_LOCK = "Pipfile.lock"


LOCK_SOURCES = (Source.UV_LOCK, Source.POETRY_LOCK, Source.PIPFILE_LOCK)


@dataclass(frozen=True)
class Dependency:
    """One declared or locked dependency.

    `name` is PEP 503 normalised; `specifier` is the version constraint as written ("" for any);
    `pinned` the exact version when the record pins one (`==X`, or a lock entry); `line` is 1-based;
    `group` the extra, dependency group or lock section; `raw` the requirement text as written.
    """

    file: str
    name: str
    specifier: str
    pinned: str | None
    line: int
    source: Source
    group: str | None = None
    marker: str | None = None
    raw: str = ""


@dataclass(frozen=True)
class Include:
    """A `-r` (requirements) or `-c` (constraints) include inside a requirements file."""

    file: str
    target: str
    constraint: bool


def normalize(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_version(specifier: str) -> str | None:
    """The version of a single `==X`/`===X` clause (no wildcard), else None."""
    clauses = [c.strip() for c in specifier.split(",") if c.strip()]
    if len(clauses) == 1:
        match = re.fullmatch(r"===?\s*([\w.+!-]+)", clauses[0])
        if match and "*" not in match.group(1):
            return match.group(1)
    return None


def from_requirement(text: str, file: str, line: int, source: Source, group: str | None = None) -> Dependency | None:
    """A record from one PEP 508 string, or None when it is not a named requirement."""
    try:
        req = Requirement(text.strip())
    except InvalidRequirement:
        return None
    spec = str(req.specifier)
    marker = str(req.marker) if req.marker else None
    return Dependency(file, normalize(req.name), spec, pinned_version(spec), line, source, group, marker, text.strip())


class _Lines:
    """Finds the line of a quoted string in a file, each line used once (tomllib keeps no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.used: set[int] = set()

    def find(self, needle: str, quoted: bool = True) -> int:
        forms = (f'"{needle}"', f"'{needle}'") if quoted else (needle,)
        for index, line in enumerate(self.lines):
            if index not in self.used and any(f in line for f in forms):
                self.used.add(index)
                return index + 1
        return 0


def _toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DependencyFileError(f"{file}: invalid TOML: {exc}") from exc


def parse_pyproject(text: str, file: str = "pyproject.toml") -> list[Dependency]:
    """PEP 621 dependencies, optional-dependencies (extras), PEP 735 groups and Poetry tables."""
    data, lines = _toml(text, file), _Lines(text)
    project = data.get("project", {})
    found: list[tuple[str, str | None]] = [(r, None) for r in project.get("dependencies", [])]
    for extra, reqs in project.get("optional-dependencies", {}).items():
        found += [(r, extra) for r in reqs]
    for group, reqs in data.get("dependency-groups", {}).items():
        found += [(r, group) for r in reqs if isinstance(r, str)]
    records = [from_requirement(r, file, lines.find(r), Source.PEP621, g) for r, g in found]
    poetry = data.get("tool", {}).get("poetry", {})
    tables = [(None, poetry.get("dependencies", {}))]
    tables += [(g, t.get("dependencies", {})) for g, t in poetry.get("group", {}).items()]
    for group, table in tables:
        records += [_poetry_record(n, v, file, lines, Source.POETRY, group) for n, v in table.items() if n != "python"]
    return [r for r in records if r is not None]


def _poetry_record(
    name: str, value: Any, file: str, lines: _Lines, source: Source, group: str | None
) -> Dependency | None:
    """A Poetry or Pipfile table entry: `name = "^1.2"` or `name = {version = "..."}`."""
    version = value.get("version", "*") if isinstance(value, dict) else value
    if not isinstance(version, str):
        return None
    spec = "" if version.strip() == "*" else version.strip()
    line = lines.find(f"{name} =", quoted=False) or lines.find(f"{name}=", quoted=False)
    return Dependency(file, normalize(name), spec, pinned_version(spec), line, source, group, raw=spec)


def parse_pipfile(text: str, file: str = "Pipfile") -> list[Dependency]:
    """`[packages]` and `[dev-packages]` of a Pipfile."""
    data, lines = _toml(text, file), _Lines(text)
    records = [
        _poetry_record(name, value, file, lines, Source.PIPFILE, section)
        for section in ("packages", "dev-packages")
        for name, value in data.get(section, {}).items()
    ]
    return [r for r in records if r is not None]


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each requirements line, continuations joined and comments dropped."""
    start, parts = 0, list[str]()
    for number, line in enumerate(text.splitlines(), 1):
        if not parts:
            start = number
        stripped = COMMENT.sub("", line)
        if stripped.rstrip().endswith("\\"):
            parts.append(stripped.rstrip()[:-1])
            continue
        parts.append(stripped)
        joined = " ".join(p.strip() for p in parts).strip()
        parts = []
        if joined:
            yield start, joined


def parse_requirements(text: str, file: str, constraints: bool = False) -> tuple[list[Dependency], list[Include]]:
    """Records and `-r`/`-c` includes of a requirements or constraints file."""
    source = Source.CONSTRAINTS if constraints else Source.REQUIREMENTS
    records: list[Dependency] = []
    includes: list[Include] = []
    for number, line in logical_lines(text):
        include = INCLUDE.match(line)
        if include:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(file), include.group(2)))
            includes.append(Include(file, target, include.group(1) in ("-c", "--constraint")))
            continue
        if line.startswith("-"):
            continue  # -e, -i, --index-url, --hash on its own...: not a named requirement
        requirement = OPTION.split(line, maxsplit=1)[0]
        record = from_requirement(requirement, file, number, source)
        if record is not None:
            records.append(record)
    return records, includes


def parse_setup_cfg(text: str, file: str = "setup.cfg") -> list[Dependency]:
    """`[options] install_requires` and `[options.extras_require]`."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise DependencyFileError(f"{file}: {exc}") from exc
    found: list[tuple[str, str | None]] = []
    if parser.has_option("options", "install_requires"):
        found += [(r, None) for r in _cfg_list(parser.get("options", "install_requires"))]
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            found += [(r, extra) for r in _cfg_list(value)]
    lines = _Lines(text)
    records = [from_requirement(r, file, lines.find(r, quoted=False), Source.SETUP_CFG, g) for r, g in found]
    return [r for r in records if r is not None]


def _cfg_list(value: str) -> list[str]:
    items = [COMMENT.sub("", v).strip() for v in re.split(r"[\n;]" if "\n" in value else r"\n", value)]
    return [i for i in items if i]


def parse_setup_py(text: str, file: str = "setup.py") -> list[Dependency]:
    """Literal `install_requires`/`extras_require` of a `setup(...)` call, read with ast (never executed)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise DependencyFileError(f"{file}: {exc}") from exc
    names = {
        t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)
    }
    records: list[Dependency | None] = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        if not (isinstance(call.func, ast.Name | ast.Attribute) and ast.unparse(call.func).endswith("setup")):
            continue
        for keyword in call.keywords:
            value = names.get(keyword.value.id, keyword.value) if isinstance(keyword.value, ast.Name) else keyword.value
            if keyword.arg == "install_requires":
                records += _literal_requirements(value, file, None)
            elif keyword.arg == "extras_require" and isinstance(value, ast.Dict):
                for key, reqs in zip(value.keys, value.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        records += _literal_requirements(reqs, file, key.value)
    return [r for r in records if r is not None]


def _literal_requirements(node: ast.expr, file: str, group: str | None) -> list[Dependency | None]:
    if not isinstance(node, ast.List | ast.Tuple):
        return []  # computed at run time: not readable statically
    return [
        from_requirement(e.value, file, e.lineno, Source.SETUP_PY, group)
        for e in node.elts
        if isinstance(e, ast.Constant) and isinstance(e.value, str)
    ]


def parse_file(relpath: str, text: str) -> tuple[list[Dependency], list[Include]]:
    """Dispatch on the file name; unknown names yield nothing."""
    from migrations import locks

    name = Path(relpath).name
    parsers = {
        "pyproject.toml": parse_pyproject,
        "setup.cfg": parse_setup_cfg,
        "setup.py": parse_setup_py,
        "Pipfile": parse_pipfile,
        "uv.lock": locks.parse_uv_lock,
        "poetry.lock": locks.parse_poetry_lock,
        "Pipfile.lock": locks.parse_pipfile_lock,
    }
    if name in parsers:
        return parsers[name](text, relpath), []
    if is_requirements_file(relpath):
        return parse_requirements(text, relpath, constraints="constraint" in name.lower())
    return [], []


def is_requirements_file(relpath: str) -> bool:
    """requirements*.txt / *.in, constraints*.txt, and any .txt/.in under a requirements/ folder."""
    path = Path(relpath)
    if path.suffix not in (".txt", ".in"):
        return False
    return "requirements" in path.name.lower() or "constraint" in path.name.lower() or "requirements" in path.parts


def parse_files(files: Mapping[str, str]) -> list[Dependency]:
    """Records of every file in `files` (relative path -> text); a file included with `-c` reads as constraints."""
    targets: dict[str, bool] = {}
    for relpath in files:
        if Path(relpath).name not in MANIFESTS:
            for include in parse_requirements(files[relpath], relpath)[1]:
                targets[include.target] = targets.get(include.target, False) or include.constraint
    records: list[Dependency] = []
    for relpath in sorted(files):
        if relpath in targets and Path(relpath).name not in MANIFESTS:
            constraints = targets[relpath] or "constraint" in Path(relpath).name.lower()
            records += parse_requirements(files[relpath], relpath, constraints=constraints)[0]
        else:
            records += parse_file(relpath, files[relpath])[0]
    return records


MANIFESTS = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "uv.lock", "poetry.lock", "Pipfile.lock")
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build", "dist", "site-packages"}


def read_repo(root: Path, max_depth: int = 3) -> dict[str, str]:
    """Texts of the dependency files under `root` (relative path -> text), with the files they include (adapter)."""
    files: dict[str, str] = {}
    pending = [
        p.relative_to(root).as_posix()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and len(p.relative_to(root).parts) <= max_depth
        and not SKIP_DIRS.intersection(p.relative_to(root).parts)
        and (p.name in MANIFESTS or is_requirements_file(p.relative_to(root).as_posix()))
    ]
    while pending:
        relpath = pending.pop()
        path = (root / relpath).resolve()
        if relpath in files or not path.is_file() or not path.is_relative_to(root.resolve()):
            continue
        files[relpath] = path.read_bytes().decode("utf-8", errors="replace")  # newlines kept for bump edits
        if Path(relpath).name not in MANIFESTS:
            pending += [i.target for i in parse_requirements(files[relpath], relpath)[1]]
    return files


def read_dependencies(root: Path) -> list[Dependency]:
    """Every dependency record of the repository at `root` (adapter over `read_repo` + `parse_files`)."""
    return parse_files(read_repo(root))
