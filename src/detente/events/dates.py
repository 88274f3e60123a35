"""When an event happened: a date the text gives ("on Tuesday", "March 5") read against the
article's date, else the article's date."""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?(?:,?\s+(\d{4}))?\b")
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")


def parse_iso(value: str | None) -> date | None:
    """The date of an ISO 8601 string (its first ten characters), or None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _month(word: str) -> int | None:
    return _MONTH_ABBR.get(word[:3].lower()) if word[:3].lower() in _MONTH_ABBR and (
        word.lower() in MONTHS or len(word) <= 4) else None


def resolve_date(expression: str, article: date | None) -> date | None:
    """Read a date expression relative to the article date; None when it cannot be read.

    News reports the past: a bare weekday is the last such day before the article date
    (the same day counts), a day and month without a year take the article's year unless
    that would put the event more than a month after the article.
    """
    text = expression.lower().strip()
    if article is not None:
        if "yesterday" in text:
            return article - timedelta(days=1)
        if "today" in text or "tonight" in text or "this morning" in text:
            return article
        if "tomorrow" in text:
            return article + timedelta(days=1)
        for number, name in enumerate(WEEKDAYS):
            if re.search(rf"\b{name}\b", text):
                back = (article.weekday() - number) % 7
                if text.startswith("next"):
                    return article + timedelta(days=(number - article.weekday()) % 7 or 7)
                return article - timedelta(days=back)
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        match = pattern.search(expression)
        if not match:
            continue
        month = _month(match.group(month_group))
        if month is None:
            continue
        day = int(match.group(day_group))
        year = int(match.group(3)) if match.group(3) else (article.year if article else None)
        if year is None:
            return None
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if not match.group(3) and article is not None and found > article + timedelta(days=31):
            found = found.replace(year=year - 1)
        return found
    return None
