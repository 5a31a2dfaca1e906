"""A panel of automated reviewers that judges candidate patches."""
