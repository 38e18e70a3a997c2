"""Id guessing, read and write: a trainer reaching for another trainer's course, a commune
coordinator for another commune. Each gets the answer a made-up id gets, byte for byte, so an
answer never tells that the record exists; nothing changes; no name or phone leaks."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from flask import Flask

from server.extensions import db
from server.models import Attendance, Enrollment, SkillCheck, Trainee
from tests.server.dashboard_register import record_id
from tests.server.hostile.conftest import commune_b_secrets, leaked, table_counts
from tests.server.protocol_client import Device, World, op, server_op

MADE_UP = "0196f3a0-0000-7000-8000-00000000beef"
PHONE_B = "0912345678"


@pytest.fixture
def secrets_b(register: World) -> list[str]:
    """Commune B's trainees' names, and a phone number given to one of them."""
    with register.app.app_context():  # a server op takes its clock from the database
        register.seed(server_op("trainee", register.ids["T7"], phone=PHONE_B))
    return [*commune_b_secrets(), PHONE_B]


def get(app: Flask, phone: Device, path: str) -> Any:
    return app.test_client().get(path, headers={"Authorization": f"Bearer {phone.token}"})


def post(app: Flask, phone: Device, path: str, **kwargs: Any) -> Any:
    return app.test_client().post(path, headers={"Authorization": f"Bearer {phone.token}"}, **kwargs)


def answer(reply: Any) -> tuple[int, bytes]:
    return reply.status_code, reply.get_data()


def _reads(other: str) -> list[str]:
    """Read paths naming `other` where an id of commune B goes (its course K3 or session S8 or area B)."""
    return [f"/api/v1/courses/{other}", f"/api/v1/exports/roster.csv?course_id={other}",
            f"/api/v1/exports/roster.xlsx?course_id={other}",
            f"/api/v1/exports/attendance-sheet.pdf?session_id={other}",
            f"/api/v1/courses?commune_id={other}", f"/api/v1/figures?area_id={other}",
            f"/api/v1/exports/figures.csv?area_id={other}", f"/api/v1/exports/figures.xlsx?area_id={other}",
            f"/api/v1/duplicates?commune_id={other}"]


def test_a_commune_coordinator_reading_another_commune_gets_what_a_made_up_id_gets(
        register: World, app: Flask, phones: dict[str, Device], secrets_b: list[str]) -> None:
    coord_a, ids = phones["coord_a"], register.ids
    before = table_counts(app)
    for real_id in (ids["K3"], ids["S8"], ids["B"], ids["S5"]):  # S5: a deleted session of A's own course
        for real_path, made_up_path in zip(_reads(real_id), _reads(MADE_UP), strict=True):
            real, made_up = get(app, coord_a, real_path), get(app, coord_a, made_up_path)
            assert real.status_code in (400, 404), real_path
            assert answer(real) == answer(made_up), real_path
    preview = get(app, coord_a, f"/api/v1/duplicates/preview?keep={ids['T1']}&merge={ids['T9']}")
    assert answer(preview) == answer(get(app, coord_a, f"/api/v1/duplicates/preview?keep={ids['T1']}&merge={MADE_UP}"))
    assert table_counts(app) == before
    for path in ("/api/v1/areas", "/api/v1/courses", "/api/v1/figures", "/api/v1/health", "/api/v1/duplicates",
                 "/api/v1/devices", "/api/v1/audit", "/api/v1/exports/figures.csv",
                 f"/api/v1/exports/roster.csv?course_id={ids['K1']}"):
        reply = get(app, coord_a, path)
        assert reply.status_code == 200 and not leaked(reply.get_data(), secrets_b), path


def test_a_commune_coordinator_cannot_act_on_another_communes_people(
        register: World, app: Flask, phones: dict[str, Device], secrets_b: list[str]) -> None:
    coord_a, ids = phones["coord_a"], register.ids
    before = table_counts(app)
    for real, made_up in ((f"/api/v1/devices/{phones['coord_b'].id}/revoke", f"/api/v1/devices/{MADE_UP}/revoke"),
                          (f"/api/v1/users/{ids['coord_b']}/enrolment-codes",
                           f"/api/v1/users/{MADE_UP}/enrolment-codes"),
                          (f"/api/v1/users/{ids['trainer_b']}/enrolment-codes",
                           f"/api/v1/users/{MADE_UP}/enrolment-codes")):
        guessed = post(app, coord_a, real)
        assert guessed.status_code == 404 and answer(guessed) == answer(post(app, coord_a, made_up)), real
    records = _b_records(app)
    for trainee in (ids["T7"], ids["T9"]):  # trainees of B: neither copied out nor erased
        copy = get(app, coord_a, f"/api/v1/trainees/{trainee}/data-copy")
        assert copy.status_code == 404
        assert answer(copy) == answer(get(app, coord_a, f"/api/v1/trainees/{MADE_UP}/data-copy"))
        erased = post(app, coord_a, f"/api/v1/trainees/{trainee}/erasure")
        assert erased.status_code == 404
        assert answer(erased) == answer(post(app, coord_a, f"/api/v1/trainees/{MADE_UP}/erasure"))
    assert _b_records(app) == records
    listed = get(app, coord_a, "/api/v1/devices").get_json()["devices"]
    assert {d["owner"]["id"] for d in listed} == {ids["trainer_a"], ids["coord_a"]}
    csv = "Họ và tên,Năm sinh,Xã\nLò Văn Đức,1992,Bản Hồ\n".encode()
    for course in (ids["K3"], MADE_UP):
        reply = post(app, coord_a, f"/api/v1/imports?dry_run=0&course_id={course}",
                     data={"file": (io.BytesIO(csv), "ds.csv")}, content_type="multipart/form-data")
        assert (reply.status_code, reply.get_json()["error"]["code"]) == (404, "unknown_course")
    assert table_counts(app) == before
    assert post(app, phones["coord_b"], "/api/v1/sync").status_code == 400  # coord_b's phone still works


def _b_records(app: Flask) -> tuple[Any, ...]:
    """The state of commune B's records, to compare before and after an attack."""
    with app.app_context():
        rows = [db.session.query(model).order_by(model.id).all()
                for model in (Trainee, Attendance, Enrollment, SkillCheck)]
        return tuple((type(r).__name__, r.id, tuple(sorted((k, repr(v)) for k, v in vars(r).items()
                                                          if not k.startswith("_"))))
                     for group in rows for r in group)


