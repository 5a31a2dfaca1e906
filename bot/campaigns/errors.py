"""Errors of migration campaigns.

CampaignError
 ├── CampaignConfigError     the `campaigns` key of the org's organic-pr.yml is unusable
 └── ReleaseResolutionError  no release of the package satisfies the campaign's version range
"""

from __future__ import annotations

__all__ = ["CampaignConfigError", "CampaignError", "ReleaseResolutionError"]


class CampaignError(Exception):
    """Base of every campaign error."""


class CampaignConfigError(CampaignError):
    """A campaign definition is invalid; the message names the campaign and the field."""


class ReleaseResolutionError(CampaignError):
    """The configured index has no release in the campaign's version range."""
