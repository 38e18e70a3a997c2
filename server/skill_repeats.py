"""The skill checks that the figures must not count twice, kept right by recounting per trainee.

The figures count a trainee once per skill over the courses they cover. The courses' kept
tallies (server/attendance_counts.py) count a trainee once per course; a trainee checked on
the same skill in two courses is in two tallies. `repeated_check` holds exactly the checks of
such (trainee, skill) pairs, so the figures read those few rows to take the repeats off.

Like the counts, the rows are never patched: the apply path notes the trainees whose checks,
enrolments or record a batch wrote, and their rows are deleted and selected again from the
checks of their live enrolments, after the courses' counts (which they read) are recounted.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Executable, Select, and_, bindparam, delete, func, insert, select

from server.database import execute_for_ids
from server.models import EnrolledTrainee, RepeatedCheck, SkillCheck

TRAINEES = bindparam("trainees", expanding=True)


def _repeated(trainees: ColumnElement[bool]) -> Select[Any]:
    """Return the live checks of live enrolments, of the trainees matching `trainees`, on a skill checked twice."""
    checks = (select(SkillCheck.trainee_id, SkillCheck.skill_code, SkillCheck.course_id, SkillCheck.level)
              .join(EnrolledTrainee, and_(EnrolledTrainee.course_id == SkillCheck.course_id,
                                          EnrolledTrainee.trainee_id == SkillCheck.trainee_id))
              .where(trainees, SkillCheck.deleted.is_(False), SkillCheck.skill_code.is_not(None)))
    live = checks.subquery("live")
    twice = (select(live.c.trainee_id, live.c.skill_code).group_by(live.c.trainee_id, live.c.skill_code)
             .having(func.count() > 1).subquery("twice"))
    return (select(live.c.trainee_id, live.c.skill_code, live.c.course_id, live.c.level)
            .join(twice, and_(twice.c.trainee_id == live.c.trainee_id, twice.c.skill_code == live.c.skill_code)))


@cache
def _statements(every_trainee: bool) -> tuple[Executable, Executable]:
    """Build once the statements that select again the repeated checks of `:trainees`, or of everyone."""
    kept = RepeatedCheck.trainee_id.is_not(None) if every_trainee else RepeatedCheck.trainee_id.in_(TRAINEES)
    source = SkillCheck.trainee_id.is_not(None) if every_trainee else SkillCheck.trainee_id.in_(TRAINEES)
    return (delete(RepeatedCheck).where(kept),
            insert(RepeatedCheck).from_select(["trainee_id", "skill_code", "course_id", "level"], _repeated(source)))


def recount_repeats(trainee_ids: Iterable[str]) -> None:
    """Select again the repeated checks of these trainees: two statements per 500 trainees."""
    execute_for_ids(_statements, "trainees", trainee_ids)


def recount_all_repeats() -> None:
    """Select every trainee's repeated checks again (after a restore, or to repair them)."""
    execute_for_ids(_statements, "trainees", None)
