"""The attended counts stay equal to a recount of the marks, whatever writes the marks."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import downgrade
from sqlalchemy import delete, select, update

from server.attendance_counts import ALL_DATES, ATTENDED, recount_all
from server.dashboard.counting import attended_in_range
from server.database import init_db
from server.extensions import db
from server.models import (
    Attendance,
    AttendedCount,
    Course,
    CourseSession,
    CourseTally,
    EnrolledTrainee,
    Enrollment,
    RepeatedCheck,
    SkillCheck,
    SkillTally,
    Trainee,
    TraineePeriod,
)
from sync.ids import derived_id
from tests.server.protocol_client import Api, Device, World, op, server_op
from tests.server.test_backup import backup_of, kind_of, new_database, restored  # noqa: F401 (a fixture)
from tests.server.test_trainee_erasure import erase

Counts = dict[tuple[str, str, str], int]


def kept(app: Flask) -> Counts:
    with app.app_context():
        return {(c.course_id, c.trainee_id, c.month): c.attended for c in db.session.scalars(select(AttendedCount))}


def recounted(app: Flask) -> Counts:
    """Count the marks present or late of live sessions straight from the rows, in Python."""
    with app.app_context():
        sessions = {s.id: s for s in db.session.scalars(select(CourseSession))}
        found: Counter[tuple[str, str, str]] = Counter()
        for mark in db.session.scalars(select(Attendance)):
            session = sessions.get(mark.session_id or "")
            if mark.deleted or mark.status not in ATTENDED or not mark.trainee_id or session is None \
                    or session.deleted or not session.course_id:
                continue
            found[(session.course_id, mark.trainee_id, ALL_DATES)] += 1
            if session.date:
                found[(session.course_id, mark.trainee_id, session.date[:7])] += 1
        return dict(found)


def counts_as_a_person(trainee: Trainee) -> bool:
    """Live, or erased at their request while live: their marks still count (docs/privacy.md)."""
    return trainee.merged_into is None and (not trainee.deleted or bool(trainee.erased_while_live))


def tallies(app: Flask) -> dict[str, tuple[int, int]]:
    with app.app_context():
        return {t.course_id: (t.trainees, t.attended) for t in db.session.scalars(select(CourseTally))}


def tallied(app: Flask, counts: Counts) -> dict[str, tuple[int, int]]:
    """Tally each course's live enrolments of counted trainees and their attended marks, in Python."""
    with app.app_context():
        live = {t.id for t in db.session.scalars(select(Trainee)) if counts_as_a_person(t)}
        found: dict[str, tuple[int, int]] = {}
        for e in db.session.scalars(select(Enrollment)):
            if e.course_id and not e.deleted and e.trainee_id in live:
                trainees, attended = found.get(e.course_id, (0, 0))
                found[e.course_id] = (trainees + 1, attended + counts.get((e.course_id, e.trainee_id, ALL_DATES), 0))
        return found


def enrolled(app: Flask) -> dict[tuple[str, str], tuple[object, ...]]:
    with app.app_context():
        return {(e.course_id, e.trainee_id): (e.gender, e.ethnicity, e.birth_year, e.attended)
                for e in db.session.scalars(select(EnrolledTrainee))}


def enrolled_recounted(app: Flask, counts: Counts) -> dict[tuple[str, str], tuple[object, ...]]:
    """List each live enrolment of a counted trainee with the trainee's fields and attended marks, in Python."""
    with app.app_context():
        live = {t.id: t for t in db.session.scalars(select(Trainee)) if counts_as_a_person(t)}
        return {(e.course_id, e.trainee_id): (live[e.trainee_id].gender, live[e.trainee_id].ethnicity,
                                              live[e.trainee_id].birth_year,
                                              counts.get((e.course_id, e.trainee_id, ALL_DATES), 0))
                for e in db.session.scalars(select(Enrollment))
                if e.course_id and not e.deleted and e.trainee_id in live}


def live_checks(app: Flask, enrolled_now: dict[tuple[str, str], tuple[object, ...]]) -> list[SkillCheck]:
    with app.app_context():
        return [check for check in db.session.scalars(select(SkillCheck))
                if not check.deleted and check.skill_code is not None
                and (check.course_id, check.trainee_id) in enrolled_now]


def repeated(app: Flask) -> set[tuple[str, str, str, int | None]]:
    with app.app_context():
        return {(r.trainee_id, r.skill_code, r.course_id, r.level) for r in db.session.scalars(select(RepeatedCheck))}


