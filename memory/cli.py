"""`organic-pr memory ...`: build, recall, show and bench repository memory from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from memory.vectors import Embedder

if TYPE_CHECKING:
    from memory.service import RepoMemory

F = TypeVar("F", bound=Callable[..., None])

__all__ = ["cli"]

EMBEDDERS = ("model", "fake", "none")


def _embedder(kind: str, model_path: Path | None) -> Embedder | None:
    from memory.vectors import FakeEmbedder, SentenceEmbedder

    if kind == "none":
        return None
    if kind == "fake":
        return FakeEmbedder()
    return SentenceEmbedder(model_path)


def _memories(memory_dir: Path, embedder: str, model_path: Path | None) -> RepoMemory:
    from memory.service import RepoMemory

    return RepoMemory(memory_dir, _embedder(embedder, model_path))


_DEFAULT_DIR = Path.home() / ".cache" / "organic-pr" / "memory"
_common = [
    click.option(
        "--memory-dir",
        type=click.Path(path_type=Path),
        default=_DEFAULT_DIR,
        show_default=True,
        help="Where per-repo memory files live.",
    ),
    click.option(
        "--embedder",
        type=click.Choice(EMBEDDERS),
        default="model",
        show_default=True,
        help="model: the packaged all-MiniLM-L6-v2 (offline); fake: hash vectors; none: lexical only.",
    ),
    click.option(
        "--model-path",
        type=click.Path(path_type=Path, exists=True),
        default=None,
        help="A local sentence-transformers model folder instead of the packaged one.",
    ),
]


def common(func: F) -> F:
    for option in reversed(_common):
        func = option(func)
    return func


@click.group()
def cli() -> None:
    """Repository memory: learn how a project changes from its history."""


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False))
@common
def build(path: Path, memory_dir: Path, embedder: str, model_path: Path | None) -> None:
    """Build memory for PATH, or update it with the commits since the last build."""
    memories = _memories(memory_dir, embedder, model_path)
    memory = memories.update(path)
    click.echo(
        f"memory for {path}: {len(memory.history.units)} units, {len(memory.snapshot.files)} files, "
        f"head {memory.snapshot.sha[:12]}"
    )


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("text")
@click.option("-k", default=10, show_default=True, help="How many files and functions.")
@click.option("--budget", default=4000, show_default=True, help="Token budget (tokens ~ characters / 4).")
@click.option("--seed", "seeds", multiple=True, help="A file known to change; ranks the rest of the change.")
@common
def recall(
    path: Path,
    text: str,
    k: int,
    budget: int,
    seeds: tuple[str, ...],
    memory_dir: Path,
    embedder: str,
    model_path: Path | None,
) -> None:
    """Recall what should change in PATH for TEXT, as JSON."""
    memories = _memories(memory_dir, embedder, model_path)
    answer = memories.recall(path, text, k=k, budget_tokens=budget, seeds=seeds)
    click.echo(json.dumps(answer.to_json(), indent=2))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False))
@common
def show(path: Path, memory_dir: Path, embedder: str, model_path: Path | None) -> None:
    """Show what memory holds for PATH: counts, fusion weights, conventions, internal API."""
    memories = _memories(memory_dir, embedder, model_path)
    click.echo(json.dumps(memories.show(path), indent=2))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--cut", required=True, help="ISO date: memory holds units before it; units after it are scored.")
@click.option("--limit", type=int, default=None, help="Evaluate at most this many units after the cut.")
@click.option("--embedder", type=click.Choice(EMBEDDERS), default="model", show_default=True)
@click.option("--model-path", type=click.Path(path_type=Path, exists=True), default=None)
def bench(path: Path, cut: str, limit: int | None, embedder: str, model_path: Path | None) -> None:
    """Chronological localization benchmark on PATH: memory vs content-BM25 vs RRF(content, message)."""
    from memory.bench import format_intervals, format_result, run_bench

    result = run_bench(path, cut, _embedder(embedder, model_path), limit=limit)
    click.echo(format_result(result))
    click.echo(format_intervals([result]))
