"""Record ids: natural-key records get the same id on every device; new ones get UUIDv7."""

from __future__ import annotations

import uuid

from sync.ids import NAMESPACE, derived_id, is_uuid, uuid7
from tests.sync.sync_factories import NOW_MS, uid


def test_namespace_is_the_published_one() -> None:
    assert str(NAMESPACE) == "6f2d1c9a-3b4e-5f60-8a71-92b3c4d5e6f7"


def test_attendance_id_is_uuid5_of_session_and_trainee() -> None:
    session, person = uid("session"), uid("trainee")
    expected = str(uuid.uuid5(NAMESPACE, f"attendance:{session}:{person}"))
    assert derived_id("attendance", {"session_id": session, "trainee_id": person}) == expected


def test_skill_check_and_enrollment_ids_follow_the_documented_names() -> None:
    course, person = uid("course"), uid("trainee")
    skill = {"course_id": course, "trainee_id": person, "skill_code": "vneid.install"}
    assert derived_id("skill_check", skill) == str(
        uuid.uuid5(NAMESPACE, f"skill:{course}:{person}:vneid.install"))
    assert derived_id("enrollment", {"course_id": course, "trainee_id": person}) == str(
        uuid.uuid5(NAMESPACE, f"enrollment:{course}:{person}"))


def test_two_devices_recording_the_same_thing_get_the_same_id() -> None:
    session, person = uid("session"), uid("trainee")
    phone_a = derived_id("attendance", {"session_id": session, "trainee_id": person, "status": "present"})
    # Another phone, other field order and another status: the record is still the same.
    phone_b = derived_id("attendance", {"status": "late", "trainee_id": person, "session_id": session})
    assert phone_a == phone_b
    assert is_uuid(phone_a)


def test_different_natural_keys_give_different_ids() -> None:
    a = derived_id("attendance", {"session_id": uid("s1"), "trainee_id": uid("t1")})
    b = derived_id("attendance", {"session_id": uid("s1"), "trainee_id": uid("t2")})
    c = derived_id("enrollment", {"course_id": uid("s1"), "trainee_id": uid("t1")})
    d = derived_id("confirmation", {"session_id": uid("s1"), "trainee_id": uid("t1")})
    assert len({a, b, c, d}) == 4


def test_entities_without_a_natural_key_have_no_derived_id() -> None:
    assert derived_id("trainee", {"full_name": "A"}) is None
    assert derived_id("no_such_entity", {}) is None


def test_uuid7_is_a_version_7_uuid_carrying_the_time() -> None:
    made = uuid.UUID(uuid7(NOW_MS))
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert made.int >> 80 == NOW_MS
    assert is_uuid(str(made))


def test_uuid7_sorts_by_creation_time_and_does_not_repeat() -> None:
    ids = [uuid7(NOW_MS + i) for i in range(50)]
    assert ids == sorted(ids)
    assert len(set(ids + [uuid7(NOW_MS) for _ in range(50)])) == 100


def test_is_uuid_wants_canonical_lowercase_text() -> None:
    good = uid("x")
    assert is_uuid(good)
    for bad in (good.upper(), "{" + good + "}", good.replace("-", ""), "urn:uuid:" + good,
                good[:-1] + "g", "", None, 42, uuid.UUID(good)):
        assert not is_uuid(bad), bad
