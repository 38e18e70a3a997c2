"""Write tests/vectors/compact.json from docs/protocol.md §5 "Compact ops": `python tests/vectors/write_compact.py`.

Ids are computed here with uuid directly, never with sync.compact, and each case states which
keys the rule leaves off (or fills in), so the vectors say the rule independently of the code.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("compact.json")
NAMESPACE = uuid.UUID("6f2d1c9a-3b4e-5f60-8a71-92b3c4d5e6f7")

TOKEN = "q3Jx0pJc1nB2yQd7s9Vt5kLm8Wz4Hf6Ae1Rg0Uo2Ni4"
OTHER_TOKEN = "Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8cB7aZ6yX"
DEVICE = "9ab8ad1c-0aeb-451a-b3d0-580867b144e2"
SESSION = "99ca803d-2d49-5900-9110-5d632af946c7"
TRAINEE = "b95abcf7-22b4-5d28-9105-fbacdf3985a7"
COURSE = "0195a3c4-7b20-7d4e-8f61-2a3b4c5d6e7f"
RANDOM_OP_ID = "0196f3a0-0000-7000-8000-00000000000a"


def uuid5(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def key_of(token: str) -> str:
    return uuid5(f"op-key:{token}")


def op_id(token: str, hlc: str) -> str:
    return uuid5(f"op:{key_of(token)}:{hlc}")


def hlc(n: int) -> str:
    return f"17954442864{n:02d}-0000-{DEVICE}"


ATTENDANCE_ID = uuid5(f"attendance:{SESSION}:{TRAINEE}")
SKILL_ID = uuid5(f"skill:{COURSE}:{TRAINEE}:dvc-01")


def full(n: int, entity: str, record_id: str, fields: dict[str, Any], *, token: str | None = TOKEN,
         kind: str = "upsert", base_rev: int | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {"op_id": op_id(token, hlc(n)) if token else RANDOM_OP_ID, "entity": entity,
                            "id": record_id, "hlc": hlc(n), "kind": kind, "fields": fields}
    if base_rev is not None:
        made["base_rev"] = base_rev
    return made


def compact_case(name: str, op: dict[str, Any], drops: list[str], token: str | None = TOKEN) -> dict[str, Any]:
    return {"name": name, "token": token, "op": op, "drops": drops,
            "expected": without(op, *drops)}


def compact() -> list[dict[str, Any]]:
    mark = {"session_id": SESSION, "trainee_id": TRAINEE, "status": "present"}
    skill = {"course_id": COURSE, "trainee_id": TRAINEE, "skill_code": "dvc-01", "level": 2}
    trainee_id = "0196f3a0-1111-7000-8000-000000000001"
    return [
        compact_case("a mark made here: both ids left off", full(1, "attendance", ATTENDANCE_ID, mark, base_rev=3),
                     ["op_id", "id"]),
        compact_case("a skill check made here: both ids left off", full(2, "skill_check", SKILL_ID, skill),
                     ["op_id", "id"]),
        compact_case("an op relayed from another phone keeps its op id",
                     full(3, "attendance", ATTENDANCE_ID, mark, token=None), ["id"]),
        compact_case("an op named with another token's key keeps its op id",
                     full(4, "attendance", ATTENDANCE_ID, mark, token=OTHER_TOKEN), ["id"]),
        compact_case("no op key yet (not enrolled): op id kept", full(5, "attendance", ATTENDANCE_ID, mark),
                     ["id"], token=None),
        compact_case("a delete carries no fields: its id stays",
                     full(6, "attendance", ATTENDANCE_ID, {}, kind="delete"), ["op_id"]),
        compact_case("a trainee has no natural key: its id stays",
                     full(7, "trainee", trainee_id, {"full_name": "Lò Thị Mai"}), ["op_id"]),
        compact_case("an upsert without its whole natural key keeps its id",
                     full(8, "skill_check", SKILL_ID, {"course_id": COURSE, "trainee_id": TRAINEE, "level": 1}),
                     ["op_id"]),
        compact_case("a natural-key field that is not text keeps the id",
                     full(9, "attendance", uuid5(f"attendance:{SESSION}:7"),
                          {"session_id": SESSION, "trainee_id": 7, "status": "present"}), ["op_id"]),
        compact_case("an id that is not the derived one is sent as it is (and refused)",
                     full(10, "attendance", TRAINEE, mark), ["op_id"]),
    ]


def without(op: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in op.items() if k not in keys}


def expand() -> list[dict[str, Any]]:
    mark = {"session_id": SESSION, "trainee_id": TRAINEE, "status": "late"}
    made = full(11, "attendance", ATTENDANCE_ID, mark)
    delete = full(12, "attendance", ATTENDANCE_ID, {}, kind="delete")
    trainee = full(13, "trainee", "0196f3a0-1111-7000-8000-000000000002", {"full_name": "Giàng A Páo"})
    return [
        {"name": "both ids filled in", "token": TOKEN, "wire": without(made, "op_id", "id"), "expected": made},
        {"name": "a full op is unchanged", "token": TOKEN, "wire": made, "expected": made},
        {"name": "a relayed op's own id is kept", "token": TOKEN,
         "wire": {**without(made, "id"), "op_id": RANDOM_OP_ID}, "expected": {**made, "op_id": RANDOM_OP_ID}},
        {"name": "the op id follows the sender's token", "token": OTHER_TOKEN, "wire": without(made, "op_id"),
         "expected": {**made, "op_id": op_id(OTHER_TOKEN, hlc(11))}},
        {"name": "no clock: no op id", "token": TOKEN, "wire": without(made, "op_id", "hlc"),
         "expected": without(made, "op_id", "hlc")},
        {"name": "a clock that is not text: no op id", "token": TOKEN, "wire": {**without(made, "op_id"), "hlc": 5},
         "expected": {**without(made, "op_id"), "hlc": 5}},
        {"name": "a delete's id cannot be worked out", "token": TOKEN, "wire": without(delete, "op_id", "id"),
         "expected": without(delete, "id")},
        {"name": "a trainee's id cannot be worked out", "token": TOKEN, "wire": without(trainee, "id"),
         "expected": without(trainee, "id")},
        {"name": "not an object", "token": TOKEN, "wire": None, "expected": None},
        {"name": "a list", "token": TOKEN, "wire": ["op_id"], "expected": ["op_id"]},
    ]


def build() -> dict[str, Any]:
    return {
        "about": "docs/protocol.md §5 compact ops; written by tests/vectors/write_compact.py, not by sync/compact.py",
        "op_keys": [{"token": t, "expected": key_of(t)} for t in (TOKEN, OTHER_TOKEN)],
        "own_op_ids": [{"token": TOKEN, "hlc": hlc(n), "expected": op_id(TOKEN, hlc(n))} for n in (1, 2)],
        "compact": compact(),
        "expand": expand(),
    }


def main() -> None:
    """Write the file, formatted the same way every time so diffs stay small."""
    PATH.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
