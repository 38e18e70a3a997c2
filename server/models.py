"""Database models: people and devices, the op log, conflicts, and one table per entity.

Entity tables hold the current state that `sync.merge` derives from the op log;
they are a cache of it, indexed for scoped pulls and reports. Columns are named
exactly as the entity's fields in `sync.entities`, so a state maps onto a row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db

UUID_LEN = 36


def uuid_col(*args: Any, **kw: Any) -> Any:
    return mapped_column(String(UUID_LEN), *args, **kw)


class User(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "app_user"
    id: Mapped[str] = uuid_col(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[str | None] = uuid_col(nullable=True)
    created_at: Mapped[datetime]


class Device(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "device"
    id: Mapped[str] = uuid_col(primary_key=True)
    user_id: Mapped[str] = uuid_col(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(120))
    app_version: Mapped[str | None] = mapped_column(String(40))
    pending_ops: Mapped[int | None]
    enrolled_at: Mapped[datetime]
    last_sync_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class EnrolmentCode(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "enrolment_code"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = uuid_col(ForeignKey("app_user.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    device_id: Mapped[str | None] = uuid_col(nullable=True)


class OpLog(db.Model):  # type: ignore[name-defined,misc]
    """Every applied op, once, forever: the source of truth for every record."""

    __tablename__ = "op_log"
    op_id: Mapped[str] = uuid_col(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    entity: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = uuid_col()
    hlc: Mapped[str] = mapped_column(String(96))
    kind: Mapped[str] = mapped_column(String(10))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_rev: Mapped[int | None] = mapped_column(BigInteger)
    device_id: Mapped[str | None] = uuid_col(nullable=True)
    received_at: Mapped[datetime]
    __table_args__ = (
        Index("ix_op_log_record", "entity", "record_id"),
        Index("ix_op_log_trainee", "trainee_id"),
    )
    # Denormalised so a trainee merge finds every op that points at the trainee at once.
    trainee_id: Mapped[str | None] = uuid_col(nullable=True)


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    """An administrative or security action: who did it, from which device, to what.

    Changes to records are in `op_log` already; this is for what is not an op. `details`
    holds counts and ids only, never a name, phone number or birth year (server/audit.py).
    """

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40))
    # "server" for the `fieldroll` command line; None for a trainee's own phone.
    actor_user_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    actor_device_id: Mapped[str | None] = uuid_col(nullable=True)
    # The person the action is about (a device's or passkey's owner): what scopes coordinators.
    subject_user_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    target_id: Mapped[str | None] = mapped_column(String(1400))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class RejectedOp(db.Model):  # type: ignore[name-defined,misc]
    """A refused op, kept with its reason: nothing a device sent is thrown away."""

    __tablename__ = "rejected_op"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    op_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    device_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class Conflict(db.Model):  # type: ignore[name-defined,misc]
    """Two writes of one field that did not see each other: both values, kept for review.

    Devices pull conflicts like records, so each opening and resolving takes a fresh `rev`
    from the server sequence.
    """

    __tablename__ = "conflict"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    rev: Mapped[int] = mapped_column(BigInteger, index=True)
    entity: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = uuid_col()
    field: Mapped[str] = mapped_column(String(40))
    loser_op_id: Mapped[str] = uuid_col()
    winner_op_id: Mapped[str] = uuid_col()
    winner_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    loser_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    opened_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    # "merge": two writes of one field (kept by the merge rules); "confirmation": a trainer's
    # "absent" against a trainee's verified confirmation (kept by server/checkins/review.py).
    cause: Mapped[str] = mapped_column(String(20), default="merge", server_default="merge")
    __table_args__ = (
        UniqueConstraint("entity", "record_id", "field", "loser_op_id", name="uq_conflict"),
        Index("ix_conflict_record", "entity", "record_id"),
        # Field health lists the open ones, oldest first, among every conflict ever resolved.
        Index("ix_conflict_open", "opened_at", "id", postgresql_where=text("resolved_at IS NULL"),
              sqlite_where=text("resolved_at IS NULL")),
    )


class Revision(db.Model):  # type: ignore[name-defined,misc]
    """The server's sequence counter and greatest accepted HLC: one row, changed under the write lock."""

    __tablename__ = "revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    hlc: Mapped[str | None] = mapped_column(String(96))


