"""Every published webhook example, signed, through the real app (real Redis, a real SQLite store).

The expected jobs come from the routing table of issue 2, written out again below, independently of
bot/routing.py and bot/handlers: a change in routing that the table does not describe fails here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from bot.events import typed_model
from tests.webhooks.conftest import Deliver
from tests.webhooks.examples import EXAMPLES, current_payload, load_example, load_overlay, merge_patch

TRIGGER_LABEL = "bot-fix"
BOT_LOGIN = "organic-pr[bot]"
BOT_BRANCH_PREFIX = "organic-pr/"
APP_SLUG = "organic-pr"
INSTALLATION_ID = 4242

Payload = dict[str, Any]
Condition = Callable[[Payload], bool]


def _get(payload: Any, *path: str) -> Any:
    for key in path:
        payload = payload.get(key) if isinstance(payload, dict) else None
    return payload


def human_sender(p: Payload) -> bool:
    sender = p.get("sender") or {}
    return bool(sender.get("type") != "Bot" and not str(sender.get("login", "")).endswith("[bot]"))


def trigger_label(p: Payload) -> bool:
    return bool(_get(p, "label", "name") == TRIGGER_LABEL)


def about_an_issue(p: Payload) -> bool:
    return isinstance(_get(p, "issue", "number"), int) and _get(p, "issue", "pull_request") is None


def has_command(p: Payload) -> bool:
    """A line that is `/organic-pr` alone or followed by one word (the command)."""
    lines = str(_get(p, "comment", "body") or "").splitlines()
    return any(line.split()[:1] == ["/organic-pr"] and len(line.split()) <= 2 for line in lines)


def bot_pr(p: Payload) -> bool:
    head = _get(p, "pull_request", "head", "ref")
    by_bot = _get(p, "pull_request", "user", "login") == BOT_LOGIN
    return by_bot and isinstance(head, str) and head.startswith(BOT_BRANCH_PREFIX)


def default_branch_push(p: Payload) -> bool:
    default = _get(p, "repository", "default_branch")
    return p.get("ref") == f"refs/heads/{default}" and not p.get("deleted")


@dataclass(frozen=True)
class Rule:
    """`event.action` (action None: any action) with `when` true on the payload queues `job`."""

    event: str
    action: str | None
    job: str
    when: Condition


ROUTING_TABLE = [
    Rule("issues", "labeled", "fix_issue", lambda p: human_sender(p) and trigger_label(p) and about_an_issue(p)),
    Rule("issues", "unlabeled", "cancel_target", lambda p: trigger_label(p) and about_an_issue(p)),
    Rule("issues", "closed", "cancel_target", about_an_issue),
    Rule("issue_comment", "created", "run_command", lambda p: human_sender(p) and has_command(p)),
    Rule(
        "pull_request_review",
        "submitted",
        "revise_pr",
        lambda p: human_sender(p) and bot_pr(p) and _get(p, "review", "state") != "approved",
    ),
    Rule("pull_request_review_comment", "created", "revise_pr", lambda p: human_sender(p) and bot_pr(p)),
    Rule("pull_request", "closed", "record_pr_outcome", bot_pr),
    Rule("push", None, "refresh_memory", default_branch_push),
    Rule("installation", None, "sync_installation", lambda p: True),
    Rule("installation_repositories", None, "sync_installation", lambda p: True),
    Rule(
        "check_run",
        "rerequested",
        "rerun_check",
        lambda p: human_sender(p) and _get(p, "check_run", "app", "slug") == APP_SLUG,
    ),
]
HANDLED_EVENTS = {rule.event for rule in ROUTING_TABLE}


def expected_jobs(event: str, payload: Payload) -> list[str]:
    """The job functions the routing table asks for, in table order."""
    action = payload.get("action")
    return [r.job for r in ROUTING_TABLE if r.event == event and r.action in (None, action) and r.when(payload)]


def expected_status(event: str, payload: Payload) -> int:
    """ping 200; a handled event without an installation 400; everything else 202 (queued or ignored)."""
    if event == "ping":
        return 200
    if event in HANDLED_EVENTS and not isinstance(_get(payload, "installation", "id"), int):
        return 400
    return 202


def as_app_delivery(payload: Payload) -> Payload:
    """The payload as a GitHub App receives it: App deliveries always name their installation."""
    if "installation" in payload:
        return payload
    return {
        **payload,
        "installation": {"id": INSTALLATION_ID, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg=="},
    }


def body_of(payload: Payload) -> bytes:
    return json.dumps(payload).encode()


def test_published_example_as_is_never_gets_a_5xx(
    example_rel: str, shared_dir: Path, deliver: Deliver, queued: Callable[[], list[str]]
) -> None:
    """The example file's own bytes, signed, get the status and jobs the table predicts, never a 5xx."""
    example = load_example(shared_dir, example_rel)
    answer = deliver(example.event, (shared_dir / EXAMPLES / example_rel).read_bytes())
    assert answer.status < 500, answer.body
    assert answer.status == expected_status(example.event, example.payload), answer.body
    expected = []
    if answer.status == 202:
        expected = [f"{job}:{answer.delivery_id}" for job in expected_jobs(example.event, example.payload)]
        assert answer.jobs == expected
    assert queued() == sorted(set(expected))


