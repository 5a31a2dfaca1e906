"""Reviews on the bot's PRs start a revision; closing a bot PR records merged or rejected."""

from __future__ import annotations

from collections.abc import Iterator

from bot.events import JobRequest, WebhookEvent
from bot.handlers._common import field, is_conversation_ready, target_kwargs
from bot.routing import Router, RoutingContext

router = Router()


def is_bot_pr(event: WebhookEvent, ctx: RoutingContext) -> bool:
    """The PR was opened by this App on one of its own branches."""
    author = field(event.payload, "pull_request", "user", "login")
    head = field(event.payload, "pull_request", "head", "ref")
    return author == ctx.bot_login and isinstance(head, str) and head.startswith(ctx.branch_prefix)


def _revise(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    number = field(event.payload, "pull_request", "number")
    if isinstance(number, int) and is_conversation_ready(event) and is_bot_pr(event, ctx):
        yield JobRequest("revise_pr", target_kwargs(event, number), target_number=number)


@router.register("pull_request_review", "submitted")
def on_review(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    if field(event.payload, "review", "state") in ("approved",):
        return  # an approval asks for nothing to change
    yield from _revise(event, ctx)


@router.register("pull_request_review_comment", "created")
def on_review_comment(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    yield from _revise(event, ctx)


@router.register("pull_request", "closed")
def on_closed(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    """Recorded whoever closed it (a merge bot included): it is a fact for memory, not a conversation."""
    number = field(event.payload, "pull_request", "number")
    if not isinstance(number, int) or event.repo is None or not is_bot_pr(event, ctx):
        return
    merged = bool(field(event.payload, "pull_request", "merged"))
    yield JobRequest("record_pr_outcome", {**target_kwargs(event, number), "merged": merged}, target_number=number)
