"""A coordinator answers a trainee's request: a copy of their data, or erasing it."""

from __future__ import annotations

import json

from flask import Blueprint, Response, g
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from server import audit
from server.compression import json_response
from server.dashboard.access import communes_of, in_communes, manager
from server.database import begin_write
from server.devices.tokens import require_device
from server.errors import ApiError
from server.extensions import db
from server.models import Trainee
from server.scope import Actor
from server.trainees.erasure import erase_trainee
from server.trainees.subject_copy import subject_copy

bp = Blueprint("trainees", __name__, url_prefix="/api/v1")


@bp.get("/trainees/<trainee_id>/data-copy")
@require_device
def data_copy(trainee_id: str) -> ResponseReturnValue:
    """Download everything kept about one trainee of the caller's area, as a JSON file."""
    trainee = _trainee_of_area(manager(g.user), trainee_id)
    body = json.dumps(subject_copy(trainee), ensure_ascii=False, indent=1, default=str).encode()
    begin_write()
    audit.record("trainee.data_copied", g.user.id, target_id=trainee.id)
    db.session.commit()
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="trainee-{trainee.id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/trainees/<trainee_id>/erasure")
@require_device
def erase(trainee_id: str) -> ResponseReturnValue:
    """Erase one trainee's personal data everywhere the server keeps it; the counts stay."""
    trainee = _trainee_of_area(manager(g.user), trainee_id)
    return json_response(erase_trainee(manager(g.user), g.device.id, trainee))


def _trainee_of_area(actor: Actor, trainee_id: str) -> Trainee:
    """Return a trainee (live, merged away or erased) of a commune in the caller's area, or answer 404."""
    trainee: Trainee | None = db.session.scalar(select(Trainee).where(
        Trainee.id == trainee_id, in_communes(Trainee.commune_id, communes_of(actor, None))))
    if trainee is None:
        raise ApiError(404, "unknown_trainee", "no trainee with this id in your area")
    return trainee
