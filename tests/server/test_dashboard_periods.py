"""Which date ranges the figures read from the kept period rows: exactly a calendar year, quarter or month."""

from __future__ import annotations

import pytest

from server.dashboard.periods import standard_period


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
