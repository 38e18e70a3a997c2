"""The trainee check-in endpoints: no device token; a check-in code stands for being at the session."""

from __future__ import annotations

import time

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE

from server.checkins.intake import receive_confirmations
from server.checkins.roster import current_session, roster
from server.checkins.schemas import CheckinRequest, CheckinResponse, RosterQuery, RosterResponse
from server.compression import json_response
from server.extensions import db
from server.rate_limits import rate_limited
from server.validation import load_json, validate_body

bp = Blueprint("checkins", __name__, url_prefix="/api/v1")


@bp.get("/checkins/roster")
@rate_limited("checkin")
def checkin_roster() -> ResponseReturnValue:
    """List the session's trainees for a current check-in code, so a trainee can pick their name."""
    # Other query parameters (a cache-buster, say) are no concern of the roster's.
    query = validate_body(RosterQuery(unknown=EXCLUDE), request.args.to_dict())
    session = current_session(query["token"], int(time.time() * 1000))
    return json_response(RosterResponse().dump(roster(session)))


@bp.post("/checkins")
@rate_limited("checkin")
def post_checkins() -> ResponseReturnValue:
    """Apply confirmations sent by a trainee's own phone; commit before answering."""
    body = load_json(CheckinRequest(), request)
    acks = receive_confirmations(body["ops"])
    db.session.commit()
    return json_response(CheckinResponse().dump({"acks": [ack.to_wire() for ack in acks]}))
