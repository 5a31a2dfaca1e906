"""Issue label events: the trigger label starts a fix; removing it or closing the issue cancels."""

from __future__ import annotations

from collections.abc import Iterator

from bot.events import JobRequest, WebhookEvent
from bot.handlers._common import field, is_conversation_ready, target_kwargs
from bot.routing import Router, RoutingContext

router = Router()


def _issue_number(event: WebhookEvent) -> int | None:
    number = field(event.payload, "issue", "number")
    is_pull = field(event.payload, "issue", "pull_request") is not None
    return number if isinstance(number, int) and not is_pull else None


@router.register("issues", "labeled")
def on_labeled(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    number = _issue_number(event)
    if number is None or not is_conversation_ready(event) or field(event.payload, "label", "name") != ctx.trigger_label:
        return
    yield JobRequest("fix_issue", target_kwargs(event, number), target_number=number)


@router.register("issues", "unlabeled")
def on_unlabeled(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    number = _issue_number(event)
    if number is None or event.repo is None or field(event.payload, "label", "name") != ctx.trigger_label:
        return
    yield JobRequest("cancel_target", {**target_kwargs(event, number), "reason": "label removed"}, target_number=number)


@router.register("issues", "closed")
def on_closed(event: WebhookEvent, ctx: RoutingContext) -> Iterator[JobRequest]:
    number = _issue_number(event)
    if number is None or event.repo is None:
        return
    yield JobRequest("cancel_target", {**target_kwargs(event, number), "reason": "issue closed"}, target_number=number)
