"""Cron schedules and due slots (pure).

    cron = parse_cron("0 9 * * 1")                 # Mondays 09:00 UTC
    slot = latest_slot(cron, now)                  # the newest scheduled minute <= now
    slot_key(slot)                                 # "2025-01-06T09:00Z": the run's idempotency key

Five fields (minute hour day-of-month month day-of-week), each `*`, a number, a range `a-b`, a step `*/n` or
`a-b/n`, or a comma list; months and weekdays also by three-letter name; Sunday is 0 or 7. As in cron, when both
day fields are restricted a day matches either one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["Cron", "CronError", "latest_slot", "parse_cron", "slot_key"]

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
MAX_DAYS_BACK = 366 * 5  # a schedule that never fires (e.g. 31 February) is found out, not looped on


class CronError(ValueError):
    """A cron expression that cannot be parsed."""


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    days_any: bool
    weekdays_any: bool

    def day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        weekday = (day.weekday() + 1) % 7
        in_days, in_weekdays = day.day in self.days, weekday in self.weekdays
        if self.days_any or self.weekdays_any:
            return in_days and in_weekdays
        return in_days or in_weekdays


def parse_cron(expression: str) -> Cron:
    parts = expression.split()
    if len(parts) != 5:
        raise CronError(f"{expression!r}: a cron schedule has five fields (minute hour day month weekday)")
    values = [_field(text, name, low, high) for text, (name, low, high) in zip(parts, FIELDS, strict=True)]
    weekdays = frozenset(d % 7 for d in values[4])
    return Cron(values[0], values[1], values[2], values[3], weekdays, parts[2] == "*", parts[4] == "*")


def _field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    found: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        step = _number(step_text, name) if step_text else 1
        if step < 1:
            raise CronError(f"{name}: step must be at least 1 in {item!r}")
        if base == "*":
            start, stop = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, stop = _value(first, name), _value(last, name)
        else:
            start = _value(base, name)
            stop = high if step_text else start
        if not low <= start <= stop <= high:
            raise CronError(f"{name}: {item!r} is outside {low}-{high}")
        found.update(range(start, stop + 1, step))
    return frozenset(found)


def _value(text: str, name: str) -> int:
    names = MONTHS if name == "month" else DAYS if name == "day of week" else ()
    if text.lower() in names:
        return names.index(text.lower()) + (1 if name == "month" else 0)
    return _number(text, name)


def _number(text: str, name: str) -> int:
    if not text.isdigit():
        raise CronError(f"{name}: {text!r} is not a number")
    return int(text)


def latest_slot(cron: Cron, now: datetime) -> datetime | None:
    """The newest minute <= now the schedule names (UTC), or None when it names none in the last five years."""
    moment = now.astimezone(UTC).replace(second=0, microsecond=0)
    for _ in range(MAX_DAYS_BACK):
        if cron.day_matches(moment):
            hours = [h for h in cron.hours if h <= moment.hour]
            if hours:
                hour = max(hours)
                minutes = [m for m in cron.minutes if hour < moment.hour or m <= moment.minute]
                if minutes:
                    return moment.replace(hour=hour, minute=max(minutes))
                earlier = [h for h in cron.hours if h < moment.hour]
                if earlier:
                    return moment.replace(hour=max(earlier), minute=max(cron.minutes))
        moment = (moment.replace(hour=0, minute=0) - timedelta(minutes=1)).replace(hour=23, minute=59)
    return None


def slot_key(slot: datetime) -> str:
    return slot.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
