"""The date stamped into the outputs, from SOURCE_DATE_EPOCH or the edition's own date.

Every output of a build, and the archive's package, carries the same moment: `build_time` gives
it from the edition (`Edition.date`) and the SOURCE_DATE_EPOCH the environment sets
(`source_date_epoch`), so that the same sources give the same bytes on any machine and any day.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from ..errors import EditionError
from .model import Edition


def source_date_epoch() -> str:
    """SOURCE_DATE_EPOCH as the environment sets it, or ""."""
    return os.environ.get("SOURCE_DATE_EPOCH", "")


def build_time(edition: Edition, epoch: str) -> datetime:
    """The date stamped into the outputs: `epoch` (SOURCE_DATE_EPOCH) if set, else the edition's date."""
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError):
            raise EditionError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from None
    day = date.fromisoformat(edition.date)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
