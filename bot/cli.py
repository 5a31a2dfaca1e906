"""The `organic-pr` command line: the service (serve, worker, dev) and each component's own commands."""

from __future__ import annotations

import importlib

import click

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
