"""User-visible text, as constants so tests assert the exact words."""

REFUSED_PERMISSION = (
    "Thanks for the interest! Only people with write, maintain or admin access to this repository can ask "
    "Organic PR to work on it, and @{sender} has `{permission}` access. A maintainer can add the label instead."
)
NO_MODEL = (
    "No language model is configured, so I can't write a fix yet. An operator can set `LLM_BASE_URL`, "
    "`LLM_API_KEY` and `LLM_MODEL` (any OpenAI-compatible endpoint), then comment `/organic-pr retry`."
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
COMPETING_PR = (
    "An open pull request already references this issue ({url}), so I won't open a competing one. Nothing was changed."
)
CLOSED_PR_REMEMBERED = (
    "My earlier pull request #{pr} for this issue was closed without being merged, so I won't reopen it. "
    "Remove and add the `{label}` label again if you want me to try again."
)
CONFIG_INVALID = "`.github/organic-pr.yml` is invalid, so I stopped before doing anything: {error}"
BUDGET_STOP = (
    "Stopped: the {limit} budget was reached after spending {tokens:,} tokens (${usd:.4f}) on this job. "
    "Raise it with `budget:` (per job) or `daily_budget:` (per installation per day) in `.github/organic-pr.yml`, "
    "or ask the operator to raise JOB_BUDGET_TOKENS / JOB_BUDGET_USD / DAILY_BUDGET_TOKENS / DAILY_BUDGET_USD, "
    "then comment `/organic-pr retry`."
)
NO_CANDIDATE = (
    "I could not produce a usable fix: all {count} candidate(s) failed, so nothing was pushed.\n\n{details}\n\n"
    "Comment `/organic-pr retry` to try again, or add detail to the issue first."
)
COMMENT_ONLY = "No pull request: the evidence was not strong enough for one. What I tried:\n\n{details}"
PR_OPENED = "Opened {url} ({decision}, confidence {confidence:.2f})."
PR_UPDATED = "Updated {url} ({decision}, confidence {confidence:.2f})."
WORKING = "working on it: {stage}"
REVISION_CHANGED = "Changed in {sha}: {files}."
REVISION_UNCHANGED = "I did not change anything for this comment: {why}"
REVISION_NOTHING = "no applicable edit came out of this revision (the candidates' notes are in the PR check run)"
