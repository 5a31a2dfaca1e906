"""Organic PR: the GitHub App that composes memory, sandbox, reviewers and migrations into pull requests."""
