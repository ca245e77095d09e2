"""When a failed delivery is tried again, and when it is given up."""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# 30 s, 1, 2, 4, 8, 16, 32 minutes, then hourly: the 24th attempt comes about 18 hours after
# the first. After it the delivery is FAILED; resendWebhookEvent sends it again.
MAX_ATTEMPTS = 24


def next_attempt_at(failed_at: datetime, attempts: int) -> datetime | None:
    """After the ``attempts``-th attempt failed: when to try again, or None to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    doublings = min(max(attempts - 1, 0), 20)
    return failed_at + min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)
