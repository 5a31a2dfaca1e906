"""The GitHub adapter: App auth and shared installation tokens, a Redis write throttle, typed operations, git.

from bot.github import GitHubApp, ThrottlePolicy
from bot.github.git import GitWorkspace
"""

from bot.github.app import GitHubApp
from bot.github.client import InstallationClient
from bot.github.models import Annotation, CheckRun, Comment, Issue, PullFile, PullRequest, Ref, Review, ReviewComment
from bot.github.throttle import RedisWriteThrottler, ThrottlePolicy

__all__ = [
    "Annotation",
    "CheckRun",
    "Comment",
    "GitHubApp",
    "InstallationClient",
    "Issue",
    "PullFile",
    "PullRequest",
    "RedisWriteThrottler",
    "Ref",
    "Review",
    "ReviewComment",
    "ThrottlePolicy",
]
