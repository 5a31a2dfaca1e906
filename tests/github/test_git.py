"""Git over smart HTTP against the stand-in: mirror, worktree, commit, guarded push, token only in the env."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.github.git import GitError, GitWorkspace, PushRefused
from tests.conftest import git
from tests.github.conftest import INSTALLATION, REPO, World


@pytest.fixture
def workspace(tmp_path: Path) -> GitWorkspace:
    return GitWorkspace(tmp_path / "ws")


async def _checkout(world: World, workspace: GitWorkspace) -> tuple[Path, str, str]:
    token = await world.app.installation_token(INSTALLATION)
    url = world.standin.clone_url(REPO)
    await workspace.sync_mirror(REPO, url, token)
    tree = await workspace.add_worktree(REPO, "job-1", base="main")
    return tree, url, token


async def test_mirror_clones_then_fetches_new_commits(world: World, workspace: GitWorkspace, tmp_path: Path) -> None:
    """The first sync clones a bare mirror; a later sync fetches a commit pushed meanwhile."""
    token = await world.app.installation_token(INSTALLATION)
    url = world.standin.clone_url(REPO)
    mirror = await workspace.sync_mirror(REPO, url, token)
    other = tmp_path / "human"
    git(tmp_path, "clone", "-q", str(world.standin.state.repo(REPO).git_dir), str(other))
    (other / "new.txt").write_text("new\n")
    git(other, "add", "new.txt")
    git(other, "commit", "-q", "-m", "human change")
    git(other, "push", "-q", "origin", "main")
    await workspace.sync_mirror(REPO, url, token)
    assert git(mirror, "rev-parse", "main").strip() == world.standin.state.branch_sha(REPO, "main")


async def test_worktree_commit_and_push_reach_the_standin(world: World, workspace: GitWorkspace) -> None:
    """A job's commit pushed to organic-pr/issue-1 becomes that branch on the stand-in."""
    tree, url, token = await _checkout(world, workspace)
    (tree / "app.py").write_text("def f():\n    return 2\n")
    sha = await workspace.commit_all(tree, "Fix f")
    assert sha is not None
    pushed = await workspace.push(tree, url, "organic-pr/issue-1", token, default_branch="main")
    assert pushed == sha == world.standin.state.branch_sha(REPO, "organic-pr/issue-1")
    assert git(tree, "log", "-1", "--format=%an").strip() == "organic-pr[bot]"


async def test_push_to_default_branch_is_refused(world: World, workspace: GitWorkspace) -> None:
    """Pushing to main raises PushRefused and main does not move."""
    tree, url, token = await _checkout(world, workspace)
    before = world.standin.state.branch_sha(REPO, "main")
    (tree / "app.py").write_text("oops\n")
    await workspace.commit_all(tree, "change")
    with pytest.raises(PushRefused):
        await workspace.push(tree, url, "main", token, default_branch="main")
    assert world.standin.state.branch_sha(REPO, "main") == before


@pytest.mark.parametrize("branch", ["feature/x", "organic-pr", "release", "organic-pr/../main"])
async def test_push_outside_the_bot_prefix_is_refused(world: World, workspace: GitWorkspace, branch: str) -> None:
    """Only organic-pr/* branches may be pushed."""
    with pytest.raises(PushRefused):
        workspace.check_branch(branch, default_branch="main")


@pytest.mark.parametrize("name", ["ci.yml", "café.yml"])
async def test_commit_touching_workflows_is_refused(world: World, workspace: GitWorkspace, name: str) -> None:
    """commit_all refuses staged changes under .github/workflows/, a non-ASCII name too (git quotes those,
    "\\303\\251", unless the guard reads names unquoted)."""
    tree, _, _ = await _checkout(world, workspace)
    (tree / ".github" / "workflows").mkdir(parents=True)
    (tree / ".github" / "workflows" / name).write_text("on: push\n")
    with pytest.raises(PushRefused):
        await workspace.commit_all(tree, "add ci")


async def test_push_of_a_workflow_commit_is_refused(world: World, workspace: GitWorkspace) -> None:
    """A workflow change committed behind the bot's back (e.g. by a model's shell) is not pushed."""
    tree, url, token = await _checkout(world, workspace)
    (tree / ".github" / "workflows").mkdir(parents=True)
    (tree / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "sneaky")
    (tree / "app.py").write_text("def f():\n    return 3\n")
    await workspace.commit_all(tree, "innocent")
    with pytest.raises(PushRefused):
        await workspace.push(tree, url, "organic-pr/issue-1", token, default_branch="main")
    assert world.standin.state.branch_sha(REPO, "organic-pr/issue-1") is None


async def test_token_stays_out_of_the_mirror_config(world: World, workspace: GitWorkspace) -> None:
    """The mirror's remote is the plain URL: neither the config nor the remote holds the token."""
    tree, url, token = await _checkout(world, workspace)
    config = (workspace.mirror_path(REPO) / "config").read_text()
    assert token not in config
    assert url in config


async def test_git_without_a_token_is_rejected(world: World, workspace: GitWorkspace) -> None:
    """The stand-in's git endpoint requires the installation token: a bad one fails the clone."""
    with pytest.raises(GitError):
        await workspace.sync_mirror(REPO, world.standin.clone_url(REPO), "ghs_not_a_real_token")


async def test_push_needs_contents_write(world: World, workspace: GitWorkspace) -> None:
    """A token of an installation with contents: read can fetch but not push."""
    tree, url, _ = await _checkout(world, workspace)
    world.standin.state.add_installation(
        79, "octo", permissions={"contents": "read", "metadata": "read"}, repositories=[REPO]
    )
    reader = await world.app.installation_token(79)
    (tree / "app.py").write_text("x = 1\n")
    await workspace.commit_all(tree, "change")
    with pytest.raises(GitError):
        await workspace.push(tree, url, "organic-pr/issue-1", reader, default_branch="main")


async def test_commit_message_and_file_names_outside_utf8(world: World, workspace: GitWorkspace) -> None:
    """A message with a lone surrogate (from an issue title's JSON escape) is committed with its escape, not a
    crash after the files were written; a non-UTF-8 file name (surrogateescape) is committed as its own bytes."""
    tree, url, token = await _checkout(world, workspace)
    (tree / "caf\udce9.py").write_bytes(b"x = 1\n")
    sha = await workspace.commit_all(tree, "Fix \ud800 in caf\udce9.py\n")
    assert sha is not None
    assert git(tree, "log", "-1", "--format=%B").strip() == "Fix \\ud800 in caf\\udce9.py"
    assert '"caf\\351.py"' in git(tree, "ls-tree", "--name-only", sha).split()  # git's quoting of the byte 0xe9
    assert await workspace.push(tree, url, "organic-pr/issue-1", token, default_branch="main") == sha
