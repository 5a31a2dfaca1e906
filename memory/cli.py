"""`organic-pr memory ...`: build, recall, show and bench repository memory from the command line."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from memory.errors import IndexCorrupt, MemoryStoreError
from memory.model import iso_day
from memory.vectors import Embedder

if TYPE_CHECKING:
    from memory.service import RepoMemory

F = TypeVar("F", bound=Callable[..., None])

__all__ = ["cli", "read_only_memory"]

EMBEDDERS = ("model", "fake", "none")


def embedder_for(kind: str, model_path: Path | None = None) -> Embedder | None:
    """The embedder an `--embedder` choice names: none, fake or model (the packaged one unless `model_path`)."""
    from memory.vectors import FakeEmbedder, SentenceEmbedder

    if kind == "none":
        return None
    if kind == "fake":
        return FakeEmbedder()
    return SentenceEmbedder(model_path)


def _kind(name: str | None) -> str:
    """The --embedder that builds memory with the embedder called `name`."""
    if name is None:
        return "none"
    return "fake" if name.startswith("fake-") else "model"


def _stored(name: str | None, path: Path, model_path: Path | None) -> Embedder | None:
    """An embedder that reads the memory built with the embedder called `name`."""
    from memory.vectors import FakeEmbedder, SentenceEmbedder

    if name is None:
        return None
    if name.startswith("fake-") and name.removeprefix("fake-").isdigit():
        return FakeEmbedder(int(name.removeprefix("fake-")))
    model = SentenceEmbedder(model_path)
    if model.name != name:
        raise click.ClickException(
            f"memory for {path} was built with the model {name!r}; pass --model-path to that model, "
            f"or rebuild it with: organic-pr memory build {path} --embedder model"
        )
    return model


def read_only_memory(path: Path, memory_dir: Path, embedder: str | None, model_path: Path | None) -> RepoMemory:
    """Memory for recall and show, which never rebuild memory the user built with another embedder.

    Without --embedder (or --model-path), the embedder the stored memory was built with; the model when nothing
    is stored. An embedder asked for that differs from the stored one is an error naming both.
    """
    from memory.service import RepoMemory
    from memory.store import MemoryStore

    asked = embedder or ("model" if model_path else None)
    try:
        stored = MemoryStore(memory_dir, None).stored_embedder(path)
    except IndexCorrupt:  # nothing (readable) stored: build with what was asked for
        return RepoMemory(memory_dir, embedder_for(asked or "model", model_path))
    if asked is None:
        return RepoMemory(memory_dir, _stored(stored, path, model_path))
    chosen = embedder_for(asked, model_path)
    if (chosen.name if chosen else None) != stored:
        raise click.ClickException(
            f"memory for {path} was built with --embedder {_kind(stored)} ({stored or 'lexical only'}), "
            f"not --embedder {asked} ({chosen.name if chosen else 'lexical only'}); leave out --embedder to use it, "
            f"or rebuild it with: organic-pr memory build {path} --embedder {asked}"
        )
    return RepoMemory(memory_dir, chosen)


def _friendly(func: F) -> F:
    """Memory errors (not a repository, no commits, git failures, lock timeouts) and file system errors (a full
    disk, a --memory-dir that is a file) become one-line click errors."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            func(*args, **kwargs)
        except MemoryStoreError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from exc

    return cast(F, wrapper)


def _iso_date(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"must be a date, YYYY-MM-DD, not {value!r}") from None
    return value


def _check_cut(path: Path, cut: str) -> None:
    """Fail before any work when `cut` leaves no history to build memory from, or no unit to score."""
    from memory.gitlog import run_git
    from memory.store import repo_head

    stamps = [int(s) for s in run_git(path, "log", "--first-parent", "--format=%ct", repo_head(path)).split()]
    at = datetime.fromisoformat(cut).replace(tzinfo=UTC).timestamp()  # as memory.bench.cut_index reads it
    if max(stamps) < at:
        raise click.ClickException(f"no units after the cut {cut}; the last commit is dated {iso_day(max(stamps))}")
    if stamps[-1] >= at:
        raise click.ClickException(f"no history before the cut {cut}; the first commit is dated {iso_day(stamps[-1])}")