def repeated_recounted(checks: list[SkillCheck]) -> set[tuple[str, str, str, int | None]]:
    """The live checks of a trainee on a skill they are checked on in more than one course."""
    courses = Counter((c.trainee_id, c.skill_code) for c in checks)
    return {(c.trainee_id or "", c.skill_code or "", c.course_id or "", c.level) for c in checks
            if courses[(c.trainee_id, c.skill_code)] > 1}


def skill_tallies(app: Flask) -> dict[tuple[str, str], tuple[int, int]]:
    with app.app_context():
        return {(t.course_id, t.skill_code): (t.assessed, t.attained) for t in db.session.scalars(select(SkillTally))}


def skill_tallied(checks: list[SkillCheck]) -> dict[tuple[str, str], tuple[int, int]]:
    """Count each course's live checks of its live enrolled trainees per skill, and those at level 2 or more."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for check in checks:
        key = (check.course_id or "", check.skill_code or "")
        assessed, attained = found.get(key, (0, 0))
        found[key] = (assessed + 1, attained + ((check.level or 0) >= 2))
    return found


Periods = dict[tuple[str, str, str], tuple[object, ...]]


def periods(app: Flask) -> Periods:
    with app.app_context():
        return {(p.period, p.commune_id, p.trainee_id): (p.gender, p.ethnicity, p.birth_year, p.attended, p.sessions,
                                                         p.completed, p.enrolled, bool(p.several_communes))
                for p in db.session.scalars(select(TraineePeriod))}


def periods_of(day: str) -> tuple[str, ...]:
    """The standard periods a day is in, besides every date: its year, quarter and month."""
    return day[:4], f"{day[:4]}-Q{(int(day[5:7]) + 2) // 3}", day[:7]


def periods_recounted(app: Flask, counts: Counts, enrolled_now: dict[tuple[str, str], tuple[object, ...]]) -> Periods:
    """Sum each enrolled trainee's enrolments per commune and period with live sessions in it, in Python."""
    with app.app_context():
        communes = {c.id: c.commune_id for c in db.session.scalars(select(Course)) if not c.deleted}
        sessions: dict[str, Counter[str]] = {}
        for s in db.session.scalars(select(CourseSession)):
            if not s.deleted and s.course_id in communes:
                sessions.setdefault(s.course_id, Counter()).update((ALL_DATES, *periods_of(s.date)))
    attended: Counter[tuple[str, str, str]] = Counter()
    for (course, trainee, month), n in counts.items():
        attended[(course, trainee, month)] += n
        if month != ALL_DATES:
            attended.update({(course, trainee, period): n for period in periods_of(month + "-01")[:2]})
    found: dict[tuple[str, str, str], list[object]] = {}
    for (course, trainee), (gender, ethnicity, birth_year, _) in enrolled_now.items():
        for period, held in sessions.get(course, Counter()).items():
            marks = attended[(course, trainee, period)]
            row = found.setdefault((period, communes[course], trainee), [gender, ethnicity, birth_year, 0, 0, 0, 0])
            row[3:] = [row[3] + marks, row[4] + held, row[5] + (marks * 100 >= held * 80), row[6] + 1]  # type: ignore
    places = Counter((trainee, period) for period, _, trainee in found)
    return {key: (*row, places[(key[2], key[0])] > 1) for key, row in found.items()}


def assert_counts_right(app: Flask) -> Counts:
    counts = kept(app)
    assert counts == recounted(app)
    assert tallies(app) == tallied(app, counts)
    enrolled_now = enrolled(app)
    assert enrolled_now == enrolled_recounted(app, counts)
    assert periods(app) == periods_recounted(app, counts, enrolled_now)
    checks = live_checks(app, enrolled_now)
    assert skill_tallies(app) == skill_tallied(checks)
    assert repeated(app) == repeated_recounted(checks)
    return counts


def mark(device: Device, world: World, status: str, trainee: str = "trainee_a", session: str = "session_a",
         kind: str = "upsert") -> dict[str, object]:
    keys = {"session_id": world.ids[session], "trainee_id": world.ids.get(trainee, trainee)}
    if kind == "delete":
        return op(device, "attendance", derived_id("attendance", keys), kind="delete")
    return op(device, "attendance", status=status, **keys)


def applied(api: Api, device: Device, *ops: dict[str, object]) -> None:
    """Push the ops and check each was applied (a conflict is applied too: it only flags a lost write)."""
    acks = api.sync(device, list(ops)).body["acks"]
    assert {a["status"] for a in acks} <= {"applied", "conflict"}, acks


