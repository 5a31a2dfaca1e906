"""The `organic-pr` command line: the service (serve, worker, dev) and each component's own commands."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from bot.settings import Settings

# Component command groups are imported only when invoked, so `organic-pr serve` never loads torch or faiss.
COMPONENT_GROUPS = {
    "memory": ("memory.cli", "cli"),
    "sandbox": ("sandbox.cli", "cli"),
    "migrate": ("migrations.cli", "cli"),
}


class LazyGroup(click.Group):
    """A click group whose component subcommands load on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMPONENT_GROUPS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMPONENT_GROUPS:
            module_name, attr = COMPONENT_GROUPS[cmd_name]
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                return None
            command: click.Command = getattr(module, attr)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup)
@click.version_option(package_name="organic-pr")
def main() -> None:
    """Organic PR: pull requests that maintainers actually merge."""
    import sys

    import structlog

    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))  # stdout is for results


def _settings() -> Settings:
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        return Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        raise click.ClickException(f"invalid configuration (GITHUB_WEBHOOK_SECRET is required):\n{exc}") from exc


@main.command()
@click.option("--host", default=None, help="Address to bind (default from HOST, else 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to bind (default from PORT, else 8000).")
def dev(host: str | None, port: int | None) -> None:
    """Run web + worker locally on embedded defaults (SQLite, a private Redis); creates a config on first run."""
    from bot.dev import run_dev

    run_dev(host, port)


@main.command()
def serve() -> None:
    """Run the web app only (webhooks, health, metrics)."""
    import uvicorn

    from bot.logging import configure_logging
    from bot.web.app import create_app

    settings = _settings()
    configure_logging(json=settings.log_json)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


@main.command()
def worker() -> None:
    """Run an arq worker for all jobs."""
    from bot.logging import configure_logging
    from bot.worker import build_worker

    settings = _settings()
    configure_logging(json=settings.log_json)
    build_worker(settings).run()


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--issue-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Title line, then body."
)
@click.option("--issue-text", help="The issue as text: title line, then body.")
@click.option("--number", type=int, default=None, help="The issue number (names the branch organic-pr/issue-N).")
@click.option("--body-file", type=click.Path(dir_okay=False, path_type=Path), default=Path("organic-pr-body.md"))
def fix(path: Path, issue_file: Path | None, issue_text: str | None, number: int | None, body_file: Path) -> None:
    """Run the whole fix pipeline on a local checkout: a branch in PATH, the PR body in a file, no GitHub."""
    import asyncio

    from pydantic import SecretStr

    from bot.patching.context import Issue
    from bot.pipeline.errors import PipelineError
    from bot.pipeline.local import run_local
    from bot.settings import Settings

    if (issue_file is None) == (issue_text is None):
        raise click.UsageError("give exactly one of --issue-file and --issue-text")
    text = issue_file.read_text() if issue_file is not None else issue_text or ""
    title, _, body = text.strip().partition("\n")
    settings = Settings(github_webhook_secret=SecretStr("unused-in-local-mode"))
    try:
        outcome = asyncio.run(
            run_local(
                path, Issue(title.strip("# "), body.strip(), number), settings, body_file=body_file, echo=click.echo
            )
        )
    except PipelineError as exc:
        raise click.ClickException(str(exc)) from exc
    if outcome.stopped:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
