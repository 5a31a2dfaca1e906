"""The stand-in's world: installations, tokens, repositories (real bare git repos) and their issue/PR objects.

Tests build the world through the `add_*` methods and read it back through plain attributes:
    state.add_installation(1, "octo", repositories=["octo/widgets"])
    repo = state.add_repo("octo/widgets", {"README.md": "hi"}, installation_id=1)
    issue = state.add_issue("octo/widgets", "Crash", user="maintainer", labels=["bot-fix"])
    state.set_permission("octo/widgets", "maintainer", "write")
    ... run the code under test ...
    repo.comments, repo.reactions, repo.check_runs, repo.pulls, state.requests, state.branch_sha(...)
"""

from __future__ import annotations

import itertools
import os
import subprocess
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from tests.standin.faults import Faults
from tests.standin.objects import (
    DEFAULT_PERMISSIONS,
    CheckRun,
    Comment,
    Installation,
    Issue,
    Pull,
    Reaction,
    RecordedRequest,
    Repo,
    Review,
    ReviewComment,
    Token,
    User,
    now,
)

__all__ = [
    "CheckRun",
    "Comment",
    "Installation",
    "Issue",
    "Pull",
    "Reaction",
    "RecordedRequest",
    "Repo",
    "Review",
    "ReviewComment",
    "StandinState",
    "Token",
    "User",
    "now",
    "run_git",
]


