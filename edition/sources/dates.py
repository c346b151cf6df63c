"""The date stamped into the outputs, from SOURCE_DATE_EPOCH or the edition's own date.

Every output of a build, and the archive's package, carries the same moment: `build_time` gives
it from the edition (`Edition.date`) and the SOURCE_DATE_EPOCH the environment sets
(`source_date_epoch`), so that the same sources give the same bytes on any machine and any day.
The edition's date may be a year or a year and month, as TEI allows: it is stamped as its first
day. A moment the outputs cannot carry is refused: a zip file (the EPUB) dates its entries from
1980 to 2107 (`EARLIEST`, `LATEST`); `read.imprint_problems` holds the edition's date to the same.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from ..errors import EditionError
from .model import Edition

# The moments a zip file's entries can carry (MS-DOS dates, kept in two seconds' steps).
EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)
LATEST = datetime(2107, 12, 31, 23, 59, 59, tzinfo=UTC)
CARRIED = "1980-01-01 to 2107-12-31 (those of a zip file's entries)"


def source_date_epoch() -> str:
    """SOURCE_DATE_EPOCH as the environment sets it, or ""."""
    return os.environ.get("SOURCE_DATE_EPOCH", "")


def first_day(value: str) -> date | None:
    """The first day of a date as TEI writes it — `2026`, `2026-05` or `2026-05-14` — or None if
    it is none of these, or no day of the calendar (`2026-02-30`)."""
    parts = value.split("-")
    if not 1 <= len(parts) <= 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    if [len(part) for part in parts] != [4, 2, 2][: len(parts)]:
        return None
    try:
        return date(*(int(part) for part in parts), *[1] * (3 - len(parts)))
    except ValueError:
        return None


def build_time(edition: Edition, epoch: str) -> datetime:
    """The date stamped into the outputs: `epoch` (SOURCE_DATE_EPOCH) if set, else the edition's
    date (its first day, if it is a year or a month); `EditionError` for an epoch that is not a
    whole number, or that the outputs cannot carry."""
    if not epoch:
        day = first_day(edition.date)
        if day is None:  # the sources are checked before (E080, E083): this is a caller's mistake
            raise EditionError(f"the edition's date {edition.date!r} is not a date")
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    try:
        seconds = int(epoch)
    except ValueError:
        raise EditionError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}") from None
    if not EARLIEST.timestamp() <= seconds <= LATEST.timestamp():
        try:
            shown = f" is {datetime.fromtimestamp(seconds, UTC).date().isoformat()},"
        except (ValueError, OverflowError, OSError):  # beyond what Python's dates hold
            shown = ""
        raise EditionError(
            f"SOURCE_DATE_EPOCH={epoch}{shown} outside the dates the outputs can carry: {CARRIED}; "
            f"give one from {int(EARLIEST.timestamp())} to {int(LATEST.timestamp())}"
        )
    return datetime.fromtimestamp(seconds, UTC)