def test_marking_unmarking_and_deleting_keep_the_counts_equal_to_a_recount(world: World, api: Api) -> None:
    trainer = world.device("trainer_a")
    key = (world.ids["course_a"], world.ids["trainee_a"])
    applied(api, trainer, mark(trainer, world, "present"))
    counts = assert_counts_right(world.app)
    assert counts[(*key, "2026-11")] == counts[(*key, ALL_DATES)] == 1
    applied(api, trainer, mark(trainer, world, "absent"))
    assert assert_counts_right(world.app) == {}
    applied(api, trainer, mark(trainer, world, "late"))
    assert assert_counts_right(world.app)[(*key, ALL_DATES)] == 1
    applied(api, trainer, mark(trainer, world, "", kind="delete"))
    assert assert_counts_right(world.app) == {}


def test_a_session_moved_to_another_month_or_deleted_takes_its_counts_along(world: World, api: Api) -> None:
    trainer = world.device("trainer_a")
    applied(api, trainer, mark(trainer, world, "present"))
    applied(api, trainer, op(trainer, "session", world.ids["session_a"], course_id=world.ids["course_a"],
                             date="2026-12-01", start_time="08:00", place="Nhà văn hoá"))
    counts = assert_counts_right(world.app)
    assert (world.ids["course_a"], world.ids["trainee_a"], "2026-12") in counts
    assert (world.ids["course_a"], world.ids["trainee_a"], "2026-11") not in counts
    applied(api, trainer, op(trainer, "session", world.ids["session_a"], kind="delete"))
    assert assert_counts_right(world.app) == {}