class StandinState:
    """Everything the stand-in knows; safe to read from tests while the server runs in its thread."""

    def __init__(self, root: Path, *, app_id: int, public_key_pem: str, app_slug: str = "organic-pr") -> None:
        self.root = root
        self.git_root = root / "git"
        self.git_root.mkdir(parents=True, exist_ok=True)
        self.app_id = app_id
        self.app_slug = app_slug
        self.public_key_pem = public_key_pem
        self.base_url = "http://127.0.0.1"
        self.installations: dict[int, Installation] = {}
        self.tokens: dict[str, Token] = {}
        self.minted: list[Token] = []
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.faults = Faults()
        self.write_latency_s = 0.0  # server-side time each write takes (makes overlapping writes observable)
        self.lock = threading.RLock()
        self._ids = itertools.count(1000)

    def next_id(self) -> int:
        return next(self._ids)

    def user(self, login: str) -> User:
        """The user with this login, created on first mention (logins ending in [bot] are bots)."""
        if login not in self.users:
            kind = "Bot" if login.endswith("[bot]") else "User"
            self.users[login] = User(login, self.next_id(), kind)
        return self.users[login]

    def add_installation(
        self,
        installation_id: int,
        account: str,
        *,
        permissions: dict[str, str] | None = None,
        repositories: list[str] | None = None,
    ) -> Installation:
        inst = Installation(
            installation_id, account, dict(permissions or DEFAULT_PERMISSIONS), list(repositories or [])
        )
        self.user(account)
        self.installations[installation_id] = inst
        return inst

    def add_repo(
        self,
        full_name: str,
        files: dict[str, str] | None = None,
        *,
        installation_id: int | None = None,
        default_branch: str = "main",
        source: Path | None = None,
    ) -> Repo:
        """A repository backed by a bare git repo, cloned from `source` or made from `files` in one commit."""
        owner, name = full_name.split("/")
        git_dir = self.git_root / owner / f"{name}.git"
        git_dir.parent.mkdir(parents=True, exist_ok=True)
        if source is not None:
            run_git(self.root, "clone", "-q", "--bare", str(source), str(git_dir))
        else:
            _init_bare(git_dir, files or {"README.md": f"# {name}\n"}, default_branch)
        run_git(git_dir, "symbolic-ref", "HEAD", f"refs/heads/{default_branch}")
        run_git(git_dir, "config", "http.receivepack", "true")
        repo = Repo(self.next_id(), owner, name, git_dir, default_branch)
        self.user(owner)
        self.repos[full_name] = repo
        if installation_id is not None and full_name not in self.installations[installation_id].repositories:
            self.installations[installation_id].repositories.append(full_name)
        return repo

    def repo(self, full_name: str) -> Repo:
        return self.repos[full_name]

    def set_permission(self, full_name: str, login: str, permission: str) -> None:
        self.user(login)
        self.repos[full_name].collaborators[login] = permission

    def add_label(self, full_name: str, name: str, color: str = "ededed") -> None:
        self.repos[full_name].labels[name] = color

    def add_issue(
        self,
        full_name: str,
        title: str,
        body: str | None = "",
        *,
        user: str = "reporter",
        labels: list[str] | None = None,
    ) -> Issue:
        repo = self.repos[full_name]
        self.user(user)
        for label in labels or []:
            repo.labels.setdefault(label, "ededed")
        issue = Issue(self._next_number(repo), self.next_id(), title, body, user, list(labels or []))
        repo.issues[issue.number] = issue
        return issue

    def add_comment(self, full_name: str, issue_number: int, body: str, *, user: str) -> Comment:
        repo = self.repos[full_name]
        self.user(user)
        comment = Comment(self.next_id(), issue_number, body, user)
        repo.comments[comment.id] = comment
        return comment

    def add_pull(
        self, full_name: str, title: str, head: str, *, base: str | None = None, user: str = "reporter"
    ) -> Pull:
        repo = self.repos[full_name]
        self.user(user)
        number = self._next_number(repo)
        repo.issues[number] = Issue(number, self.next_id(), title, "", user)
        pull = Pull(number, self.next_id(), title, "", user, head, base or repo.default_branch)
        repo.pulls[number] = pull
        return pull

    def add_review_comment(
        self, full_name: str, pull_number: int, body: str, *, user: str, path: str, line: int | None = 1
    ) -> ReviewComment:
        repo = self.repos[full_name]
        self.user(user)
        sha = self.branch_sha(full_name, repo.pulls[pull_number].head) or ""
        comment = ReviewComment(self.next_id(), pull_number, body, user, path, line, sha, None)
        repo.review_comments[comment.id] = comment
        return comment

    def add_review(self, full_name: str, pull_number: int, body: str, *, user: str, state: str = "COMMENTED") -> Review:
        """A submitted review (state: APPROVED, CHANGES_REQUESTED or COMMENTED) on the PR's current head."""
        repo = self.repos[full_name]
        self.user(user)
        sha = self.branch_sha(full_name, repo.pulls[pull_number].head) or ""
        review = Review(self.next_id(), pull_number, user, body, state, sha)
        repo.reviews[review.id] = review
        return review

    def branch_sha(self, full_name: str, branch: str) -> str | None:
        """The commit a branch points at in the bare repo, or None."""
        return self.ref_sha(full_name, f"refs/heads/{branch}")

    def ref_sha(self, full_name: str, ref: str) -> str | None:
        done = subprocess.run(
            ["git", "rev-parse", "--verify", "-q", f"{ref}^{{commit}}"],
            cwd=self.repos[full_name].git_dir,
            capture_output=True,
            text=True,
            env=_git_env(),
        )
        return done.stdout.strip() or None

    def mint_token(self, installation_id: int) -> Token:
        token = Token("ghs_" + os.urandom(18).hex(), installation_id, now() + timedelta(hours=1))
        self.tokens[token.value] = token
        self.minted.append(token)
        return token

    def installation_for_repo(self, full_name: str) -> Installation | None:
        return next((i for i in self.installations.values() if full_name in i.repositories), None)

    def _next_number(self, repo: Repo) -> int:
        return max([0, *repo.issues]) + 1


def _git_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": tempfile.gettempdir(),
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_SYSTEM": "/dev/null",
        "GIT_AUTHOR_NAME": "Stand-in",
        "GIT_AUTHOR_EMAIL": "standin@example.com",
        "GIT_COMMITTER_NAME": "Stand-in",
        "GIT_COMMITTER_EMAIL": "standin@example.com",
    }


def run_git(cwd: Path, *args: str, input_bytes: bytes | None = None) -> str:
    """Run git for the stand-in's own bookkeeping; returns stdout."""
    done = subprocess.run(["git", *args], cwd=cwd, env=_git_env(), input=input_bytes, capture_output=True, check=True)
    return done.stdout.decode()


def _init_bare(git_dir: Path, files: dict[str, str], branch: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        run_git(work, "init", "-q", "-b", branch)
        for rel, text in files.items():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / rel).write_text(text)
        run_git(work, "add", "-A")
        run_git(work, "commit", "-q", "-m", "Initial commit")
        run_git(work.parent, "clone", "-q", "--bare", str(work), str(git_dir))