_DEFAULT_DIR = Path.home() / ".cache" / "organic-pr" / "memory"
_memory_dir = click.option(
    "--memory-dir",
    type=click.Path(path_type=Path),
    default=_DEFAULT_DIR,
    show_default=True,
    help="Where per-repo memory files live.",
)
_model_path = click.option(
    "--model-path",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="A local sentence-transformers model folder instead of the packaged one.",
)
_EMBEDDER_HELP = "model: the packaged all-MiniLM-L6-v2 (offline); fake: hash vectors; none: lexical only."


def common(func: F) -> F:
    """--memory-dir, --embedder (default model) and --model-path, for commands that build memory."""
    embedder = click.option(
        "--embedder", type=click.Choice(EMBEDDERS), default="model", show_default=True, help=_EMBEDDER_HELP
    )
    return _memory_dir(embedder(_model_path(func)))


def reading(func: F) -> F:
    """The same options for commands that read memory: --embedder defaults to what the memory was built with."""
    embedder = click.option(
        "--embedder",
        type=click.Choice(EMBEDDERS),
        default=None,
        help=f"{_EMBEDDER_HELP} [default: what the stored memory was built with, else model]",
    )
    return _memory_dir(embedder(_model_path(func)))


@click.group()
def cli() -> None:
    """Repository memory: learn how a project changes from its history."""


_PATH = click.argument("path", type=click.Path(path_type=Path, exists=True, file_okay=False))


@cli.command()
@_PATH
@common
@_friendly
def build(path: Path, memory_dir: Path, embedder: str, model_path: Path | None) -> None:
    """Build memory for PATH, or update it with the commits since the last build."""
    from memory.service import RepoMemory

    memory = RepoMemory(memory_dir, embedder_for(embedder, model_path)).update(path)
    click.echo(
        f"memory for {path}: {len(memory.history.units)} units, {len(memory.snapshot.files)} files, "
        f"head {memory.snapshot.sha[:12]}"
    )


@cli.command()
@_PATH
@click.argument("text")
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True, help="How many files and functions.")
@click.option("--pretty", is_flag=True, help="Indent the JSON for reading (the budget counts the compact form).")
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    default=4000,
    show_default=True,
    help="Token budget (tokens ~ characters / 4).",
)
@click.option("--seed", "seeds", multiple=True, help="A file known to change; ranks the rest of the change.")
@reading
@_friendly
def recall(
    path: Path,
    text: str,
    k: int,
    pretty: bool,
    budget: int,
    seeds: tuple[str, ...],
    memory_dir: Path,
    embedder: str | None,
    model_path: Path | None,
) -> None:
    """Recall what should change in PATH for TEXT (`-` reads it from standard input), as compact JSON."""
    if text == "-":
        text = sys.stdin.read()
    memories = read_only_memory(path, memory_dir, embedder, model_path)
    answer = memories.recall(path, text, k=k, budget_tokens=budget, seeds=seeds)
    click.echo(json.dumps(answer.to_json(), indent=2 if pretty else None, separators=None if pretty else (",", ":")))


@cli.command()
@_PATH
@reading
@_friendly
def show(path: Path, memory_dir: Path, embedder: str | None, model_path: Path | None) -> None:
    """Show what memory holds for PATH: counts, fusion weights, conventions, internal API."""
    memories = read_only_memory(path, memory_dir, embedder, model_path)
    click.echo(json.dumps(memories.show(path), indent=2))


@cli.command()
@_PATH
@click.option(
    "--cut",
    required=True,
    callback=_iso_date,
    help="ISO date (YYYY-MM-DD): memory holds units before it; units after it are scored.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Evaluate at most this many units after the cut."
)
@click.option("--embedder", type=click.Choice(EMBEDDERS), default="model", show_default=True)
@click.option("--model-path", type=click.Path(path_type=Path, exists=True), default=None)
@_friendly
def bench(path: Path, cut: str, limit: int | None, embedder: str, model_path: Path | None) -> None:
    """Chronological localization benchmark on PATH: memory vs content-BM25 vs RRF(content, message)."""
    from memory.bench import format_intervals, format_result, run_bench

    _check_cut(path, cut)
    result = run_bench(path, cut, embedder_for(embedder, model_path), limit=limit)
    click.echo(format_result(result))
    click.echo(format_intervals([result]))
