"""The outbox-file endpoint: a coordinator uploads a trainer's saved outbox; it applies as that phone's sync."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue

from server.compression import json_response
from server.devices.tokens import require_device
from server.outbox_files.importer import import_outbox
from server.outbox_files.schemas import OutboxImportResponse
from server.scope import actor_for
from server.validation import read_body

bp = Blueprint("outbox_files", __name__, url_prefix="/api/v1")


@bp.post("/outbox-files")
@require_device
def import_outbox_file() -> ResponseReturnValue:
    """Apply a saved outbox file, with one ack per op as its own phone's sync would get."""
    imported = import_outbox(read_body(request), actor_for(g.user))
    return json_response(OutboxImportResponse().dump(imported.to_wire()))
