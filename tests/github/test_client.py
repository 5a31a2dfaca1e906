"""The typed installation client against the stand-in (conformance checked on every exchange)."""

from __future__ import annotations

from bot.github import Annotation
from tests.github.conftest import INSTALLATION, REPO, World


async def test_collaborator_permission_reports_the_role(world: World) -> None:
    """A collaborator's role comes back as GitHub's role name."""
    world.standin.state.set_permission(REPO, "helper", "triage")
    gh = world.app.installation(INSTALLATION)
    assert await gh.collaborator_permission("octo", "widgets", "maintainer") == "write"
    assert await gh.collaborator_permission("octo", "widgets", "helper") == "triage"


async def test_get_issue_returns_plain_data(world: World) -> None:
    """An issue is read into a plain Issue with its labels and author."""
    issue = await world.app.installation(INSTALLATION).get_issue("octo", "widgets", 1)
    assert (issue.number, issue.title, issue.labels, issue.author) == (
        1,
        "Crash on empty input",
        ("bot-fix",),
        "maintainer",
    )
    assert not issue.is_pull_request


async def test_reaction_lands_on_the_issue(world: World) -> None:
    """An eyes reaction on the trigger issue is stored by the stand-in as the bot's."""
    await world.app.installation(INSTALLATION).add_reaction("octo", "widgets", issue_number=1, content="eyes")
    [reaction] = world.standin.state.repo(REPO).reactions
    assert (reaction.content, reaction.subject, reaction.user) == ("eyes", ("issue", 1), "organic-pr[bot]")


async def test_status_comment_is_created_then_edited_in_place(world: World) -> None:
    """One comment is created, then edited; listing shows a single comment with the new body."""
    async with world.app.installation(INSTALLATION) as gh:
        comment = await gh.create_issue_comment("octo", "widgets", 1, "claimed")
        await gh.update_issue_comment("octo", "widgets", comment.id, "checkout done")
        comments = await gh.list_issue_comments("octo", "widgets", 1)
    assert [(c.id, c.body) for c in comments] == [(comment.id, "checkout done")]


async def test_check_run_carries_summary_and_all_annotations(world: World) -> None:
    """120 annotations go out in batches of 50 and all reach the check run."""
    sha = world.standin.state.branch_sha(REPO, "main")
    assert sha is not None
    notes = [Annotation("app.py", i, i, f"failure {i}") for i in range(1, 121)]
    gh = world.app.installation(INSTALLATION)
    run = await gh.create_check_run(
        "octo", "widgets", name="organic-pr", head_sha=sha, summary="tests", annotations=notes
    )
    run = await gh.update_check_run("octo", "widgets", run.id, conclusion="failure", summary="3 failed")
    stored = world.standin.state.repo(REPO).check_runs[run.id]
    assert (run.status, run.conclusion, stored.summary, len(stored.annotations)) == (
        "completed",
        "failure",
        "3 failed",
        120,
    )
    patches = [r for r in world.standin.state.requests if r.method == "PATCH" and "check-runs" in r.path]
    assert len(patches) == 3


async def test_branch_is_created_and_read_back(world: World) -> None:
    """A branch ref made through the API points at the given commit; a missing branch reads as None."""
    gh = world.app.installation(INSTALLATION)
    sha = await gh.get_branch_sha("octo", "widgets", "main")
    assert sha is not None
    ref = await gh.create_branch("octo", "widgets", "organic-pr/issue-1", sha)
    assert (ref.ref, ref.sha) == ("refs/heads/organic-pr/issue-1", sha)
    assert await gh.get_branch_sha("octo", "widgets", "organic-pr/nope") is None


async def _pushed_branch(world: World, branch: str) -> str:
    """Make a commit on `branch` in the stand-in's bare repo directly (as a human push would)."""
    from tests.standin.state import run_git

    repo = world.standin.state.repo(REPO)
    main = world.standin.state.branch_sha(REPO, "main")
    blob = run_git(repo.git_dir, "hash-object", "-w", "--stdin", input_bytes=b"def f():\n    return 2\n").strip()
    listing = run_git(repo.git_dir, "ls-tree", "main").splitlines()
    entries = [f"100644 blob {blob}\tapp.py" if line.endswith("\tapp.py") else line for line in listing]
    new_tree = run_git(repo.git_dir, "mktree", input_bytes=("\n".join(entries) + "\n").encode()).strip()
    commit = run_git(repo.git_dir, "commit-tree", new_tree, "-p", str(main), "-m", "change f").strip()
    run_git(repo.git_dir, "update-ref", f"refs/heads/{branch}", commit)
    return commit


