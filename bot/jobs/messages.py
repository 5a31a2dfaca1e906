"""User-visible text, as constants so tests assert the exact words."""

REFUSED_PERMISSION = (
    "Thanks for the interest! Only people with write, maintain or admin access to this repository can ask "
    "Organic PR to work on it, and @{sender} has `{permission}` access. A maintainer can add the label instead."
)
NO_MODEL = (
    "No language model is configured, so I can't write a fix yet. An operator can set `LLM_BASE_URL`, "
    "`LLM_API_KEY` and `LLM_MODEL` (any OpenAI-compatible endpoint), then comment `/organic-pr retry`."
)
PIPELINE_PENDING = (
    "A model is configured, but this deployment does not include the fix pipeline yet; nothing was changed. "
    "Comment `/organic-pr retry` after upgrading."
)
CANCELLED = (
    "Stopped: {reason}. Nothing more will happen unless the label is added again or `/organic-pr retry` is used."
)
HELP = (
    "Commands: `/organic-pr status` (where the work is), `/organic-pr retry` (start again), "
    "`/organic-pr cancel` (stop)."
)
STATUS_NONE = "No Organic PR job has run on this yet."
STATUS_LINE = "Latest job `{job_id}`: **{state}**{error}."
RETRY_QUEUED = "Starting again: job `{job_id}` is queued."
CANCEL_REQUESTED = "Cancelling {count} running job(s); the status comment will say when they stop."
