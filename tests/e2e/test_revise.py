"""Review comments on the bot's PR give one new commit and a reply in every thread."""

from __future__ import annotations

from typing import Any

from bot.settings import Settings
from bot.store.models import JobState
from tests.bot.conftest import Deliver
from tests.conftest import git
from tests.e2e.conftest import E2E_REPO
from tests.e2e.fixture_repo import FIXED_LINES, fix_answer
from tests.e2e.helpers import BOT, job, label, repo_of, run_worker
from tests.llm.scripted import ScriptedLLM
from tests.standin.fixtures import Standin

BRANCH = "organic-pr/issue-1"
GUARD = '    if parts <= 0:\n        raise LedgerError("parts must be positive")\n'
NEGATIVE = GUARD + '    if total < 0:\n        raise LedgerError("total must not be negative")\n'
TEST = (
    "import pytest\n\nfrom ledger.errors import LedgerError\nfrom ledger.money import split\n\n\n"
    "def test_negative_total_is_refused():\n    with pytest.raises(LedgerError):\n        split(-5, 2)\n"
)
REVISION = (
    "Refuse negative totals.\n<edits>\nledger/money.py\n<<<<<<< SEARCH\n"
    f"{GUARD}=======\n{NEGATIVE}>>>>>>> REPLACE\n</edits>\n"
    f'<test path="tests/test_split_negative.py">\n{TEST}</test>\n'
)


def review_comment_event(comment_id: int, pr_number: int, body: str) -> dict[str, Any]:
    return {
        "action": "created",
        "comment": {"id": comment_id, "body": body, "user": {"login": "maintainer", "type": "User"}},
        "pull_request": {"number": pr_number, "user": {"login": BOT}, "head": {"ref": BRANCH}},
        "repository": {"full_name": E2E_REPO, "default_branch": "main"},
        "installation": {"id": 42},
        "sender": {"login": "maintainer", "type": "User"},
    }


def test_two_quick_review_comments_give_one_revision_with_replies(
    deliver: Deliver, service_settings: Settings, standin: Standin, scripted_llm: ScriptedLLM
) -> None:
    """Two comments delivered together: one new commit addressing both, a reply in each thread, the fix kept."""
    scripted_llm.on("generate", fix_answer(), repeat=True)
    label(deliver)
    run_worker(service_settings)
    [pr] = repo_of(standin).pulls.values()
    before = standin.state.branch_sha(E2E_REPO, BRANCH)
    scripted_llm.reset()
    scripted_llm.on("generate", REVISION, repeat=True)
    asks = ["Negative totals should raise LedgerError.", "And please cover that with a test."]
    comments = [
        standin.state.add_review_comment(E2E_REPO, pr.number, a, user="maintainer", path="ledger/money.py", line=8)
        for a in asks
    ]
    jobs = [
        deliver(
            "pull_request_review_comment", review_comment_event(c.id, pr.number, c.body), delivery_id=f"rc-{c.id}"
        ).json()["jobs"][0]
        for c in comments
    ]
    run_worker(service_settings)
    after = standin.state.branch_sha(E2E_REPO, BRANCH)
    repo = repo_of(standin)
    assert git(repo.git_dir, "rev-list", "--count", f"{before}..{after}").strip() == "1"
    money = git(repo.git_dir, "show", f"{BRANCH}:ledger/money.py")
    assert FIXED_LINES.strip() in money and "total must not be negative" in money
    for comment in comments:
        replies = [c for c in repo.review_comments.values() if c.in_reply_to_id == comment.id and c.user == BOT]
        assert len(replies) == 1 and replies[0].body.startswith("Changed in ")
    notes = sorted(job(service_settings, j).error or "" for j in jobs)
    assert notes[0] == "nothing to revise" and notes[1].startswith("revision ")
    assert all(job(service_settings, j).state == JobState.SUCCEEDED for j in jobs)
    prompt = scripted_llm.requests_for("generate")[0].messages[1]["content"]
    assert all(a in prompt for a in asks)
