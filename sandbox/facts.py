"""Version facts about an environment: installed distributions, and public API signatures by introspection."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sandbox.backends.base import Backend, Mount, SandboxSpec
from sandbox.envs import Environment
from sandbox.errors import SandboxError
from sandbox.limits import Limits
from sandbox.worktrees import read_no_follow

SCRIPT = Path(__file__).with_name("introspect_script.py")
MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
FACT_LIMITS = Limits(wall_s=120, cpu_s=120, output_bytes=16 * 1024 * 1024)


@dataclass(frozen=True)
class Distribution:
    """An installed distribution and its exact version."""

    name: str
    version: str


@dataclass(frozen=True)
class Member:
    """A public function or class of a module (`methods` holds (name, signature) pairs for classes)."""

    name: str
    kind: str
    signature: str | None
    methods: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class ModuleApi:
    """The public API of one module as imported in the environment, or why it could not be imported."""

    module: str
    members: tuple[Member, ...]
    error: str | None = None


def installed_distributions(env: Environment) -> list[Distribution]:
    """Every distribution in the environment's site-packages, from its dist-info METADATA, sorted by name."""
    found = {}
    for metadata in sorted(env.path.glob("lib/python*/site-packages/*.dist-info/METADATA")):
        text = read_no_follow(metadata, 4 * 1024 * 1024)
        if text is None:
            continue
        distribution = parse_metadata(text)
        if distribution is not None:
            found[distribution.name.lower()] = distribution
    return sorted(found.values(), key=lambda d: d.name.lower())


def parse_metadata(text: str) -> Distribution | None:
    """Name and Version from the header of a core-metadata file."""
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        headers.setdefault(key.strip(), value.strip())
    if "Name" not in headers or "Version" not in headers:
        return None
    return Distribution(name=headers["Name"], version=headers["Version"])


def api_signatures(env: Environment, modules: Sequence[str], backend: Backend, *, cwd: Path) -> list[ModuleApi]:
    """Import `modules` with the environment's Python inside the sandbox and read their public signatures."""
    for module in modules:
        if not MODULE_NAME.match(module):
            raise ValueError(f"not a module name: {module!r}")
    spec = SandboxSpec(
        argv=(str(env.python), "-c", SCRIPT.read_text(), *modules),
        cwd=cwd,
        mounts=(*env.mounts(), Mount(cwd)),
        env=env.env(),
        limits=FACT_LIMITS,
    )
    result = backend.run(spec)
    if not result.ok:
        raise SandboxError(f"introspection ended with {result.verdict.value}: {result.stderr[-2000:]}")
    return parse_api_report(result.stdout)


def parse_api_report(stdout: str) -> list[ModuleApi]:
    """ModuleApi values from the introspection script's JSON."""
    try:
        report = json.loads(stdout)
    except ValueError as exc:
        raise SandboxError("introspection printed no JSON report") from exc
    apis = []
    for module, entry in report.items():
        if not entry.get("ok"):
            apis.append(ModuleApi(module=module, members=(), error=str(entry.get("error"))))
            continue
        members = tuple(
            Member(
                name=item["name"],
                kind=item["kind"],
                signature=item.get("signature"),
                methods=tuple((m["name"], m.get("signature")) for m in item.get("methods", [])),
            )
            for item in entry["members"]
        )
        apis.append(ModuleApi(module=module, members=members))
    return apis
