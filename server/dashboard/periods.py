"""The figures of a standard period, read from the kept trainee-period rows (server/period_figures.py).

A calendar year, quarter or month, or every date: what a province reports. Any other range,
or a program, counts from the enrolments (server/dashboard/counting.py) to the same figures.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select

from server.dashboard.access import Communes, in_communes
from server.dashboard.counting import group_keys
from server.models import TraineePeriod
from server.period_figures import ALL_DATES


def standard_period(date_from: str | None, date_to: str | None) -> str | None:
    """Name the period the dates cover exactly ("*", "YYYY", "YYYY-Qn" or "YYYY-MM"), or None."""
    if date_from is None and date_to is None:
        return ALL_DATES
    if date_from is None or date_to is None:
        return None
    first, last = date.fromisoformat(date_from), date.fromisoformat(date_to)
    if first.day != 1 or first.year != last.year or (last + timedelta(days=1)).day != 1:
        return None
    months = last.month - first.month + 1
    if months == 1:
        return date_from[:7]
    if months == 3 and first.month % 3 == 1:
        return f"{first.year}-Q{first.month // 3 + 1}"
    return str(first.year) if months == 12 else None


def period_figures(communes: Communes, period: str) -> list[Select[Any]]:
    """Return the figures of the period in these communes in the shape of `enrolment_figures`' rows.

    Each row: kind, the four grouping columns, person_times, reached, expected, completed,
    enrolled. A trainee has one row per commune, so reached counts rows with marks; by person,
    a trainee with marks in several of the communes is then taken off all but once.
    """
    rows = TraineePeriod
    chosen = and_(rows.period == period, in_communes(rows.commune_id, communes))
    reached = func.sum(case((rows.attended > 0, 1), else_=0))
    sums = (func.sum(rows.attended).label("person_times"), reached.label("reached"),
            func.sum(rows.sessions).label("expected"), func.sum(rows.completed).label("completed"),
            func.sum(rows.enrolled).label("enrolled"))
    person = [rows.gender, rows.ethnicity, rows.birth_year]
    by_person = select(literal("person").label("kind"), *group_keys(person), *sums).where(chosen).group_by(*person)
    twice = (select(literal("person"), *group_keys(person), literal(0), 1 - func.count(), literal(0), literal(0),
                    literal(0))
             .where(chosen, rows.several_communes.is_(True), rows.attended > 0)
             .group_by(*person, rows.trainee_id).having(func.count() > 1))
    by_commune = (select(literal("commune"), *group_keys([rows.commune_id]), *sums).where(chosen)
                  .group_by(rows.commune_id))
    return [by_person, twice, by_commune]
