"""Which date ranges the figures read from the kept period rows (exactly a calendar year, quarter or month),
and which periods a date falls in."""

from __future__ import annotations

import pytest

from server.dashboard.periods import standard_period
from server.period_figures import periods_of


@pytest.mark.parametrize(("date_from", "date_to", "period"), [
    (None, None, "*"),
    ("2026-01-01", "2026-12-31", "2026"),
    ("2026-07-01", "2026-09-30", "2026-Q3"),
    ("2026-10-01", "2026-12-31", "2026-Q4"),
    ("2024-02-01", "2024-02-29", "2024-02"),
    ("2026-12-01", "2026-12-31", "2026-12"),
    ("2026-07-01", None, None),
    (None, "2026-09-30", None),
    ("2026-07-02", "2026-09-30", None),
    ("2026-07-01", "2026-09-29", None),
    ("2026-08-01", "2026-10-31", None),  # three months, not a quarter
    ("2026-01-01", "2026-06-30", None),
    ("2025-12-01", "2026-01-31", None),
    ("2026-12-01", "2026-11-30", None),
])
def test_a_standard_period_is_named_and_any_other_range_is_not(date_from: str | None, date_to: str | None,
                                                                 period: str | None) -> None:
    assert standard_period(date_from, date_to) == period


@pytest.mark.parametrize(("day", "periods"), [
    ("2026-01-31", ("2026", "2026-Q1", "2026-01")),
    ("2026-03", ("2026", "2026-Q1", "2026-03")),
    ("2026-04-01", ("2026", "2026-Q2", "2026-04")),
    ("2026-12-31", ("2026", "2026-Q4", "2026-12")),
    ("2026-13-01", ()),
    ("2026", ()),
    (None, ()),
])
def test_a_day_or_month_falls_in_its_year_quarter_and_month(day: str | None, periods: tuple[str, ...]) -> None:
    """A session or count with a date the kept rows cannot place counts only over every date."""
    assert periods_of(day) == periods
