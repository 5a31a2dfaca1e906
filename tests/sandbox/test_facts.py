"""Version facts: installed distributions and public signatures, read from a real environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.backends import BubblewrapBackend
from sandbox.envs import EnvBuilder
from sandbox.facts import Distribution, api_signatures, installed_distributions, parse_api_report, parse_metadata


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\n\nName: body\n", Distribution("six", "1.17.0")),
        ("Name: only-name\n", None),
    ],
)
def test_parse_metadata(text: str, expected: Distribution | None) -> None:
    """Name and Version come from the metadata header only."""
    assert parse_metadata(text) == expected


def test_installed_distributions(env_builder: EnvBuilder, tmp_path: Path) -> None:
    """The environment reports each installed distribution with its exact version."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("six==1.17.0\n")
    names = {d.name: d.version for d in installed_distributions(env_builder.ensure(repo))}
    assert names["six"] == "1.17.0" and "pytest" in names


def test_api_signatures_by_introspection(
    env_builder: EnvBuilder, bwrap_backend: BubblewrapBackend, tmp_path: Path
) -> None:
    """Signatures of a module's public functions, classes and methods are read inside the sandbox."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "requirements.txt").write_text("iniconfig\n")
    env = env_builder.ensure(repo)
    [api, missing] = api_signatures(env, ["iniconfig", "no_such_module"], bwrap_backend, cwd=repo)
    members = {m.name: m for m in api.members}
    assert members["IniConfig"].kind == "class"
    assert "path" in (members["IniConfig"].signature or "")
    assert any(name == "get" for name, _ in members["IniConfig"].methods)
    assert missing.error is not None and "ModuleNotFoundError" in missing.error


def test_module_names_are_validated(env_builder: EnvBuilder, bwrap_backend: BubblewrapBackend, tmp_path: Path) -> None:
    """Only dotted identifiers are accepted as module names."""
    with pytest.raises(ValueError, match="not a module name"):
        api_signatures(env_builder.ensure(tmp_path), ["os; rm -rf /"], bwrap_backend, cwd=tmp_path)


def test_parse_api_report() -> None:
    """The script's JSON becomes ModuleApi values."""
    report = '{"m": {"ok": true, "members": [{"name": "f", "kind": "function", "signature": "(a)"}]}}'
    [api] = parse_api_report(report)
    assert (api.module, api.members[0].signature, api.error) == ("m", "(a)", None)