def test_a_trainee_merge_moves_the_counts_to_the_survivor(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    twin = str(uuid.uuid4())
    applied(api, trainer,
            op(trainer, "trainee", twin, full_name="Giàng Thị A", commune_id=world.ids["commune_a"]),
            op(trainer, "enrollment", course_id=world.ids["course_a"], trainee_id=twin),
            mark(trainer, world, "present", trainee=twin))
    assert (world.ids["course_a"], twin, ALL_DATES) in assert_counts_right(world.app)
    applied(api, coordinator, op(coordinator, "trainee", twin, merged_into=world.ids["trainee_a"]))
    counts = assert_counts_right(world.app)
    assert set(counts) == {(world.ids["course_a"], world.ids["trainee_a"], month) for month in ("2026-11", ALL_DATES)}


def test_the_period_figures_follow_a_trainee_into_a_second_commune_and_a_course_deleted(
        world: World, api: Api) -> None:
    trainer_b, province = world.device("trainer_b"), world.device("coord_p")
    trainee, course_b = world.ids["trainee_a"], world.ids["course_b"]
    applied(api, province, op(province, "enrollment", course_id=course_b, trainee_id=trainee))
    applied(api, trainer_b, mark(trainer_b, world, "present", trainee="trainee_a", session="session_b"))
    assert_counts_right(world.app)
    rows = periods(world.app)
    assert {(period, commune) for period, commune, who in rows if who == trainee} == {
        (period, world.ids[commune]) for period in (ALL_DATES, "2026", "2026-Q4", "2026-11")
        for commune in ("commune_a", "commune_b")}
    assert rows[(ALL_DATES, world.ids["commune_b"], trainee)][3:] == (1, 1, 1, 1, True)
    applied(api, province, op(province, "course", course_b, kind="delete"))
    assert_counts_right(world.app)
    rows = periods(world.app)
    assert {commune for _, commune, who in rows if who == trainee} == {world.ids["commune_a"]}
    assert rows[(ALL_DATES, world.ids["commune_a"], trainee)][3:] == (0, 1, 0, 1, False)


def test_the_course_tally_follows_enrolments_and_trainees_deleted(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    course, trainee = world.ids["course_a"], world.ids["trainee_a"]
    applied(api, trainer, mark(trainer, world, "present"))
    assert_counts_right(world.app)
    assert tallies(world.app)[course] == (1, 1)
    enrolment = derived_id("enrollment", {"course_id": course, "trainee_id": trainee})
    rev = api.pull_all(trainer)[0][("enrollment", enrolment)]["rev"]
    applied(api, trainer, op(trainer, "enrollment", enrolment, rev, kind="delete"))
    assert_counts_right(world.app)
    assert course not in tallies(world.app)
    applied(api, trainer, op(trainer, "enrollment", course_id=course, trainee_id=trainee))
    assert_counts_right(world.app)
    assert tallies(world.app)[course] == (1, 1)
    rev = api.pull_all(coordinator)[0][("trainee", trainee)]["rev"]
    applied(api, coordinator, op(coordinator, "trainee", trainee, rev, kind="delete"))
    assert_counts_right(world.app)
    assert course not in tallies(world.app)


def check(device: Device, world: World, level: int, course: str = "course_a", trainee: str = "trainee_a",
          skill: str = "vneid") -> dict[str, object]:
    return op(device, "skill_check", course_id=world.ids[course], trainee_id=world.ids[trainee], skill_code=skill,
              level=level)


def test_the_enrolled_rows_follow_the_trainee_and_their_enrolments(world: World, api: Api) -> None:
    coordinator = world.device("coord_p")
    course_a, course_b, trainee = world.ids["course_a"], world.ids["course_b"], world.ids["trainee_a"]
    assert_counts_right(world.app)
    assert enrolled(world.app)[(course_a, trainee)] == ("female", "H'Mông", 1980, 0)
    rev = api.pull_all(coordinator)[0][("trainee", trainee)]["rev"]
    applied(api, coordinator, op(coordinator, "trainee", trainee, rev, gender="male", ethnicity="Dao", birth_year=1990))
    assert_counts_right(world.app)
    applied(api, coordinator, op(coordinator, "enrollment", course_id=course_b, trainee_id=trainee))
    assert_counts_right(world.app)
    rows = enrolled(world.app)
    assert rows[(course_a, trainee)] == rows[(course_b, trainee)] == ("male", "Dao", 1990, 0)


def test_the_skill_tallies_follow_levels_checks_deleted_and_enrolments(world: World, api: Api) -> None:
    trainer = world.device("trainer_a")
    course, trainee = world.ids["course_a"], world.ids["trainee_a"]
    applied(api, trainer, check(trainer, world, 1), check(trainer, world, 3, skill="qr_pay"))
    assert_counts_right(world.app)
    assert skill_tallies(world.app) == {(course, "vneid"): (1, 0), (course, "qr_pay"): (1, 1)}
    applied(api, trainer, check(trainer, world, 2))
    assert_counts_right(world.app)
    assert skill_tallies(world.app)[(course, "vneid")] == (1, 1)
    qr_pay = derived_id("skill_check", {"course_id": course, "trainee_id": trainee, "skill_code": "qr_pay"})
    applied(api, trainer, op(trainer, "skill_check", qr_pay, kind="delete"))
    assert_counts_right(world.app)
    assert set(skill_tallies(world.app)) == {(course, "vneid")}
    enrolment = derived_id("enrollment", {"course_id": course, "trainee_id": trainee})
    rev = api.pull_all(trainer)[0][("enrollment", enrolment)]["rev"]
    applied(api, trainer, op(trainer, "enrollment", enrolment, rev, kind="delete"))
    assert_counts_right(world.app)
    assert skill_tallies(world.app) == {}


def test_a_skill_checked_in_two_courses_is_kept_as_repeated_until_one_check_goes(world: World, api: Api) -> None:
    coordinator = world.device("coord_p")
    course_a, course_b, trainee = world.ids["course_a"], world.ids["course_b"], world.ids["trainee_a"]
    applied(api, coordinator, op(coordinator, "enrollment", course_id=course_b, trainee_id=trainee),
            check(coordinator, world, 1), check(coordinator, world, 3, course="course_b"),
            check(coordinator, world, 2, skill="qr_pay"))
    assert_counts_right(world.app)
    assert repeated(world.app) == {(trainee, "vneid", course_a, 1), (trainee, "vneid", course_b, 3)}
    applied(api, coordinator, check(coordinator, world, 2))
    assert_counts_right(world.app)
    assert (trainee, "vneid", course_a, 2) in repeated(world.app)
    enrolment = derived_id("enrollment", {"course_id": course_b, "trainee_id": trainee})
    rev = api.pull_all(coordinator)[0][("enrollment", enrolment)]["rev"]
    applied(api, coordinator, op(coordinator, "enrollment", enrolment, rev, kind="delete"))
    assert_counts_right(world.app)
    assert repeated(world.app) == set()


def test_an_erasure_keeps_the_counts_and_forgets_the_person(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    applied(api, trainer, mark(trainer, world, "present"), check(trainer, world, 2))
    before = assert_counts_right(world.app)
    tallied_before = tallies(world.app), skill_tallies(world.app)
    assert erase(api, coordinator, world.ids["trainee_a"]).status == 200
    assert assert_counts_right(world.app) == before != {}
    assert (tallies(world.app), skill_tallies(world.app)) == tallied_before
    assert enrolled(world.app)[(world.ids["course_a"], world.ids["trainee_a"])] == (None, None, None, 1)


def test_a_restore_counts_the_restored_marks_again(world: World, api: Api, tmp_path: Path,
                                                   new_database: Callable[[str], Flask]) -> None:  # noqa: F811
    trainer = world.device("trainer_a")
    applied(api, trainer, mark(trainer, world, "present"))
    expected = assert_counts_right(world.app)
    with world.app.app_context():  # counts gone wrong before the backup: the restore must not trust them
        db.session.execute(delete(AttendedCount))
        db.session.commit()
    target = new_database(kind_of(world.app))
    assert "restored" in restored(target, backup_of(world.app, tmp_path / "fieldroll.backup.gz")).output
    assert assert_counts_right(target) == expected != {}


@pytest.mark.parametrize("revision", ["0008", "0009", "0010"])
def test_migrating_counts_the_marks_and_checks_already_there(world: World, api: Api, revision: str) -> None:
    trainer = world.device("trainer_a")
    applied(api, trainer, mark(trainer, world, "present"), check(trainer, world, 2))
    expected = assert_counts_right(world.app)
    tallied_before = skill_tallies(world.app)
    with world.app.app_context():
        downgrade(revision=revision)
        init_db()
    assert assert_counts_right(world.app) == expected != {}
    assert skill_tallies(world.app) == tallied_before != {}


def test_recounting_everything_changes_nothing(world: World, api: Api) -> None:
    trainer = world.device("trainer_a")
    applied(api, trainer, mark(trainer, world, "present"))
    before = assert_counts_right(world.app)
    with world.app.app_context():
        recount_all()
        db.session.commit()
    assert assert_counts_right(world.app) == before


DATES = ("2026-10-31", "2026-11-01", "2026-11-15", "2026-11-30", "2026-12-01")


@pytest.mark.parametrize(("date_from", "date_to"), [
    (None, None), ("2026-11-01", "2026-11-30"), ("2026-11-02", "2026-11-30"), ("2026-11-01", "2026-11-29"),
    ("2026-10-31", "2026-12-01"), ("2026-11-15", "2026-11-15"), (None, "2026-11-15"), ("2026-11-15", None),
    ("2026-11-02", "2026-11-29"), ("2026-12-01", "2026-10-01"), ("2026-10-01", "2026-12-31"),
])
def test_a_range_counts_whole_months_from_the_counts_and_the_days_around_them_from_the_marks(
        world: World, date_from: str | None, date_to: str | None) -> None:
    course, trainee = world.ids["course_a"], world.ids["trainee_a"]
    sessions = {world.new_id(f"day_{day}"): day for day in DATES}
    with world.app.app_context():
        world.seed(*[server_op("session", session_id, course_id=course, date=day, start_time="08:00", place="Nhà")
                     for session_id, day in sessions.items()])
        world.seed(*[server_op("attendance", derived_id("attendance", {"session_id": s, "trainee_id": trainee}),
                               session_id=s, trainee_id=trainee, status="present") for s in sessions])
    expected = sum(1 for day in sessions.values()
                   if (date_from is None or day >= date_from) and (date_to is None or day <= date_to))
    with world.app.app_context():
        found = db.session.execute(select(attended_in_range([course], date_from, date_to))).all()
    assert {(c, t): n for c, t, n in found if n} == ({(course, trainee): expected} if expected else {})


def test_migrating_places_a_session_of_an_impossible_month_as_a_recount_does(world: World, api: Api) -> None:
    """Rows written before the dates were checked: such a session counts over every date only, both ways."""
    trainer = world.device("trainer_a")
    applied(api, trainer, mark(trainer, world, "present"))
    with world.app.app_context():
        db.session.execute(update(CourseSession).where(CourseSession.id == world.ids["session_a"])
                           .values(date="2026-13-01"))
        recount_all()
        db.session.commit()
    recounted_rows = periods(world.app)
    assert {period for period, _, who in recounted_rows if who == world.ids["trainee_a"]} == {ALL_DATES}
    with world.app.app_context():
        downgrade(revision="0010")
        init_db()
    assert periods(world.app) == recounted_rows
