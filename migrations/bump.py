"""Bump a dependency the way the repository declares it: text edits of declarations, lock commands (pure).

Usage:
    records = parse_files(files)
    current = current_version(records, "flask")
    plan = plan_bump(files, records, "flask", "3.0.0")
    plan.files      # relative path -> new text, for every edited file
    plan.locks      # locks to regenerate, each with the command that does it
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from migrations.deps import LOCK_SOURCES, Dependency, Source, normalize

NAME_AND_EXTRAS = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*")
CLAUSE = re.compile(r"^\s*(===|==|~=|!=|<=|>=|<|>|\^|~)?\s*(\S+?)\s*$")
LOCK_COMMANDS = {
    Source.UV_LOCK: ("uv", "lock", "--upgrade-package", "{package}=={version}"),
    Source.POETRY_LOCK: ("poetry", "update", "--lock", "{package}"),
    Source.PIPFILE_LOCK: ("pipenv", "lock"),
}


@dataclass(frozen=True)
class Edit:
    """One rewritten declaration line."""

    file: str
    line: int
    before: str
    after: str


@dataclass(frozen=True)
class LockUpdate:
    """A lock that must be regenerated, and the command that does it."""

    file: str
    command: tuple[str, ...]
    reason: str


@dataclass
class BumpPlan:
    """The result of `plan_bump`: new file texts, the edits behind them, locks to regenerate, notes."""

    files: dict[str, str] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    locks: list[LockUpdate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CurrentVersion:
    """The version a repository uses now and the record it was read from (`exact` False for a lower bound)."""

    version: str
    record: Dependency
    exact: bool


def current_version(records: Sequence[Dependency], package: str) -> CurrentVersion | None:
    """Locked version first, then an `==` pin, then the lowest version a declaration allows."""
    mine = [r for r in records if r.name == normalize(package)]
    for group in ([r for r in mine if r.source in LOCK_SOURCES], [r for r in mine if r.source not in LOCK_SOURCES]):
        pins = [r for r in group if r.pinned]
        if pins:
            return CurrentVersion(pins[0].pinned or "", pins[0], True)
    floors = [(v, r) for r in mine if (v := _lower_bound(r.specifier))]
    if floors:
        version, record = max(floors, key=lambda f: _version_key(f[0]))
        return CurrentVersion(version, record, False)
    return None


def _lower_bound(specifier: str) -> str | None:
    for clause in specifier.split(","):
        match = CLAUSE.match(clause)
        if match and match.group(1) in (">=", "~=", "^", "~", "=="):
            return match.group(2).rstrip(".*")
    return None


def _version_key(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")


def bump_specifier(specifier: str, version: str) -> str:
    """The specifier rewritten so it admits `version` and requires at least it; "" stays "" (any version)."""
    target = Version(version)
    out: list[str] = []
    for clause in (c.strip() for c in specifier.split(",") if c.strip()):
        match = CLAUSE.match(clause)
        if match is None:
            out.append(clause)
            continue
        op, old = match.group(1) or "", match.group(2)
        new = _bump_clause(op, old, target)
        if new is not None:
            out.append(new)
    return ",".join(out)


def _bump_clause(op: str, old: str, target: Version) -> str | None:
    width = max(len(old.replace(".*", "").split(".")), 1)
    if op in ("==", "===", ""):
        if old.endswith(".*"):
            return f"{op}{_truncate(target, width)}.*"
        return f"{op or '=='}{target}"
    if op == "~=":
        return f"~={_truncate(target, max(width, 2))}"
    if op in ("^", "~", ">=", ">"):
        return f"{'>=' if op == '>' else op}{target}"
    if op == "!=":
        return None if _matches(f"!={old}", target) is False else f"!={old}"
    if _matches(f"{op}{old}", target):
        return f"{op}{old}"
    return f"<{target.major + 1}" if op == "<" else f"<={target}"


def _truncate(version: Version, width: int) -> str:
    parts = [*version.release, 0, 0][:width]
    return ".".join(str(p) for p in parts)


def _matches(specifier: str, version: Version) -> bool | None:
    try:
        return SpecifierSet(specifier).contains(version, prereleases=True)
    except InvalidSpecifier:
        return None


def split_requirement(raw: str) -> tuple[str, str, str]:
    """(name and extras, specifier as written, rest: marker or URL) of a PEP 508 string."""
    head = NAME_AND_EXTRAS.match(raw)
    start = head.end() if head else 0
    cut = min((i for i in (raw.find(";", start), raw.find("@", start)) if i >= 0), default=len(raw))
    spec = raw[start:cut]
    return raw[:start], spec, raw[cut:]


def rewrite_requirement(raw: str, version: str, source: Source) -> str:
    """`raw` with its specifier bumped; Poetry and Pipfile values are specifiers alone."""
    if source in (Source.POETRY, Source.PIPFILE):
        return bump_specifier(raw, version) if raw else raw
    head, spec, rest = split_requirement(raw)
    if "@" in rest.split(";")[0]:
        return raw  # a direct URL: nothing to bump
    inner = spec.strip().removeprefix("(").removesuffix(")")
    if not inner:
        return raw
    padding = spec[len(spec.rstrip()) :]
    return f"{head}{bump_specifier(inner, version)}{padding}{rest}"


def plan_bump(files: Mapping[str, str], records: Sequence[Dependency], package: str, version: str) -> BumpPlan:
    """Edits of every declaration of `package` in `files` so it requires `version`, and the locks to regenerate."""
    plan = BumpPlan()
    texts = {name: text.splitlines(keepends=True) for name, text in files.items()}
    for record in (r for r in records if r.name == normalize(package)):
        if record.source in LOCK_SOURCES:
            argv = tuple(a.format(package=package, version=version) for a in LOCK_COMMANDS[record.source])
            plan.locks.append(LockUpdate(record.file, argv, f"{record.file} locks {package}=={record.pinned}"))
        elif "--hash" in files.get(record.file, ""):
            argv = ("pip-compile", "--generate-hashes", "--upgrade-package", f"{package}=={version}")
            plan.locks.append(LockUpdate(record.file, argv, f"{record.file} pins {package} with hashes"))
        else:
            _edit_line(texts, record, version, plan)
    for name, lines in texts.items():
        text = "".join(lines)
        if text != files[name]:
            plan.files[name] = text
    return plan


def _edit_line(texts: dict[str, list[str]], record: Dependency, version: str, plan: BumpPlan) -> None:
    lines = texts.get(record.file)
    if lines is None or not 0 < record.line <= len(lines) or not record.raw:
        plan.notes.append(f"{record.file}: {record.name} allows any version; nothing to edit")
        return
    after = rewrite_requirement(record.raw, version, record.source)
    line = lines[record.line - 1]
    if after == record.raw or record.raw not in line:
        plan.notes.append(f"{record.file}:{record.line}: {record.raw!r} already admits {version} or is not a spec")
        return
    lines[record.line - 1] = line.replace(record.raw, after, 1)
    plan.edits.append(Edit(record.file, record.line, record.raw, after))
