"""Quiet hours: nobody is written to at night, in the local time that matters to them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def quiet_until(now: datetime, timezone: str, start: int, end: int) -> datetime:
    """Now, or the end of the quiet hours start…end (local hours) if they are on now."""
    local = now.astimezone(ZoneInfo(timezone))
    night = local.hour >= start or local.hour < end if start > end else start <= local.hour < end
    if not night:
        return now
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if morning <= local:
        morning += timedelta(days=1)
    return morning.astimezone(now.tzinfo)
