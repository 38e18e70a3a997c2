"""A small register whose every figure was counted by hand (tests/server/test_dashboard_figures.py).

Lào Cai province, communes Bản Hồ (A) and Tả Van (B). March 2026 is the range the figures
tests ask for; sessions in April and May, and a deleted one, lie outside it.

    K1 "Dịch vụ công trực tuyến" (A, program DS, checklist CL): S1 03-02, S2 03-09, S3 03-16,
       S4 05-01 (out of range), S5 03-20 (deleted)
    K2 "Bán hàng qua livestream" (A, program LS, no checklist): S6 03-05, S7 04-02 (out of range)
    K3 "Thanh toán QR" (B, program DS, checklist CL): S8 03-03, S9 03-10

    trainee                 commune gender  born  ethnicity  enrolled in
    T1 Giàng Thị Mai        A       female  2000  H'Mông     K1, K2
    T2 Lò Văn Tiến          A       male    1960  Thái       K1, K2
    T3 Hoàng Thị Thu        A       female  1985  Tày        K1 (K2: enrolment deleted)
    T4 Sùng A Páo           A       -       -     ""         K1 (K2: through T6's merge)
    T5 Giang Thi May        A       female  2000  H'Mông     - (T1's likely duplicate)
    T6 Vàng Thị Dợ          A       female  1990  Dao        K2, then merged into T4
    T7 Lý Thị Chài          B       female  2005  Dao        K3
    T8 Thào A Chứ           B       male    1975  H'Mông     K3
    T9 Giàng Thi Mai        B       female  2000  H'Mông     - (T1's name, another commune)
    T10 Ma Văn Deleted      A       male    1990  Tày        K1, then the trainee is deleted

    marks (P present, L late, A absent, E excused, x deleted mark, - none)
         S1 S2 S3 S4 | S5(deleted) || S6 S7 || S8 S9
    T1   P  P  L  P  | P           || P  P  ||
    T2   A  x  P  -  |             || A  -  ||
    T3   P  E  P  -  |             || P(enrolment deleted)
    T4   L  A  -  -  |             || P(T6's, moved by the merge)
    T7                                          P  P
    T8                                          L  A
    T10  P (trainee deleted)

    skills (level): T1 K1 vneid 3, qr_pay 1; T1 K2 vneid 1; T2 K1 vneid 2; T3 K1 scam 2 (deleted);
    T4 K1 qr_pay 0; T7 K3 vneid 1, scam 2; T8 K3 vneid 2; T10 K1 vneid 3 (trainee deleted)
    confirmations: T1 at S1 with no proof (its verdict: failed), T3 at S3 with a check-in code (unverified)
"""

from __future__ import annotations

import uuid
from typing import Any

from server.sync_api.push import next_server_hlc
from sync.ids import derived_id
from tests.server.confirmations import confirmation
from tests.server.protocol_client import World, server_op
from tests.server.soft_authenticator import checkin_token

CHECKLIST_ITEMS = [
    {"code": "vneid", "label_vi": "Cài đặt và đăng nhập VNeID", "label_en": "Install and sign in to VNeID"},
    {"code": "qr_pay", "label_vi": "Thanh toán bằng mã QR", "label_en": "Pay by QR code"},
    {"code": "scam", "label_vi": "Nhận biết lừa đảo trực tuyến", "label_en": "Spot an online scam"},
]
TRAINEES = {
    "T1": ("Giàng Thị Mai", "A", "female", 2000, "H'Mông"),
    "T2": ("Lò Văn Tiến", "A", "male", 1960, "Thái"),
    "T3": ("Hoàng Thị Thu", "A", "female", 1985, "Tày"),
    "T4": ("Sùng A Páo", "A", None, None, ""),
    "T5": ("Giang Thi May", "A", "female", 2000, "H'Mông"),
    "T6": ("Vàng Thị Dợ", "A", "female", 1990, "Dao"),
    "T7": ("Lý Thị Chài", "B", "female", 2005, "Dao"),
    "T8": ("Thào A Chứ", "B", "male", 1975, "H'Mông"),
    "T9": ("Giàng Thi Mai", "B", "female", 2000, "H'Mông"),
    "T10": ("Ma Văn Deleted", "A", "male", 1990, "Tày"),
}
SESSIONS = {"S1": ("K1", "2026-03-02"), "S2": ("K1", "2026-03-09"), "S3": ("K1", "2026-03-16"),
            "S4": ("K1", "2026-05-01"), "S5": ("K1", "2026-03-20"), "S6": ("K2", "2026-03-05"),
            "S7": ("K2", "2026-04-02"), "S8": ("K3", "2026-03-03"), "S9": ("K3", "2026-03-10")}
ENROLMENTS = [("K1", t) for t in ("T1", "T2", "T3", "T4", "T10")] + \
    [("K2", t) for t in ("T1", "T2", "T3", "T6")] + [("K3", "T7"), ("K3", "T8")]
MARKS = {("S1", "T1"): "present", ("S2", "T1"): "present", ("S3", "T1"): "late", ("S4", "T1"): "present",
         ("S5", "T1"): "present", ("S6", "T1"): "present", ("S7", "T1"): "present",
         ("S1", "T2"): "absent", ("S2", "T2"): "present", ("S3", "T2"): "present", ("S6", "T2"): "absent",
         ("S1", "T3"): "present", ("S2", "T3"): "excused", ("S3", "T3"): "present", ("S6", "T3"): "present",
         ("S1", "T4"): "late", ("S2", "T4"): "absent", ("S6", "T6"): "present",
         ("S8", "T7"): "present", ("S9", "T7"): "present", ("S8", "T8"): "late", ("S9", "T8"): "absent",
         ("S1", "T10"): "present"}