def test_app_delivery_is_routed_as_the_table_says(
    example_rel: str, shared_dir: Path, deliver: Deliver, queued: Callable[[], list[str]]
) -> None:
    """Brought up to date and given an installation, each example is queued or ignored exactly as the table says."""
    event = example_rel.split("/", 1)[0]
    payload = as_app_delivery(current_payload(shared_dir, example_rel))
    answer = deliver(event, body_of(payload))
    assert answer.status == (200 if event == "ping" else 202), answer.body
    expected = [f"{job}:{answer.delivery_id}" for job in expected_jobs(event, payload)]
    if event != "ping":
        assert answer.body["outcome"] == ("enqueued" if expected else "ignored")
    assert answer.jobs == expected
    assert queued() == sorted(set(expected))


def _set(payload: Payload, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = payload
    for key in parents:
        node = node[key]
    node[leaf] = value


BOT_PR = {
    "pull_request.user.login": BOT_LOGIN,
    "pull_request.user.type": "Bot",
    "pull_request.head.ref": "organic-pr/issue-7",
}
BOT_SENDER = {"sender.login": "dependabot[bot]", "sender.type": "Bot"}


@dataclass(frozen=True)
class Variant:
    """A published example with a few fields changed so that a route actually fires (or, `job` None, does not)."""

    name: str
    rel: str
    changes: dict[str, Any]
    job: str | None

    def payload(self, shared_dir: Path) -> Payload:
        payload = as_app_delivery(copy.deepcopy(current_payload(shared_dir, self.rel)))
        for path, value in self.changes.items():
            _set(payload, path, value)
        return payload


VARIANTS = [
    Variant("label-bot-fix", "issues/labeled.payload.json", {"label.name": TRIGGER_LABEL}, "fix_issue"),
    Variant("unlabel-bot-fix", "issues/unlabeled.payload.json", {"label.name": TRIGGER_LABEL}, "cancel_target"),
    Variant(
        "issue-closed",
        "issues/reopened.payload.json",
        {"action": "closed", "issue.state": "closed", "issue.state_reason": "completed"},
        "cancel_target",
    ),
    Variant(
        "command-status", "issue_comment/created.payload.json", {"comment.body": "/organic-pr status"}, "run_command"
    ),
    Variant(
        "review-on-bot-pr",
        "pull_request_review/submitted.payload.json",
        {**BOT_PR, "review.state": "changes_requested"},
        "revise_pr",
    ),
    Variant("review-comment-on-bot-pr", "pull_request_review_comment/created.payload.json", BOT_PR, "revise_pr"),
    Variant(
        "bot-pr-merged",
        "pull_request/closed.payload.json",
        {**BOT_PR, "pull_request.merged": True},
        "record_pr_outcome",
    ),
    Variant("push-to-default-branch", "push/with-new-branch.payload.json", {}, "refresh_memory"),
    Variant("push-to-other-branch", "push/with-new-branch.payload.json", {"ref": "refs/heads/feature"}, None),
    Variant("rerun-bot-check", "check_run/rerequested.payload.json", {"check_run.app.slug": APP_SLUG}, "rerun_check"),
    Variant("bot-labels-bot-fix", "issues/labeled.payload.json", {"label.name": TRIGGER_LABEL, **BOT_SENDER}, None),
    Variant(
        "approval-of-bot-pr", "pull_request_review/submitted.payload.json", {**BOT_PR, "review.state": "approved"}, None
    ),
    Variant(
        "rerun-other-apps-check", "check_run/rerequested.payload.json", {"check_run.app.slug": "super-duper"}, None
    ),
]


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_variant_queues_its_job_exactly_once(
    variant: Variant, shared_dir: Path, deliver: Deliver, queued: Callable[[], list[str]]
) -> None:
    """A real payload shape that should fire a route queues exactly that one job in Redis (or nothing)."""
    event = variant.rel.split("/", 1)[0]
    payload = variant.payload(shared_dir)
    assert expected_jobs(event, payload) == ([variant.job] if variant.job else [])  # the table agrees with the case
    answer = deliver(event, body_of(payload))
    assert answer.status == 202, answer.body
    job_ids = [f"{variant.job}:{answer.delivery_id}"] if variant.job else []
    assert answer.jobs == job_ids
    assert queued() == job_ids


def test_payload_that_fails_the_model_is_still_routed(shared_dir: Path, deliver: Deliver) -> None:
    """An out-of-date payload fails githubkit's model (logged, None) yet is accepted and queued from the raw dict."""
    rel = "issues/labeled.payload.json"
    payload = as_app_delivery(load_example(shared_dir, rel).payload)
    payload["label"]["name"] = TRIGGER_LABEL
    with capture_logs() as logs:
        model = typed_model("issues", payload, delivery_id="d-lenient")
    assert model is None
    assert [entry["event"] for entry in logs] == ["webhook.model_invalid"]
    assert logs[0]["delivery_id"] == "d-lenient"
    with capture_logs() as logs:
        answer = deliver("issues", body_of(payload))
    assert answer.status == 202
    assert answer.jobs == [f"fix_issue:{answer.delivery_id}"]
    assert [e["outcome"] for e in logs if e["event"] == "webhook.accepted"] == ["enqueued"]


def test_overlay_makes_the_model_parse(shared_dir: Path) -> None:
    """The same example with its overlay applied parses into githubkit's model without a warning."""
    rel = "issues/labeled.payload.json"
    overlay = load_overlay(rel)
    assert overlay is not None
    payload = merge_patch(load_example(shared_dir, rel).payload, overlay)
    with capture_logs() as logs:
        model = typed_model("issues", payload)
    assert model is not None
    assert logs == []
