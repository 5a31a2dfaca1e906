"""Errors raised by the sandbox.

SandboxError
├── BackendUnavailable        the backend cannot run here (no bwrap, unsafe-local not enabled)
├── LaunchError               the sandbox process could not be started
├── EnvironmentBuildError     creating or installing the environment failed (carries the run output)
├── PythonNotFound            the Python version the repo requires is not on this machine
└── ReportError               a structured test report is missing or unreadable
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base of every sandbox error."""


class BackendUnavailable(SandboxError):
    """The chosen backend cannot run on this machine or was not explicitly enabled."""


class LaunchError(SandboxError):
    """The sandboxed process could not be started."""


class EnvironmentBuildError(SandboxError):
    """Building an environment failed; `output` holds the tail of what the failing step printed."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


class PythonNotFound(SandboxError):
    """No interpreter on this machine satisfies the version the repository requires."""

    def __init__(self, requirement: str, available: list[str]) -> None:
        found = ", ".join(available) or "none"
        super().__init__(f"the repository requires Python {requirement}; this machine has: {found}")
        self.requirement = requirement
        self.available = available


class ReportError(SandboxError):
    """The structured test report (JUnit XML) is missing or cannot be parsed."""
