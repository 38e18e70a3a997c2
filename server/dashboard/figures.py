"""The figures a province reports (docs/dashboard.md §2), counted in SQL.

One statement carries the attendance figures, grouped by the trainee's own record (gender,
ethnicity, birth year), whose cells each hold a trainee once, so they add up to the totals and
to every breakdown by person; and grouped by the course's commune. For every date, a calendar
year, quarter or month it reads the kept trainee-period rows (server/dashboard/periods.py);
for another range or a program, the enrolments in range, materialised once
(server/dashboard/counting.py). Python only sums the few hundred cells and names them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Select, case, func, select, union_all

from server.attendance_counts import ATTAINED_LEVEL
from server.dashboard.access import communes_of, live_courses
from server.dashboard.counting import (
    enrolment_figures,
    enrolments,
    rate,
    room_to_count,
    sessions_in_range,
)
from server.dashboard.periods import period_figures, standard_period
from server.database import among
from server.demo_data import local_today
from server.extensions import db
from server.models import Area, Checklist, Course, RepeatedCheck, SkillTally
from server.scope import Actor
from sync.entities import GENDERS

UNKNOWN = "unknown"
GENDER_KEYS = (*GENDERS, UNKNOWN)
AGE_GROUPS = ("<25", "25-39", "40-54", "55+", UNKNOWN)
AGE_GROUP_LOWEST = ((55, "55+"), (40, "40-54"), (25, "25-39"))


@dataclass
class Tally:
    """Attendance figures of one group, summed from query rows."""

    person_times: int = 0
    reached: int = 0
    expected: int = 0
    completed: int = 0
    enrolled: int = 0

    def add(self, row: Any) -> None:
        self.person_times += int(row.person_times or 0)
        self.reached += int(row.reached or 0)
        self.expected += int(row.expected or 0)
        self.completed += int(row.completed or 0)
        self.enrolled += int(row.enrolled or 0)

    def figures(self) -> dict[str, Any]:
        return {"trainees_reached": self.reached, "person_times": self.person_times,
                "attendance_rate": rate(self.person_times, self.expected),
                "completion_rate": rate(self.completed, self.enrolled)}


def figures(actor: Actor, area_id: str | None, date_from: str | None, date_to: str | None,
            program_id: str | None) -> dict[str, Any]:
    """Count the figures of the courses in the area (default: the caller's) with sessions in range."""
    communes = communes_of(actor, area_id)
    sessions = sessions_in_range(live_courses(communes, program_id), date_from, date_to)
    room_to_count()
    end_year = int(date_to[:4]) if date_to else local_today(int(time.time() * 1000)).year
    # The counted courses as a list of ids: their number is exact for the planner, which then
    # reads a commune's enrolments and skill checks by index instead of all the province's.
    per_course = select(sessions.c.course_id, func.count()).group_by(sessions.c.course_id)
    held: dict[str, int] = {course_id: count for course_id, count in db.session.execute(per_course)}
    period = None if program_id else standard_period(date_from, date_to)
    if period is None:
        rows = enrolments(sessions, sorted(held), date_from, date_to)
        counted = [*enrolment_figures(rows, "person", "gender", "ethnicity", "birth_year"),
                   *enrolment_figures(rows, "commune", "commune_id")]
    else:
        counted = period_figures(communes, period)
    totals, by = breakdowns(union_all(*counted), end_year)
    return {"totals": {"courses": len(held), "sessions": sum(held.values()), **totals.figures()},
            "skills": skill_figures(sorted(held)), "by": by}


def age_group(birth_year: int | None, end_year: int) -> str:
    """Name the age group of someone born in `birth_year`, by their age in `end_year`."""
    if birth_year is None:
        return UNKNOWN
    age = end_year - birth_year
    return next((name for lowest, name in AGE_GROUP_LOWEST if age >= lowest), "<25")


def breakdowns(counted: CompoundSelect, end_year: int) -> tuple[Tally, dict[str, list[dict[str, Any]]]]:
    """Return the totals and the breakdowns by commune, gender, ethnicity and age group.

    From one statement, `counted`: rows of kind "person", grouped by the trainee's own record
    (each trainee in one cell, so cells add up to the totals and each breakdown by person), and
    of kind "commune".
    """
    total, communes = Tally(), {}
    groups: dict[str, dict[str, Tally]] = {"gender": {key: Tally() for key in GENDER_KEYS},
                                           "ethnicity": {}, "age_group": {key: Tally() for key in AGE_GROUPS}}
    for row in db.session.execute(counted):
        if row.kind == "commune":
            communes.setdefault(row.commune_id, Tally()).add(row)
            continue
        keys = {"gender": row.gender if row.gender in GENDERS else UNKNOWN,
                "ethnicity": (row.ethnicity or "").strip() or UNKNOWN,
                "age_group": age_group(row.birth_year, end_year)}
        total.add(row)
        for name, key in keys.items():
            groups[name].setdefault(key, Tally()).add(row)
    ethnicities = sorted(groups["ethnicity"], key=lambda key: (key == UNKNOWN, key))
    groups["ethnicity"] = {key: groups["ethnicity"][key] for key in ethnicities}
    by = {"commune": commune_rows(communes)}
    by.update({name: [{"key": key, "label": key, **tally.figures()} for key, tally in tallies.items()]
               for name, tallies in groups.items()})
    return total, by


def commune_rows(communes: dict[str, Tally]) -> list[dict[str, Any]]:
    """Name each commune's figures, by commune name."""
    names = dict(db.session.execute(select(Area.id, Area.name).where(among(Area.id, communes))).all())
    found = [{"key": commune_id, "label": names.get(commune_id) or "", **tally.figures()}
             for commune_id, tally in communes.items()]
    return sorted(found, key=lambda item: (item["label"], item["key"] or ""))


def skill_figures(counted: list[str]) -> list[dict[str, Any]]:
    """Return, per skill, the trainees checked on it and those at the attained level in the courses, by code."""
    counts = skill_counts(counted)
    labels = checklist_labels(counted)
    found = []
    for code in sorted({*counts, *labels} - {""}):
        assessed, reached = counts.get(code, (0, 0))
        label = labels.get(code, {})
        found.append({"code": code, "label_vi": label.get("label_vi"), "label_en": label.get("label_en"),
                      "assessed": assessed, "attained": reached, "rate": rate(reached, assessed)})
    return found


def skill_counts(counted: list[str]) -> dict[str, tuple[int, int]]:
    """Return, per skill code, the trainees checked on it in the courses and those at the attained level.

    Summed from the courses' kept tallies, which count a trainee once per course; a trainee
    checked on a skill in several of the courses is then taken off all but once, from the kept
    repeated checks (server/skill_repeats.py).
    """
    tallied = (select(SkillTally.skill_code, func.sum(SkillTally.assessed), func.sum(SkillTally.attained))
               .where(among(SkillTally.course_id, counted)).group_by(SkillTally.skill_code))
    counts = {code: (int(assessed), int(attained)) for code, assessed, attained in db.session.execute(tallied)}
    for code, assessed, attained in db.session.execute(repeats(counted)):
        before = counts[code]
        counts[code] = (before[0] - int(assessed), before[1] - int(attained))
    return counts


def repeats(counted: list[str]) -> Select[Any]:
    """Return (skill code, checks beyond each trainee's first, attained checks beyond their first) in the courses."""
    attained = func.sum(case((RepeatedCheck.level >= ATTAINED_LEVEL, 1), else_=0))
    twice = (select(RepeatedCheck.skill_code, func.count().label("checks"), attained.label("attained"))
             .where(among(RepeatedCheck.course_id, counted))
             .group_by(RepeatedCheck.skill_code, RepeatedCheck.trainee_id).having(func.count() > 1).subquery("twice"))
    beyond_first = case((twice.c.attained > 1, twice.c.attained - 1), else_=0)
    return (select(twice.c.skill_code, func.sum(twice.c.checks - 1), func.sum(beyond_first))
            .group_by(twice.c.skill_code))


def checklist_labels(courses: list[str]) -> dict[str, dict[str, str]]:
    """Return the label of each item of the checklists of these courses, by skill code."""
    checklists = select(Course.checklist_id).where(among(Course.id, courses))
    query = select(Checklist.items).where(Checklist.id.in_(checklists))
    labels: dict[str, dict[str, str]] = {}
    for items in db.session.scalars(query):
        for item in items or []:
            labels.setdefault(item.get("code", ""), item)
    return labels
