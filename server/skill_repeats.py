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

from sqlalchemy import ColumnElement, and_, delete, func, insert, select

from server.extensions import db
from server.models import EnrolledTrainee, RepeatedCheck, SkillCheck

CHUNK = 500


def _repeated(trainees: ColumnElement[bool]) -> object:
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


def _replace(trainee_ids: list[str] | None) -> None:
    kept = RepeatedCheck.trainee_id.is_not(None) if trainee_ids is None else RepeatedCheck.trainee_id.in_(trainee_ids)
    db.session.execute(delete(RepeatedCheck).where(kept).execution_options(synchronize_session=False))
    source = SkillCheck.trainee_id.is_not(None) if trainee_ids is None else SkillCheck.trainee_id.in_(trainee_ids)
    db.session.execute(insert(RepeatedCheck).from_select(
        ["trainee_id", "skill_code", "course_id", "level"], _repeated(source)))


def recount_repeats(trainee_ids: Iterable[str]) -> None:
    """Select again the repeated checks of these trainees: two statements per 500 trainees."""
    wanted = sorted(set(trainee_ids))
    for start in range(0, len(wanted), CHUNK):
        _replace(wanted[start:start + CHUNK])


def recount_all_repeats() -> None:
    """Select every trainee's repeated checks again (after a restore, or to repair them)."""
    _replace(None)