def test_a_trainer_pushing_into_another_trainers_course_changes_nothing(
        register: World, app: Flask, phones: dict[str, Device], secrets_b: list[str]) -> None:
    trainer, ids = phones["trainer_a"], register.ids
    mark_id = record_id(register, "attendance", ("S8", "T7"))
    attacks = [
        op(trainer, "skill_check", course_id=ids["K3"], trainee_id=ids["T7"], skill_code="vneid", level=0),
        op(trainer, "enrollment", course_id=ids["K3"], trainee_id=ids["T1"]),
        op(trainer, "enrollment", record_id(register, "enrollment", ("K3", "T8")), kind="delete"),
        op(trainer, "session", ids["S8"], place="Ở nhà"),
        op(trainer, "session", ids["S9"], kind="delete"),
        op(trainer, "session", str(uuid.uuid4()), course_id=ids["K3"], date="2026-03-30"),
        op(trainer, "attendance", mark_id, kind="delete"),
        op(trainer, "attendance", mark_id, base_rev=1, session_id=ids["S8"], trainee_id=ids["T7"], status="absent"),
        op(trainer, "trainee", ids["T7"], merged_into=ids["T1"]),
        op(trainer, "trainee", ids["T8"], kind="delete"),
        op(trainer, "course", ids["K3"], kind="delete"),
    ]
    before, records = table_counts(app), _b_records(app)
    reply = post(app, trainer, "/api/v1/sync", json={"protocol": 1, "device_id": trainer.id, "ops": attacks})
    acks = reply.get_json()["acks"]
    assert [a["status"] for a in acks] == ["rejected"] * len(attacks), acks
    assert not leaked(reply.get_data(), secrets_b)
    after = table_counts(app)
    assert {t: after[t] - before[t] for t in after if after[t] != before[t]} == {"rejected_op": len(attacks)}
    assert _b_records(app) == records
    pulled = post(app, trainer, "/api/v1/sync", json={"protocol": 1, "device_id": trainer.id, "pull_limit": 2000})
    changes = pulled.get_json()["changes"]
    b_ids = {ids[k] for k in ("K3", "S8", "S9", "T7", "T8", "T9")} | {mark_id}  # areas are everyone's
    assert {(c["entity"], c["id"]) for c in changes if c["id"] in b_ids} == set() and not pulled.get_json()["more"]
    assert not leaked(pulled.get_data(), secrets_b)


def test_a_trainer_asking_the_office_for_another_course_gets_what_their_own_course_gets(
        register: World, app: Flask, phones: dict[str, Device], secrets_b: list[str]) -> None:
    trainer, ids = phones["trainer_a"], register.ids
    for other, own in ((ids["K3"], ids["K1"]), (ids["S8"], ids["S1"]), (ids["B"], ids["A"])):
        for other_path, own_path in zip(_reads(other), _reads(own), strict=True):
            reply = get(app, trainer, other_path)
            assert (reply.status_code, reply.get_json()["error"]["code"]) == (403, "not_a_coordinator")
            assert answer(reply) == answer(get(app, trainer, own_path))
            assert not leaked(reply.get_data(), secrets_b)
    before = table_counts(app)
    other_and_own = (ids["T7"], ids["T1"])
    copies = [get(app, trainer, f"/api/v1/trainees/{t}/data-copy") for t in other_and_own]
    erasures = [post(app, trainer, f"/api/v1/trainees/{t}/erasure") for t in other_and_own]
    for pair in (copies, erasures):
        assert (pair[0].status_code, answer(pair[0])) == (403, answer(pair[1]))
    assert table_counts(app) == before
