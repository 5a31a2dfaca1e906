"""`organic-pr migrate ...`: API diffs between releases and migration plans for a checkout."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from migrations.apply import MigrationReport

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


@cli.command("apply")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--package", required=True)
@click.option("--to", "new", required=True)
@click.option("--from", "old", default=None, help="The version the repository uses now (default: read from it).")
@click.option("--cache", type=click.Path(path_type=Path), default=DEFAULT_CACHE, show_default=True)
@click.option("--dry-run", is_flag=True, help="Print the plan and write nothing.")
@click.option("--test", "run_tests", is_flag=True, help="Then run the tests in the sandbox with the new version.")
@click.option("--test-command", default="pytest -q", show_default=True, help="Shell-like words, no shell.")
@click.option("--sandbox-cache", type=click.Path(path_type=Path), default=Path("var/sandbox-cache"), show_default=True)
@click.option("--backend", type=click.Choice(["bubblewrap", "unsafe-local"]), default="bubblewrap")
@click.option("--allow-unsafe-local", is_flag=True, help="Required with --backend unsafe-local.")
@click.option("--index-url", default=None, help="Package index for the test environment (default: uv's, PyPI).")
@click.option("--find-links", multiple=True)
@click.option("--python-dir", multiple=True, type=click.Path(path_type=Path), help="Where to look for Pythons.")
def apply_command(path: Path, package: str, new: str, old: str | None, cache: Path, dry_run: bool, **opts: Any) -> None:
    """Rewrite the code under PATH for PACKAGE version NEW (codemods) and bump its declaration."""
    from migrations.apply import plan_migration, write_migration
    from migrations.errors import MigrationError

    try:
        report = plan_migration(path, package, new, cache, old=old)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    print_report(report)
    if dry_run:
        click.echo("dry run: nothing written")
        return
    written = write_migration(path, report)
    click.echo(f"wrote {len(written)} files: {', '.join(written) or '-'}")
    if opts["run_tests"]:
        _test(path, package, new, opts)


def print_report(report: MigrationReport) -> None:
    """The plan: code edits per file, skipped references, declaration edits, locks, and what is left."""
    click.echo(f"{report.package} {report.old} -> {report.new}")
    for relpath, result in sorted(report.codemods.items()):
        for edit in result.edits:
            click.echo(f"{relpath}:{edit.line}: {edit.kind} {edit.api}: {edit.before!r} -> {edit.after!r}")
        for skipped in result.skipped:
            click.echo(f"{relpath}:{skipped.line}: skipped {skipped.api}: {skipped.reason}")
    for bump in report.bump.edits:
        click.echo(f"{bump.file}:{bump.line}: bump {bump.before!r} -> {bump.after!r}")
    for lock in report.bump.locks:
        click.echo(f"{lock.file}: regenerate with `{' '.join(lock.command)}` ({lock.reason})")
    for note in report.bump.notes:
        click.echo(f"note: {note}")
    for relpath in report.unparsable:
        click.echo(f"{relpath}: not parsable, left alone")
    edits = sum(len(r.edits) for r in report.codemods.values())
    left = report.non_mechanical
    click.echo(
        f"{edits} code edits in {sum(r.changed for r in report.codemods.values())} files; "
        f"{len(report.bump.edits)} declaration edits; {len(left)} breaking changes need the patch engine"
    )


def _test(path: Path, package: str, new: str, opts: dict[str, Any]) -> None:
    from migrations.verify import DEFAULT_PYTHON_DIRS, TestRunFailed, run_tests

    try:
        summary = run_tests(
            path, package, new, opts["sandbox_cache"], command=shlex.split(opts["test_command"]),
            backend_name=opts["backend"], allow_unsafe_local=opts["allow_unsafe_local"],
            index_url=opts["index_url"], find_links=opts["find_links"],
            python_dirs=opts["python_dir"] or DEFAULT_PYTHON_DIRS,
        )  # fmt: skip
    except TestRunFailed as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary.output_tail)
    counts = ", ".join(f"{n} {k}" for k, n in sorted(summary.counts.items())) or "no test results"
    click.echo(
        f"tests with {package}=={summary.installed}: verdict={summary.verdict} exit={summary.exit_code}; {counts}"
    )
    if not summary.ok:
        raise SystemExit(1)
