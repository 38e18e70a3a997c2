"""Query parameters and answer bodies of the dashboard's endpoints (docs/dashboard.md §1-§4)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from server.devices.schemas import DeviceInfo
from sync.entities import ATTENDANCE_STATUSES, GENDERS

ID = validate.Length(min=1, max=36)
SEARCH = validate.Length(max=200)


class CoursesQuery(Schema):
    commune_id = fields.String(load_default=None, validate=ID, metadata={
        "description": "an area of the caller's: its communes' courses (a province's, a commune's)"})
    q = fields.String(load_default=None, validate=SEARCH, metadata={"description": "words of the title, accent-blind"})
    program_id = fields.String(load_default=None, validate=ID)


class CourseQuery(Schema):
    q = fields.String(load_default=None, validate=SEARCH, metadata={"description": "words of a trainee's name"})
    gender = fields.String(load_default=None, validate=validate.OneOf((*GENDERS, "unknown")))
    ethnicity = fields.String(load_default=None, validate=SEARCH, metadata={
        "description": "as written, accent- and case-blind; 'unknown' for none"})


class FiguresQuery(Schema):
    area_id = fields.String(load_default=None, validate=ID, metadata={"description": "default: the caller's area"})
    date_from = fields.Date(load_default=None, data_key="from", metadata={"description": "first session date"})
    date_to = fields.Date(load_default=None, data_key="to", metadata={"description": "last session date"})
    program_id = fields.String(load_default=None, validate=ID)

    @post_load
    def as_text(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Keep dates as the ISO text sessions store."""
        for name in ("date_from", "date_to"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


class HealthQuery(Schema):
    stale_days = fields.Integer(load_default=3, validate=validate.Range(min=0, max=365), metadata={
        "description": "a phone not synced for this many days is stale"})


class DuplicatesQuery(Schema):
    commune_id = fields.String(load_default=None, validate=ID, metadata={"description": "default: the caller's area"})


class PreviewQuery(Schema):
    keep = fields.String(required=True, validate=ID, metadata={"description": "the trainee who stays"})
    merge = fields.String(required=True, validate=ID, metadata={"description": "the trainee merged into `keep`"})


def _text(**kw: Any) -> fields.String:
    return fields.String(required=True, allow_none=True, **kw)


def _rate() -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": "0..1, null when nothing to divide"})


class AreaItem(Schema):
    id = fields.String(required=True)
    code, name, kind, parent_id = _text(), _text(), _text(), _text()


class AreaList(Schema):
    areas = fields.List(fields.Nested(AreaItem), required=True)


class CourseSummary(Schema):
    id = fields.String(required=True)
    title, commune_id, commune_name, program_id, program_name = _text(), _text(), _text(), _text(), _text()
    start_date, end_date = _text(), _text()
    trainer_names = fields.List(fields.String(), required=True)
    sessions = fields.Integer(required=True, metadata={"description": "live sessions"})
    trainees = fields.Integer(required=True, metadata={"description": "enrolled trainees"})
    attendance_rate = _rate()


class CourseList(Schema):
    courses = fields.List(fields.Nested(CourseSummary), required=True)


class ChecklistItem(Schema):
    code, label_vi, label_en = _text(), _text(), _text()


class SessionCounts(Schema):
    id = fields.String(required=True)
    date, start_time, place = _text(), _text(), _text()
    present, late, absent, excused = (fields.Integer(required=True) for _ in ATTENDANCE_STATUSES)
    unmarked = fields.Integer(required=True)
    confirmed = fields.Integer(required=True, metadata={"description": "confirmations not failed"})


class CourseTrainee(Schema):
    id = fields.String(required=True)
    full_name, gender, ethnicity, village = _text(), _text(), _text(), _text()
    birth_year = fields.Integer(required=True, allow_none=True)
    attendance = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), required=True,
                             metadata={"description": "session id → status, null when not marked"})
    confirmations = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                                metadata={"description": "session id → verified | unverified | failed"})
    skills = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "skill code → level 0..3"})


class CourseRoster(Schema):
    course = fields.Nested(CourseSummary, required=True)
    checklist = fields.List(fields.Nested(ChecklistItem), required=True)
    sessions = fields.List(fields.Nested(SessionCounts), required=True)
    trainees = fields.List(fields.Nested(CourseTrainee), required=True)


class FigureTotals(Schema):
    courses, sessions, trainees_reached, person_times = (fields.Integer(required=True) for _ in range(4))
    attendance_rate, completion_rate = _rate(), _rate()


class SkillFigure(Schema):
    code = fields.String(required=True)
    label_vi, label_en = _text(), _text()
    assessed = fields.Integer(required=True)
    attained = fields.Integer(required=True)
    rate = _rate()


class GroupFigure(Schema):
    key, label = _text(), _text()
    trainees_reached, person_times = fields.Integer(required=True), fields.Integer(required=True)
    attendance_rate, completion_rate = _rate(), _rate()


class FigureBreakdowns(Schema):
    commune, gender, ethnicity, age_group = (fields.List(fields.Nested(GroupFigure), required=True)
                                             for _ in range(4))


class Figures(Schema):
    totals = fields.Nested(FigureTotals, required=True)
    skills = fields.List(fields.Nested(SkillFigure), required=True)
    by = fields.Nested(FigureBreakdowns, required=True)


class HealthDevice(DeviceInfo):
    stale = fields.Boolean(required=True)


class RejectedItem(Schema):
    op_id, device_id, owner_name, entity = _text(), _text(), _text(), _text()
    reason = fields.String(required=True)
    received_at = fields.DateTime(required=True, format="iso")


class ConflictItem(Schema):
    id = fields.String(required=True)
    rev = fields.Integer(required=True, metadata={"description": "send base_rev ≥ this to resolve it"})
    cause, record_entity, record_id, field = (fields.String(required=True) for _ in range(4))
    winner_value, loser_value = fields.Raw(required=True, allow_none=True), fields.Raw(required=True, allow_none=True)
    winner_op_id, loser_op_id = fields.String(required=True), fields.String(required=True)
    opened_at = fields.DateTime(required=True, format="iso")
    about = fields.String(required=True, metadata={"description": "trainee name · session date, or the like"})


class FieldHealth(Schema):
    devices = fields.List(fields.Nested(HealthDevice), required=True)
    rejected = fields.List(fields.Nested(RejectedItem), required=True)
    conflicts = fields.List(fields.Nested(ConflictItem), required=True)


class TraineeCard(Schema):
    id = fields.String(required=True)
    full_name, gender, ethnicity, village, commune_id, commune_name = (_text() for _ in range(6))
    birth_year = fields.Integer(required=True, allow_none=True)
    courses = fields.Integer(required=True, metadata={"description": "live enrolments"})


class DuplicatePair(Schema):
    a = fields.Nested(TraineeCard, required=True)
    b = fields.Nested(TraineeCard, required=True)
    score = fields.Float(required=True, metadata={"description": "1 - edits / longer folded name"})
    reasons = fields.List(fields.String(), required=True)


class DuplicateList(Schema):
    pairs = fields.List(fields.Nested(DuplicatePair), required=True)


class MergeMoves(Schema):
    enrollment, attendance, skill_check, confirmation = (fields.Integer(required=True) for _ in range(4))


class MergePreview(Schema):
    keep = fields.Nested(TraineeCard, required=True)
    merge = fields.Nested(TraineeCard, required=True)
    moves = fields.Nested(MergeMoves, required=True)
    clashes = fields.Integer(required=True, metadata={"description": "records both have: last writer wins"})
