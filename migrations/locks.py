"""Lock files read statically: uv.lock, poetry.lock and Pipfile.lock (pure parsers)."""

from __future__ import annotations

import json
import re
import tomllib

from migrations.deps import Dependency, Source, normalize
from migrations.errors import DependencyFileError

KEY_VALUE = re.compile(r'^\s*(name|version)\s*=\s*"([^"]*)"')


def parse_uv_lock(text: str, file: str = "uv.lock") -> list[Dependency]:
    """Every `[[package]]` of a uv lock, pinned; the project itself (a `source = { editable/virtual }`) too."""
    return _package_blocks(text, file, Source.UV_LOCK)


def parse_poetry_lock(text: str, file: str = "poetry.lock") -> list[Dependency]:
    """Every `[[package]]` of a Poetry lock, pinned."""
    return _package_blocks(text, file, Source.POETRY_LOCK)


def _package_blocks(text: str, file: str, source: Source) -> list[Dependency]:
    """Scan `[[package]]` tables line by line so each record keeps the line of its `version`."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DependencyFileError(f"{file}: invalid TOML: {exc}") from exc
    records: list[Dependency] = []
    current: dict[str, tuple[str, int]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            _flush(current, file, source, records)
            current = {} if stripped == "[[package]]" else None
            continue
        match = KEY_VALUE.match(line)
        if current is not None and match and match.group(1) not in current:
            current[match.group(1)] = (match.group(2), number)
    _flush(current, file, source, records)
    return records


def _flush(block: dict[str, tuple[str, int]] | None, file: str, source: Source, out: list[Dependency]) -> None:
    if block and "name" in block and "version" in block:
        version, line = block["version"]
        out.append(Dependency(file, normalize(block["name"][0]), f"=={version}", version, line, source, raw=version))


def parse_pipfile_lock(text: str, file: str = "Pipfile.lock") -> list[Dependency]:
    """The `default` and `develop` sections of a Pipfile.lock (JSON), pinned."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DependencyFileError(f"{file}: invalid JSON: {exc}") from exc
    lines = text.splitlines()
    records: list[Dependency] = []
    for section in ("default", "develop"):
        for name, entry in data.get(section, {}).items():
            spec = entry.get("version", "") if isinstance(entry, dict) else ""
            pinned = spec[2:] if spec.startswith("==") else None
            line = next((i for i, t in enumerate(lines, 1) if f'"{name}": {{' in t), 0)
            records.append(
                Dependency(file, normalize(name), spec, pinned, line, Source.PIPFILE_LOCK, section, raw=spec)
            )
    return records
