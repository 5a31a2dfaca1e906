"""The task the patch engine gets for the breaks no codemod handles (pure: package facts in, an Issue out).

    left = left_breaks(package)                      # the non-mechanical breaks that hit this repository
    issue = migration_issue(packages)                # title + body: API diff, call sites, new signatures, changelog

The API diff records, call sites and signatures are ours, but they quote the release (evidence can quote its
docstrings), and the changelog excerpt is the release's own text: every one of them is fenced as untrusted data
(bot.prompts.fence), and the whole body is fenced again as the issue by the generate prompt.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.patching.context import Issue
from bot.prompts import fence

__all__ = ["MAX_SIGNATURES", "left_breaks", "migration_issue", "site_files"]

MAX_SIGNATURES = 80
MAX_CHANGELOG = 4000
INTRO = (
    "Upgrading {bumps} breaks this repository in ways no automatic rewrite handles. The declarations are already "
    "bumped and the mechanical call sites already rewritten; the tests run with the new version installed.\n"
    "Change every call site listed below so that it works with the new version, using only the new version's "
    "API (its signatures are listed). Keep the behaviour the repository had with the old version. Your "
    "reproduction test must exercise a listed call site: it fails now (the call breaks under the new version) "
    "and passes once the call site is migrated."
)


def left_breaks(package: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The package's breaking changes without a codemod that have call sites here."""
    return [dict(c) for c in package.get("left") or [] if c.get("sites")]


def site_files(packages: Sequence[Mapping[str, Any]]) -> list[str]:
    """Files holding a call site left to the patch engine, in order, without repeats."""
    seen: dict[str, None] = {}
    for package in packages:
        for change in left_breaks(package):
            for site in change["sites"]:
                seen[str(site["file"])] = None
    return list(seen)


def _records(package: Mapping[str, Any]) -> list[dict[str, Any]]:
    keys = ("api", "kind", "old_signature", "new_signature", "evidence")
    return [{k: change.get(k) for k in keys} for change in left_breaks(package)]


def _sites(package: Mapping[str, Any]) -> str:
    lines = []
    for change in left_breaks(package):
        for site in change["sites"]:
            lines.append(f"{site['file']}:{site['line']} uses {change['api']} ({change['kind']}):")
            lines += [f"    {row}" for row in str(site.get("snippet") or "").splitlines()]
    return "\n".join(lines)


def _package_part(package: Mapping[str, Any]) -> str:
    name, old, new = package["name"], package["old"], package["new"]
    parts = [
        f"## {name} {old} -> {new}",
        "Breaking API changes that hit this repository (records of the API diff):\n"
        + fence(f"{name} API diff records", json.dumps(_records(package), indent=1, ensure_ascii=False)),
        "Call sites (file:line as on the default branch, with the lines around them):\n"
        + fence(f"{name} call sites", _sites(package)),
    ]
    signatures = list(package.get("signatures") or [])[:MAX_SIGNATURES]
    if signatures:
        parts.append(
            f"The new version's signatures ({name} {new}):\n" + fence(f"{name} {new} signatures", "\n".join(signatures))
        )
    changelog = str(package.get("changelog") or "")[:MAX_CHANGELOG]
    if changelog:
        parts.append(
            f"The release's changelog between {old} and {new}:\n" + fence(f"{name} changelog excerpt", changelog)
        )
    return "\n\n".join(parts)


def migration_issue(packages: Sequence[Mapping[str, Any]]) -> Issue:
    """The Issue the patch engine solves: one part per package that has breaks left."""
    hit = [p for p in packages if left_breaks(p)]
    bumps = ", ".join(f"{p['name']} {p['old']} -> {p['new']}" for p in hit)
    title = f"Migrate the call sites broken by {bumps}"
    body = "\n\n".join([INTRO.format(bumps=bumps), *(_package_part(p) for p in hit)])
    return Issue(title, body, None)
