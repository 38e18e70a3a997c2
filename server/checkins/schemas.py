"""Request and answer bodies of the trainee check-in endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.sync_api.schemas import AckSchema

# A trainee's phone holds a handful of confirmations at most: one per session it missed sending.
MAX_CHECKIN_OPS = 20


class RosterQuery(Schema):
    token = fields.String(required=True, validate=validate.Length(max=100), metadata={
        "description": "the check-in code the trainer's phone shows now"})


class RosterSession(Schema):
    id = fields.String(required=True)
    course_id = fields.String(required=True, allow_none=True)
    date = fields.String(required=True, allow_none=True)
    start_time = fields.String(required=True, allow_none=True)
    place = fields.String(required=True, allow_none=True)
    course_title = fields.String(required=True, allow_none=True)


class RosterTrainee(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    birth_year_check = fields.String(required=True, allow_none=True, metadata={
        "description": "sync.checkin.birth_year_check: 8 hex chars; null when the roster has no birth year"})


class CourseSessionSummary(Schema):
    id = fields.String(required=True)
    date = fields.String(required=True, allow_none=True)
    start_time = fields.String(required=True, allow_none=True)
    place = fields.String(required=True, allow_none=True)


class RosterResponse(Schema):
    session = fields.Nested(RosterSession, required=True)
    course_sessions = fields.List(fields.Nested(CourseSessionSummary), required=True)
    trainees = fields.List(fields.Nested(RosterTrainee), required=True)


class CheckinRequest(Schema):
    ops = fields.List(fields.Raw(allow_none=True), required=True, validate=validate.Length(
        max=MAX_CHECKIN_OPS, error=f"at most {MAX_CHECKIN_OPS} ops per check-in"), metadata={
        "description": "confirmation ops, as a sync sends them (docs/checkin.md §2)"})


class CheckinResponse(Schema):
    acks = fields.List(fields.Nested(AckSchema), required=True)
