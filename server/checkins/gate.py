"""Who may send what through the trainee check-in endpoint: their own confirmation, in their own course."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.extensions import db
from server.models import Enrollment
from server.scope import ScopeGate
from sync.merge import RecordState
from sync.ops import Op


class CheckinGate(ScopeGate):
    """The engine's `Gate` for a trainee's phone: confirmations only, by trainees of the session's course.

    The trainee's phone has no account; the check-in code in each op's proof (checked
    by the view before this) stands for having been at the session.
    """

    def refusal(self, op: Op, current: RecordState | None) -> str | None:
        if op.entity != "confirmation" or op.kind != "upsert":
            return "a check-in carries a trainee's confirmation, nothing else"
        missing = self._missing_reference(op)
        if missing:
            return missing
        fields = {**(current.fields if current else {}), **op.fields}
        session: Any = self.rows.get("session", fields["session_id"])
        if session is None or session.deleted or not self._enrolled(fields["trainee_id"], session.course_id):
            return "this trainee is not enrolled in this session's course"
        return None

    def _enrolled(self, trainee_id: str, course_id: str | None) -> bool:
        found = db.session.scalar(select(Enrollment.id).where(
            Enrollment.course_id == course_id, Enrollment.trainee_id == trainee_id,
            Enrollment.deleted.is_(False)).limit(1))
        return found is not None
