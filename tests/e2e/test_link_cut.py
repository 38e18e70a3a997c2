"""A 2G link that drops in the middle of a sync: nothing is lost, only unacknowledged ops go again."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import Attendance, OpLog
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser


def test_a_cut_link_loses_nothing_and_resends_only_what_was_not_acknowledged(register: Register,
                                                                             trainer_at_roster: Phone) -> None:
    phone = trainer_at_roster
    trainees = phone.roster_trainees(7)

    phone.go_offline()
    for trainee in trainees[:3]:
        phone.mark(trainee, "Có mặt")
    phone.go_online()
    phone.sync_now()
    phone.expect_pending(0)
    acknowledged = {op for request in register.cutter.sync_requests for op in request}

    phone.go_offline()
    for trainee in trainees[3:]:
        phone.mark(trainee, "Muộn")
    phone.expect_pending(4)
    register.cutter.sync_requests.clear()
    register.cutter.cut_next("before_apply", "after_apply")
    phone.go_online()  # the app syncs by itself when the link comes back: the link fails
    deadline = time.monotonic() + 60
    while register.cutter.plan and time.monotonic() < deadline:
        phone.wait_until_idle()
        if register.cutter.plan:
            phone.sync_now()  # the trainer tries again
            time.sleep(0.2)
    assert register.cutter.plan == [], "both cuts happened"
    phone.wait_until_idle()
    phone.sync_now()
    phone.expect_pending(0)

    new_ops = set(register.cutter.sync_requests[0])
    assert len(new_ops) == 4
    carried = [set(ids) for ids in register.cutter.sync_requests if ids]
    assert len(carried) >= 3, "sent, cut before the server saw it, sent, cut after it applied, sent again"
    assert all(ids == new_ops for ids in carried), "every try carries exactly the unacknowledged ops"
    assert not new_ops & acknowledged, "acknowledged ops are never sent again"

    def server_side() -> tuple[int, dict[str, str]]:
        ops = db.session.scalar(select(func.count()).select_from(OpLog).where(OpLog.device_id.is_not(None)))
        marks = dict(db.session.execute(select(Attendance.trainee_id, Attendance.status)).all())
        return ops, marks

    ops, marks = register.query(server_side)
    assert ops == 7
    expected = {**{t: "present" for t in trainees[:3]}, **{t: "late" for t in trainees[3:]}}
    assert {t: marks[t] for t in trainees} == expected
