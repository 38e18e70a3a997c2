"""A batch reads op_log history only for records that exist: a new record has no applied op to merge with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from server.extensions import db
from tests.server.protocol_client import Api, World, op

HISTORY_READ = "op_log.record_id IN"


@contextmanager
def statements(world: World) -> Iterator[list[str]]:
    """Collect the SQL the server runs meanwhile (the live server shares this process's engine)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    with world.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_new_record_is_applied_without_reading_history(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    mark = op(device, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              status="absent")
    with statements(world) as seen:
        reply = api.sync(device, [mark])
    assert reply.body["acks"] == [{"op_id": mark["op_id"], "status": "applied"}]
    assert not [s for s in seen if HISTORY_READ in s]


def test_an_existing_record_is_merged_with_its_history(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    trainer.skew_ms = 60_000
    session, trainee = world.ids["session_a"], world.ids["trainee_a"]
    api.sync(coordinator, [op(coordinator, "attendance", session_id=session, trainee_id=trainee, status="absent")])
    with statements(world) as seen:
        reply = api.sync(trainer, [op(trainer, "attendance", session_id=session, trainee_id=trainee,
                                      status="present")])
    assert reply.body["acks"][0]["status"] == "conflict"  # it saw the coordinator's mark in the history
    assert [s for s in seen if HISTORY_READ in s]