SKILLS = {("K1", "T1", "vneid"): 3, ("K1", "T1", "qr_pay"): 1, ("K2", "T1", "vneid"): 1,
          ("K1", "T2", "vneid"): 2, ("K1", "T3", "scam"): 2, ("K1", "T4", "qr_pay"): 0,
          ("K3", "T7", "vneid"): 1, ("K3", "T7", "scam"): 2, ("K3", "T8", "vneid"): 2, ("K1", "T10", "vneid"): 3}
DELETED = [("session", "S5"), ("attendance", ("S2", "T2")), ("enrollment", ("K2", "T3")),
           ("skill_check", ("K1", "T3", "scam")), ("trainee", "T10")]


def delete_op(entity: str, record_id: str) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "entity": entity, "id": record_id, "hlc": next_server_hlc(),
            "kind": "delete", "fields": {}}


def record_id(w: World, entity: str, key: Any) -> str:
    """Return the id of a record of the register by its name ("S5") or natural key."""
    if entity == "enrollment":
        return _derived(entity, course_id=w.ids[key[0]], trainee_id=w.ids[key[1]])
    if entity == "attendance":
        return _derived(entity, session_id=w.ids[key[0]], trainee_id=w.ids[key[1]])
    if entity == "skill_check":
        return _derived(entity, course_id=w.ids[key[0]], trainee_id=w.ids[key[1]], skill_code=key[2])
    return w.ids[key]


def _derived(entity: str, **fields: str) -> str:
    found = derived_id(entity, fields)
    assert found is not None
    return found


def seed_register(w: World) -> World:
    """Seed the register above, users included: trainers, coordinators of A, B and the province, an admin."""
    with w.app.app_context():  # server ops take their clocks from the database
        _seed(w)
    return w


def _seed(w: World) -> None:
    w.seed(server_op("area", w.new_id("P"), code="LCI", name="Lào Cai", kind="province"),
           server_op("area", w.new_id("A"), code="LCI-A", name="Bản Hồ", kind="commune", parent_id=w.ids["P"]),
           server_op("area", w.new_id("B"), code="LCI-B", name="Tả Van", kind="commune", parent_id=w.ids["P"]),
           server_op("area", w.new_id("VA"), code="LCI-A-1", name="Bản Dền", kind="village", parent_id=w.ids["A"]),
           server_op("program", w.new_id("DS"), name="Bình dân học vụ số"),
           server_op("program", w.new_id("LS"), name="Bán hàng livestream"))
    w.seed(server_op("checklist", w.new_id("CL"), program_id=w.ids["DS"], version=1, title="Kỹ năng số cơ bản",
                     items=CHECKLIST_ITEMS))
    for name, role, area in (("trainer_a", "trainer", None), ("trainer_b", "trainer", None),
                             ("coord_a", "coordinator", "A"), ("coord_b", "coordinator", "B"),
                             ("coord_p", "coordinator", "P"), ("admin", "admin", None)):
        w.user(name, role, area)
    courses = {"K1": ("Dịch vụ công trực tuyến", "A", "DS", "CL", "trainer_a"),
               "K2": ("Bán hàng qua livestream", "A", "LS", None, "trainer_a"),
               "K3": ("Thanh toán QR", "B", "DS", "CL", "trainer_b")}
    w.seed(*(server_op("course", w.new_id(key), title=title, commune_id=w.ids[commune], program_id=w.ids[program],
                       checklist_id=w.ids[checklist] if checklist else None, trainer_ids=[w.ids[trainer]],
                       start_date="2026-03-01", end_date="2026-05-31")
             for key, (title, commune, program, checklist, trainer) in courses.items()))
    ops = [server_op("session", w.new_id(key), course_id=w.ids[course], date=day, start_time="08:00",
                     place="Nhà văn hoá") for key, (course, day) in SESSIONS.items()]
    ops += [server_op("trainee", w.new_id(key), full_name=name, commune_id=w.ids[commune], gender=gender,
                      birth_year=born, ethnicity=ethnicity, consent=True)
            for key, (name, commune, gender, born, ethnicity) in TRAINEES.items()]
    w.seed(*ops)
    w.seed(*(server_op("enrollment", record_id(w, "enrollment", key), course_id=w.ids[key[0]],
                       trainee_id=w.ids[key[1]]) for key in ENROLMENTS))
    w.seed(*(server_op("attendance", record_id(w, "attendance", key), session_id=w.ids[key[0]],
                       trainee_id=w.ids[key[1]], status=status) for key, status in MARKS.items()),
           *(server_op("skill_check", record_id(w, "skill_check", key), course_id=w.ids[key[0]],
                       trainee_id=w.ids[key[1]], skill_code=key[2], level=level) for key, level in SKILLS.items()),
           server_op("confirmation", _derived("confirmation", session_id=w.ids["S1"], trainee_id=w.ids["T1"]),
                     session_id=w.ids["S1"], trainee_id=w.ids["T1"], method="unverified"),
           confirmation(checkin_token(w.app, w.ids["S3"]), w.ids["S3"], w.ids["T3"]))
    w.seed(*(delete_op(entity, record_id(w, entity, key)) for entity, key in DELETED))
    w.seed(server_op("trainee", w.ids["T6"], merged_into=w.ids["T4"]))