class RecordMixin:
    id: Mapped[str] = uuid_col(primary_key=True)
    rev: Mapped[int] = mapped_column(BigInteger, index=True)
    deleted: Mapped[bool] = mapped_column(default=False)
    hlc: Mapped[str] = mapped_column(String(96))
    origin_user_id: Mapped[str | None] = uuid_col(nullable=True)


class Area(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "area"
    code: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[str | None] = uuid_col(nullable=True, index=True)


class Program(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "program"
    name: Mapped[str | None] = mapped_column(String(200))


class Checklist(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "checklist"
    program_id: Mapped[str | None] = uuid_col(nullable=True)
    version: Mapped[int | None]
    title: Mapped[str | None] = mapped_column(String(200))
    items: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)


class Course(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "course"
    program_id: Mapped[str | None] = uuid_col(nullable=True)
    commune_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    trainer_ids: Mapped[list[str] | None] = mapped_column(JSON)
    checklist_id: Mapped[str | None] = uuid_col(nullable=True)
    start_date: Mapped[str | None] = mapped_column(String(10))
    end_date: Mapped[str | None] = mapped_column(String(10))


class CourseTrainer(db.Model):  # type: ignore[name-defined,misc]
    """Who trains which course, kept in step with `course.trainer_ids` for scoped queries."""

    __tablename__ = "course_trainer"
    course_id: Mapped[str] = uuid_col(primary_key=True)
    user_id: Mapped[str] = uuid_col(primary_key=True, index=True)


class CourseSession(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "session"
    course_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    date: Mapped[str | None] = mapped_column(String(10))
    start_time: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str | None] = mapped_column(String(200))


class Trainee(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "trainee"
    full_name: Mapped[str | None] = mapped_column(String(200))
    commune_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    gender: Mapped[str | None] = mapped_column(String(10))
    birth_year: Mapped[int | None]
    ethnicity: Mapped[str | None] = mapped_column(String(200))
    village: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(200))
    cooperative: Mapped[str | None] = mapped_column(String(200))
    consent: Mapped[bool | None]
    merged_into: Mapped[str | None] = uuid_col(nullable=True)
    # Set when the trainee's personal fields were erased at their request; the record is closed.
    erased_at: Mapped[datetime | None]
    # Whether the record was live when erased: then it still counts in the figures (docs/privacy.md).
    erased_while_live: Mapped[bool | None]


class Enrollment(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "enrollment"
    course_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    trainee_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    __table_args__ = (UniqueConstraint("course_id", "trainee_id", name="uq_enrollment"),)


class Attendance(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "attendance"
    session_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    trainee_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    status: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("session_id", "trainee_id", name="uq_attendance"),
        # The marks the dashboard counts, readable from the index alone (migration 0008).
        Index("ix_attendance_attended", "session_id", "trainee_id",
              postgresql_where=text("deleted IS false AND status IN ('present', 'late')"),
              sqlite_where=text("deleted IS 0 AND status IN ('present', 'late')")),
    )


class AttendedCount(db.Model):  # type: ignore[name-defined,misc]
    """Live marks present or late of live sessions, per course, trainee and month of the session.

    Kept by the apply path (server/attendance_counts.py) in the transaction that writes the
    marks, so the dashboard sums a few rows per enrolment instead of reading every mark.
    `month` is "YYYY-MM", or ALL_DATES ("*") for the enrolment's total over every date.
    """

    __tablename__ = "attended_count"
    course_id: Mapped[str] = uuid_col(primary_key=True)
    trainee_id: Mapped[str] = uuid_col(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    attended: Mapped[int]


class CourseTally(db.Model):  # type: ignore[name-defined,misc]
    """A course's live enrolments of live trainees and their attended marks, for the course list.

    Kept with `AttendedCount`, from which `attended` is summed; a course without a row has none.
    """

    __tablename__ = "course_tally"
    course_id: Mapped[str] = uuid_col(primary_key=True)
    trainees: Mapped[int]
    attended: Mapped[int]


class EnrolledTrainee(db.Model):  # type: ignore[name-defined,misc]
    """A live enrolment of a counted trainee (live, or erased while live), with what the figures group it by.

    Kept with `AttendedCount` (server/attendance_counts.py), so the figures read one narrow row
    per enrolment instead of joining enrolments, trainees and counts: the trainee's gender,
    ethnicity and birth year, and their attended marks in the course over every date.
    """

    __tablename__ = "enrolled_trainee"
    course_id: Mapped[str] = uuid_col(primary_key=True)
    trainee_id: Mapped[str] = uuid_col(primary_key=True)
    gender: Mapped[str | None] = mapped_column(String(10))
    ethnicity: Mapped[str | None] = mapped_column(String(200))
    birth_year: Mapped[int | None]
    attended: Mapped[int]

    __table_args__ = (Index("ix_enrolled_trainee_trainee", "trainee_id"),)


class SkillTally(db.Model):  # type: ignore[name-defined,misc]
    """Per course and skill code: its live enrolled trainees with a live check, and those at the attained level.

    Kept with `EnrolledTrainee`; a trainee counts once per course (one check per course, trainee
    and skill).
    """

    __tablename__ = "skill_tally"
    course_id: Mapped[str] = uuid_col(primary_key=True)
    skill_code: Mapped[str] = mapped_column(String(200), primary_key=True)
    assessed: Mapped[int]
    attained: Mapped[int]


class RepeatedCheck(db.Model):  # type: ignore[name-defined,misc]
    """A live check of a live enrolled trainee on a skill they are checked on in another course too.

    Kept per trainee by the apply path (server/skill_repeats.py). The figures count a trainee
    once per skill: they sum the courses' `SkillTally` and take off the repeats read from here,
    a few rows, instead of counting distinct trainees over every check of a province.
    """

    __tablename__ = "repeated_check"
    trainee_id: Mapped[str] = uuid_col(primary_key=True)
    skill_code: Mapped[str] = mapped_column(String(200), primary_key=True)
    course_id: Mapped[str] = uuid_col(primary_key=True)
    level: Mapped[int | None]


class TraineePeriod(db.Model):  # type: ignore[name-defined,misc]
    """A counted trainee's figures in one commune over one standard period: all dates, a year, a quarter, a month.

    Kept per trainee by the apply path (server/period_figures.py), from their `EnrolledTrainee`
    rows in live courses with live sessions in the period. The province's figures for a
    standard period read one row per trainee instead of one per enrolment joined to its
    course's sessions. `period` is "*", "YYYY", "YYYY-Qn" or "YYYY-MM"; `several_communes`
    marks a trainee with rows in more than one commune for the period, whom "trainees
    reached" must not count twice.
    """

    __tablename__ = "trainee_period"
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    commune_id: Mapped[str] = uuid_col(primary_key=True)
    trainee_id: Mapped[str] = uuid_col(primary_key=True)
    gender: Mapped[str | None] = mapped_column(String(10))
    ethnicity: Mapped[str | None] = mapped_column(String(200))
    birth_year: Mapped[int | None]
    attended: Mapped[int]  # marks present or late
    sessions: Mapped[int]  # Σ over the trainee's enrolments of their course's sessions in the period
    completed: Mapped[int]  # enrolments attended at the completion share or more
    enrolled: Mapped[int]  # enrolments in a course with sessions in the period
    several_communes: Mapped[bool]

    # PostgreSQL reads a period's rows from this index alone; rows are written trainee by trainee,
    # so reading them from the table would visit most of its pages for each period.
    __table_args__ = (Index("ix_trainee_period_trainee", "trainee_id"),
                      Index("ix_trainee_period_figures", "period", "commune_id", postgresql_include=[
                          "trainee_id", "gender", "ethnicity", "birth_year", "attended", "sessions", "completed",
                          "enrolled", "several_communes"], info={"only_on": "postgresql"}).ddl_if(dialect="postgresql"))


class SkillCheck(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "skill_check"
    course_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    trainee_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    skill_code: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("course_id", "trainee_id", "skill_code", name="uq_skill_check"),
    )


class Confirmation(RecordMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "confirmation"
    session_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    trainee_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    method: Mapped[str | None] = mapped_column(String(20))
    proof: Mapped[Any] = mapped_column(JSON, nullable=True)
    # The server's verdict on the proof of the op that currently wins this record; no
    # device writes these: "verified", "unverified" or "failed", and why it failed.
    verification: Mapped[str | None] = mapped_column(String(12))
    verification_reason: Mapped[str | None] = mapped_column(Text)


class ConfirmationCheck(db.Model):  # type: ignore[name-defined,misc]
    """The server's verdict on one confirmation op's proof, made when the op first arrived."""

    __tablename__ = "confirmation_check"
    op_id: Mapped[str] = uuid_col(primary_key=True)
    confirmation_id: Mapped[str] = uuid_col(index=True)
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    credential_id: Mapped[str | None] = mapped_column(String(1400))
    # SHA-256 of the assertion's signature: the same signature under another op is a replay.
    assertion_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    checked_at: Mapped[datetime]


class Passkey(db.Model):  # type: ignore[name-defined,misc]
    """A WebAuthn credential: a trainer's or coordinator's to sign in, or a trainee's to confirm."""

    __tablename__ = "passkey"
    credential_id: Mapped[str] = mapped_column(String(1400), primary_key=True)
    user_id: Mapped[str | None] = uuid_col(ForeignKey("app_user.id"), nullable=True, index=True)
    trainee_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    public_key: Mapped[str] = mapped_column(Text)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebAuthnCeremony(db.Model):  # type: ignore[name-defined,misc]
    """A challenge handed out for one registration or sign-in, used at most once.

    Kept in the database, not in a cookie session, so any gunicorn worker or machine
    can finish a ceremony another one began.
    """

    __tablename__ = "webauthn_ceremony"
    id: Mapped[str] = uuid_col(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    challenge: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str | None] = uuid_col(nullable=True)
    trainee_id: Mapped[str | None] = uuid_col(nullable=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RateLimitHit(db.Model):  # type: ignore[name-defined,misc]
    """How many requests one client address made to one guarded action in one fixed window.

    Counted in the database, not in a worker's memory, so the limit holds across gunicorn
    workers and machines. Rows of ended windows are deleted as new windows begin.
    """

    __tablename__ = "rate_limit_hit"
    action: Mapped[str] = mapped_column(String(40), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start_s: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    window_end_s: Mapped[int] = mapped_column(BigInteger, index=True)
    hits: Mapped[int] = mapped_column(BigInteger)


ENTITY_MODELS: dict[str, type[RecordMixin]] = {
    "area": Area,
    "program": Program,
    "checklist": Checklist,
    "course": Course,
    "session": CourseSession,
    "trainee": Trainee,
    "enrollment": Enrollment,
    "attendance": Attendance,
    "skill_check": SkillCheck,
    "confirmation": Confirmation,
}


class PushSubscription(db.Model):  # type: ignore[name-defined,misc]
    """A browser's Web Push subscription: where to send, its keys, and which topics it asked for.

    Keyed by a digest of the push service's endpoint URL, so the same browser subscribing
    again replaces its row instead of adding one.
    """

    __tablename__ = "push_subscription"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    endpoint: Mapped[str] = mapped_column(Text)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str] = uuid_col(ForeignKey("app_user.id"), index=True)
    device_id: Mapped[str | None] = uuid_col(nullable=True, index=True)
    topics: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    # The last time a push went out: at most one per PUSH_MIN_INTERVAL_S.
    last_sent_at: Mapped[datetime | None]
