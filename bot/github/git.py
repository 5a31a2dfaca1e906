"""Git over HTTPS for jobs: a bare mirror per repository, one worktree per job, guarded pushes.

    ws = GitWorkspace(settings.workspace_dir)
    await ws.sync_mirror("octo/widgets", clone_url, token)          # clone --mirror, later fetch --prune
    tree = await ws.add_worktree("octo/widgets", "job-17", base="main")   # detached at main
    ... edit files in `tree` ...
    sha = await ws.commit_all(tree, "Fix crash on empty input")
    await ws.push(tree, clone_url, "organic-pr/issue-7", token, default_branch="main")
    await ws.remove_worktree("octo/widgets", tree)

The token travels only in the child's environment (GIT_CONFIG_* sets `http.extraHeader`), never in argv,
a URL or the mirror's remote. Pushes go only to branches under the bot's prefix, never to the default
branch, never with force, and never with commits that touch `.github/workflows/`.
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import re
from pathlib import Path
from typing import TextIO

import anyio.to_thread

from bot.errors import GitError, PushRefused
from bot.text import encodable

__all__ = ["BRANCH_PREFIX", "GitError", "GitWorkspace", "PushRefused", "auth_env"]

BRANCH_PREFIX = "organic-pr/"
PROTECTED_DIRS = (".github/workflows/",)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_BASE_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/nonexistent",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "/bin/false",
    "LC_ALL": "C",
}


def auth_env(token: str) -> dict[str, str]:
    """Environment that makes git send the installation token as an HTTP Basic header."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
    }


class GitWorkspace:
    """Mirrors under `root/mirrors`, job worktrees under `root/worktrees`."""

    def __init__(
        self,
        root: Path,
        *,
        branch_prefix: str = BRANCH_PREFIX,
        author_name: str = "organic-pr[bot]",
        author_email: str = "organic-pr[bot]@users.noreply.github.com",
        timeout_s: float = 600.0,
    ) -> None:
        self.root = root
        self.branch_prefix = branch_prefix
        self.identity = {
            "GIT_AUTHOR_NAME": author_name,
            "GIT_AUTHOR_EMAIL": author_email,
            "GIT_COMMITTER_NAME": author_name,
            "GIT_COMMITTER_EMAIL": author_email,
        }
        self.timeout_s = timeout_s

    def mirror_path(self, full_name: str) -> Path:
        owner, name = _split(full_name)
        return self.root / "mirrors" / owner / f"{name}.git"

    async def run(self, cwd: Path, *args: str, token: str | None = None, errors: str = "replace") -> str:
        """Run git with the token (if any) in the environment only; returns stdout (decoded with `errors`:
        "surrogateescape" keeps a non-UTF-8 file name's bytes); GitError on failure."""
        env = {**_BASE_ENV, **self.identity, **(auth_env(token) if token else {})}
        proc = await asyncio.create_subprocess_exec(
            "git",
            *args,
            cwd=cwd,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), self.timeout_s)
        except TimeoutError as exc:
            proc.kill()
            await proc.wait()
            raise GitError(f"git {args[0]} timed out after {self.timeout_s:.0f}s") from exc
        if proc.returncode != 0:
            raise GitError(f"git {args[0]} failed ({proc.returncode}): {err.decode(errors='replace').strip()[-2000:]}")
        return out.decode(errors=errors)

    async def sync_mirror(self, full_name: str, clone_url: str, token: str) -> Path:
        """Clone the bare mirror on first use, then fetch (with prune); serialised per mirror by a file lock."""
        mirror = self.mirror_path(full_name)
        mirror.parent.mkdir(parents=True, exist_ok=True)
        lock_file = await anyio.to_thread.run_sync(_lock, mirror.with_suffix(".lock"))
        try:
            if not (mirror / "HEAD").exists():
                await self.run(mirror.parent, "clone", "--mirror", "--quiet", clone_url, mirror.name, token=token)
            else:
                await self.run(mirror, "fetch", "--prune", "--quiet", "origin", token=token)
        finally:
            lock_file.close()
        return mirror

    async def add_worktree(self, full_name: str, job_id: str, *, base: str) -> Path:
        """A fresh worktree for one job, detached at `base` (a branch of the mirror or a commit)."""
        if not _SAFE_NAME.match(job_id):
            raise GitError(f"unsafe job id for a worktree: {job_id!r}")
        mirror = self.mirror_path(full_name)
        path = self.root / "worktrees" / f"{_split(full_name)[1]}-{job_id}"
        if path.exists():
            await self.remove_worktree(full_name, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        await self.run(mirror, "worktree", "add", "--detach", "--quiet", str(path), f"{base}^{{commit}}")
        return path

    async def remove_worktree(self, full_name: str, path: Path) -> None:
        mirror = self.mirror_path(full_name)
        await self.run(mirror, "worktree", "remove", "--force", str(path))
        await self.run(mirror, "worktree", "prune")

    async def commit_all(self, worktree: Path, message: str) -> str | None:
        """Stage everything and commit; None when nothing changed. Workflow changes are refused.

        A character of `message` UTF-8 cannot encode (a lone surrogate) is committed as its escape."""
        await self.run(worktree, "add", "--all")
        staged = _names(await self.run(worktree, "diff", "--cached", "--name-only", "--no-renames", "-z"))
        if not staged:
            return None
        _refuse_protected(staged)
        await self.run(worktree, "commit", "--quiet", "--no-verify", "-m", encodable(message))
        return (await self.run(worktree, "rev-parse", "HEAD")).strip()

    async def push(self, worktree: Path, clone_url: str, branch: str, token: str, *, default_branch: str) -> str:
        """Push HEAD to `branch` (fast-forward only) after the safety checks; returns the pushed commit."""
        self.check_branch(branch, default_branch=default_branch)
        log = ("log", "-m", "-z", "--no-renames", "--name-only", "--format=", "HEAD", "--not", "--branches", "--tags")
        _refuse_protected(_names(await self.run(worktree, *log)))
        sha = (await self.run(worktree, "rev-parse", "HEAD")).strip()
        await self.run(worktree, "push", "--quiet", "--no-verify", clone_url, f"{sha}:refs/heads/{branch}", token=token)
        return sha

    def check_branch(self, branch: str, *, default_branch: str) -> None:
        """Refuse the default branch and any branch outside the bot's prefix."""
        if branch == default_branch or branch in {"HEAD", ""}:
            raise PushRefused(f"refusing to push to the default branch {branch!r}")
        if not branch.startswith(self.branch_prefix) or ".." in branch:
            raise PushRefused(f"refusing to push to {branch!r}: not a {self.branch_prefix}* branch")


def _names(output: str) -> list[str]:
    """File names from git's `-z` output: NUL-separated and never quoted (quoting would hide a non-ASCII name
    under `.github/workflows/` from the check)."""
    return [name.strip("\n") for name in output.split("\0") if name.strip("\n")]


def _refuse_protected(paths: list[str]) -> None:
    touched = sorted({p for p in paths if p.startswith(PROTECTED_DIRS)})
    if touched:
        raise PushRefused(f"refusing changes under .github/workflows/: {', '.join(touched)}")


def _split(full_name: str) -> tuple[str, str]:
    owner, _, name = full_name.partition("/")
    if not _SAFE_NAME.match(owner) or not _SAFE_NAME.match(name):
        raise GitError(f"not a repository name: {full_name!r}")
    return owner, name


def _lock(path: Path) -> TextIO:
    handle = path.open("a")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle
