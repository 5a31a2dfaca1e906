"""The web edge: webhook intake, health and metrics."""