async def test_pull_request_lifecycle(world: World) -> None:
    """A PR is opened, found by head branch, retitled, given a reviewer, and shows its files and diff."""
    head_sha = await _pushed_branch(world, "organic-pr/issue-1")
    async with world.app.installation(INSTALLATION) as gh:
        pull = await gh.create_pull(
            "octo", "widgets", title="Fix f", head="organic-pr/issue-1", base="main", body="Fixes #1", draft=True
        )
        found = await gh.list_pulls("octo", "widgets", head="organic-pr/issue-1")
        updated = await gh.update_pull("octo", "widgets", pull.number, title="Fix f()")
        await gh.request_reviewers("octo", "widgets", pull.number, ["maintainer"])
        files = await gh.list_pull_files("octo", "widgets", pull.number)
        diff = await gh.get_pull_diff("octo", "widgets", pull.number)
    assert (pull.head_sha, pull.draft, pull.base_ref) == (head_sha, True, "main")
    assert [p.number for p in found] == [pull.number]
    assert updated.title == "Fix f()"
    assert world.standin.state.repo(REPO).pulls[pull.number].requested_reviewers == ["maintainer"]
    assert [(f.filename, f.status, f.additions, f.deletions) for f in files] == [("app.py", "modified", 1, 1)]
    assert "-    return 1\n+    return 2" in diff


async def test_review_comment_gets_a_threaded_reply(world: World) -> None:
    """Review comments are listed and a reply lands in the same thread."""
    await _pushed_branch(world, "organic-pr/issue-1")
    state = world.standin.state
    pull = state.add_pull(REPO, "Fix f", "organic-pr/issue-1", user="organic-pr[bot]")
    state.add_review_comment(REPO, pull.number, "use a constant", user="maintainer", path="app.py", line=2)
    async with world.app.installation(INSTALLATION) as gh:
        [comment] = await gh.list_review_comments("octo", "widgets", pull.number)
        reply = await gh.reply_to_review_comment("octo", "widgets", pull.number, comment.id, "Done in abc123")
        await gh.add_reaction("octo", "widgets", review_comment_id=comment.id, content="+1")
        state.add_review(REPO, pull.number, "please fix", user="maintainer", state="CHANGES_REQUESTED")
        [review] = await gh.list_reviews("octo", "widgets", pull.number)
    assert (review.author, review.state, review.body) == ("maintainer", "CHANGES_REQUESTED", "please fix")
    assert (comment.author, comment.path, comment.line) == ("maintainer", "app.py", 2)
    assert (reply.in_reply_to_id, reply.author, reply.body) == (comment.id, "organic-pr[bot]", "Done in abc123")


async def test_lone_surrogates_reach_github_as_escapes(world: World) -> None:
    """Text UTF-8 cannot encode (an issue's "\\ud800" escape read back, a non-UTF-8 file name's byte) does not fail
    the write half-way: comments, PR titles and bodies, check runs and their annotation paths carry the escape."""
    await _pushed_branch(world, "organic-pr/issue-1")
    sha = world.standin.state.branch_sha(REPO, "main")
    assert sha is not None
    async with world.app.installation(INSTALLATION) as gh:
        comment = await gh.create_issue_comment("octo", "widgets", 1, "quoting \ud800 from the issue")
        pull = await gh.create_pull(
            "octo", "widgets", title="Fix \ud800", head="organic-pr/issue-1", base="main", body="- `caf\udce9.py`"
        )
        notes = [Annotation("caf\udce9.py", 1, 1, "fails \ud800")]
        run = await gh.create_check_run(
            "octo", "widgets", name="organic-pr", head_sha=sha, summary="x", annotations=notes
        )
    repo = world.standin.state.repo(REPO)
    assert comment.body == "quoting \\ud800 from the issue"
    assert (pull.title, repo.pulls[pull.number].body) == ("Fix \\ud800", "- `caf\\udce9.py`")
    [note] = repo.check_runs[run.id].annotations
    assert (note["path"], note["message"]) == ("caf\\udce9.py", "fails \\ud800")
