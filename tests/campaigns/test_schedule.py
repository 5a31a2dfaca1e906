"""Cron parsing and the latest due slot."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.campaigns.schedule import CronError, latest_slot, parse_cron, slot_key


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("cron", "now", "slot"),
    [
        ("0 9 * * 1", "2025-01-06T09:30", "2025-01-06T09:00"),  # Monday, after the slot
        ("0 9 * * 1", "2025-01-06T08:59", "2024-12-30T09:00"),  # Monday, before it: last week's
        ("0 9 * * 1", "2025-01-08T12:00", "2025-01-06T09:00"),  # Wednesday
        ("* * * * *", "2025-01-06T09:31:59", "2025-01-06T09:31"),
        ("*/15 * * * *", "2025-01-06T09:44", "2025-01-06T09:30"),
        ("30 8-10 * * *", "2025-01-06T08:10", "2025-01-05T10:30"),
        ("0 0 1 * *", "2025-03-15T00:00", "2025-03-01T00:00"),
        ("0 0 1 1 *", "2025-03-15T00:00", "2025-01-01T00:00"),
        ("0 12 * * sun", "2025-01-06T00:00", "2025-01-05T12:00"),
        ("0 12 * * 7", "2025-01-06T00:00", "2025-01-05T12:00"),  # 7 is Sunday too
        ("0 12 * jan,feb mon-fri", "2025-03-03T00:00", "2025-02-28T12:00"),
        ("0 6 13 * 5", "2025-01-12T00:00", "2025-01-10T06:00"),  # both day fields: either matches (Friday 10th)
        ("5,55 * * * *", "2025-01-06T10:00", "2025-01-06T09:55"),
    ],
)
def test_latest_slot(cron: str, now: str, slot: str) -> None:
    """The newest scheduled minute at or before now."""
    assert latest_slot(parse_cron(cron), at(now)) == at(slot)


def test_a_schedule_that_never_fires_has_no_slot() -> None:
    """31 February never comes: None, not an endless search."""
    assert latest_slot(parse_cron("0 0 31 2 *"), at("2025-03-01T00:00")) is None


@pytest.mark.parametrize("cron", ["* * * *", "60 * * * *", "* * 0 * *", "*/0 * * * *", "x * * * *", "5-1 * * * *"])
def test_bad_cron_is_refused(cron: str) -> None:
    """Wrong field count, out-of-range values, zero steps, words and reversed ranges raise CronError."""
    with pytest.raises(CronError):
        parse_cron(cron)


def test_slot_key_is_minute_precise_utc() -> None:
    """The idempotency key of a slot names its UTC minute."""
    assert slot_key(at("2025-01-06T09:00")) == "2025-01-06T09:00Z"
