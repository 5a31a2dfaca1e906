"""`organic-pr migrate ...`: API diffs between releases and migration plans for a checkout."""

from __future__ import annotations

import json
from pathlib import Path

import click

DEFAULT_CACHE = Path("var/migrations-cache")


@click.group()
def cli() -> None:
    """Dependency migrations: what a new version breaks and where."""


@cli.command("diff")
@click.argument("package")
@click.argument("old")
@click.argument("new")
@click.option("--cache", type=click.Path(path_type=Path), default=DEFAULT_CACHE, show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Include soft changes (defaults, types, deprecations).")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
def diff_command(package: str, old: str, new: str, cache: Path, show_all: bool, as_json: bool) -> None:
    """Static API diff of PACKAGE between versions OLD and NEW."""
    from migrations.diff import Severity, diff_releases
    from migrations.errors import MigrationError

    try:
        changes = diff_releases(package, old, new, cache)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    shown = [c for c in changes if show_all or c.severity != Severity.SOFT]
    if as_json:
        click.echo(json.dumps([c.to_json() for c in shown], indent=1))
        return
    for change in shown:
        target = f" -> {change.replacement}" if change.replacement else ""
        click.echo(f"{change.severity:<12} {change.kind:<26} {change.api}{target}: {change.evidence}")
    click.echo(f"{len(shown)} changes ({sum(c.severity == Severity.BREAKING for c in changes)} breaking)")


@cli.command("plan")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--package", required=True)
@click.option(
    "--from",
    "old",
    default=None,
    help="The version the repository uses now (default: read from its locks and declarations).",
)
@click.option("--to", "new", required=True)
@click.option("--cache", type=click.Path(path_type=Path), default=DEFAULT_CACHE, show_default=True)
def plan_command(path: Path, package: str, old: str | None, new: str, cache: Path) -> None:
    """List the call sites under PATH that the upgrade of PACKAGE breaks."""
    from migrations.diff import diff_releases
    from migrations.errors import MigrationError
    from migrations.impact import scan_repo
    from migrations.loader import release_surface

    try:
        old = old or repo_version(path, package)
        changes = diff_releases(package, old, new, cache)
        sites = scan_repo(path, changes, release_surface(package, old, cache), release_surface(package, new, cache))
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    for site in sites:
        binds = {True: "binds", False: "does not bind", None: "binding unknown"}[site.binds]
        click.echo(f"{site.file}:{site.line}: {site.api}: {site.change.kind} ({site.change.evidence}); {binds}")
    click.echo(f"{len(sites)} call sites hit by {package} {old} -> {new}")


def repo_version(path: Path, package: str) -> str:
    """The version of `package` the repository at `path` uses, read from its locks and declarations."""
    from migrations.bump import current_version
    from migrations.deps import read_dependencies

    found = current_version(read_dependencies(path), package)
    if found is None:
        raise click.ClickException(f"no version of {package} is pinned, locked or bounded under {path}; pass --from")
    how = "locked/pinned" if found.exact else "lowest version allowed"
    click.echo(f"{package} {found.version} ({how} in {found.record.file}:{found.record.line})")
    return found.version
