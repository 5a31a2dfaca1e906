"""Prometheus metrics, one registry per process object so tests and apps never collide."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["Metrics"]


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.deliveries = Counter(
            "organic_pr_webhook_deliveries",
            "Webhook deliveries by event and outcome",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge("organic_pr_queue_depth", "Jobs waiting in the arq queue", registry=self.registry)
        self.job_duration = Histogram(
            "organic_pr_job_duration_seconds",
            "Job durations by kind and outcome",
            ["kind", "outcome"],
            registry=self.registry,
            buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
        )
        self.jobs = Counter(
            "organic_pr_jobs", "Finished jobs by kind and outcome", ["kind", "outcome"], registry=self.registry
        )
