"""What each entity may hold: field kinds, required fields, references and owners.

This table is the single source of truth for op validation on the server and the
PWA; `tests/vectors/entities.json` is generated from it so the JS client agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldKind = Literal[
    "uuid", "uuid_list", "str", "text", "int", "bool", "date", "time", "enum",
    "checklist_items", "json",
]
Role = Literal["trainer", "coordinator", "admin", "trainee"]

MAX_STR_CHARS = 200
MAX_TEXT_CHARS = 2000
MAX_LIST_ITEMS = 200


@dataclass(frozen=True)
class FieldSpec:
    kind: FieldKind
    required: bool = False
    nullable: bool = True
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    refers_to: str | None = None


@dataclass(frozen=True)
class EntitySpec:
    name: str
    fields: dict[str, FieldSpec]
    writers: frozenset[Role]
    add_wins: bool = False
    natural_key: tuple[str, ...] = ()
    derived_id_prefix: str | None = None
    immutable: frozenset[str] = field(default_factory=frozenset)


def _f(kind: FieldKind, **kw: object) -> FieldSpec:
    return FieldSpec(kind, **kw)  # type: ignore[arg-type]


ATTENDANCE_STATUSES = ("present", "late", "absent", "excused")
GENDERS = ("female", "male", "other")
AREA_KINDS = ("province", "commune", "village")
CONFIRMATION_METHODS = ("passkey", "unverified")
SKILL_LEVEL_MAX = 3

EVERYONE: frozenset[Role] = frozenset({"trainer", "coordinator", "admin"})
OFFICE: frozenset[Role] = frozenset({"coordinator", "admin"})

ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec(
            "area",
            {
                "code": _f("str", required=True, nullable=False),
                "name": _f("str", required=True, nullable=False),
                "kind": _f("enum", required=True, nullable=False, choices=AREA_KINDS),
                "parent_id": _f("uuid", refers_to="area"),
            },
            writers=frozenset({"admin"}),
        ),
        EntitySpec(
            "program",
            {"name": _f("str", required=True, nullable=False)},
            writers=frozenset({"admin"}),
        ),
        EntitySpec(
            "checklist",
            {
                "program_id": _f("uuid", required=True, nullable=False, refers_to="program"),
                "version": _f("int", required=True, nullable=False, min_value=1, max_value=10_000),
                "title": _f("str"),
                "items": _f("checklist_items", required=True, nullable=False),
            },
            writers=OFFICE,
        ),
        EntitySpec(
            "course",
            {
                "program_id": _f("uuid", required=True, nullable=False, refers_to="program"),
                "commune_id": _f("uuid", required=True, nullable=False, refers_to="area"),
                "title": _f("str", required=True, nullable=False),
                "trainer_ids": _f("uuid_list", required=True, nullable=False),
                "checklist_id": _f("uuid", refers_to="checklist"),
                "start_date": _f("date"),
                "end_date": _f("date"),
            },
            writers=EVERYONE,
            immutable=frozenset({"commune_id"}),
        ),
        EntitySpec(
            "session",
            {
                "course_id": _f("uuid", required=True, nullable=False, refers_to="course"),
                "date": _f("date", required=True, nullable=False),
                "start_time": _f("time"),
                "place": _f("str"),
            },
            writers=EVERYONE,
            immutable=frozenset({"course_id"}),
        ),
        EntitySpec(
            "trainee",
            {
                "full_name": _f("str", required=True, nullable=False),
                "commune_id": _f("uuid", required=True, nullable=False, refers_to="area"),
                "gender": _f("enum", choices=GENDERS),
                "birth_year": _f("int", min_value=1900, max_value=2100),
                "ethnicity": _f("str"),
                "village": _f("str"),
                "phone": _f("str"),
                "cooperative": _f("str"),
                "consent": _f("bool"),
                "merged_into": _f("uuid", refers_to="trainee"),
            },
            writers=EVERYONE,
        ),
        EntitySpec(
            "enrollment",
            {
                "course_id": _f("uuid", required=True, nullable=False, refers_to="course"),
                "trainee_id": _f("uuid", required=True, nullable=False, refers_to="trainee"),
            },
            writers=EVERYONE,
            add_wins=True,
            natural_key=("course_id", "trainee_id"),
            derived_id_prefix="enrollment",
            immutable=frozenset({"course_id", "trainee_id"}),
        ),
        EntitySpec(
            "attendance",
            {
                "session_id": _f("uuid", required=True, nullable=False, refers_to="session"),
                "trainee_id": _f("uuid", required=True, nullable=False, refers_to="trainee"),
                "status": _f("enum", required=True, nullable=False, choices=ATTENDANCE_STATUSES),
                "note": _f("text"),
            },
            writers=EVERYONE,
            natural_key=("session_id", "trainee_id"),
            derived_id_prefix="attendance",
            immutable=frozenset({"session_id", "trainee_id"}),
        ),
        EntitySpec(
            "skill_check",
            {
                "course_id": _f("uuid", required=True, nullable=False, refers_to="course"),
                "trainee_id": _f("uuid", required=True, nullable=False, refers_to="trainee"),
                "skill_code": _f("str", required=True, nullable=False),
                "level": _f(
                    "int", required=True, nullable=False, min_value=0, max_value=SKILL_LEVEL_MAX
                ),
                "note": _f("text"),
            },
            writers=EVERYONE,
            natural_key=("course_id", "trainee_id", "skill_code"),
            derived_id_prefix="skill",
            immutable=frozenset({"course_id", "trainee_id", "skill_code"}),
        ),
        EntitySpec(
            "confirmation",
            {
                "session_id": _f("uuid", required=True, nullable=False, refers_to="session"),
                "trainee_id": _f("uuid", required=True, nullable=False, refers_to="trainee"),
                "method": _f("enum", required=True, nullable=False, choices=CONFIRMATION_METHODS),
                "proof": _f("json"),
            },
            # A trainee confirms on their own phone; a trainer's phone relays it when the
            # trainee's has no signal. Either way it is one record per trainee and session.
            writers=EVERYONE | {"trainee"},
            natural_key=("session_id", "trainee_id"),
            derived_id_prefix="confirmation",
            immutable=frozenset({"session_id", "trainee_id"}),
        ),
    )
}


def spec_for(entity: str) -> EntitySpec | None:
    """Return the spec of an entity, or None if the name is unknown."""
    return ENTITIES.get(entity)


def to_plain(spec: EntitySpec) -> dict[str, object]:
    """Describe a spec as JSON-ready data, for the shared test vectors and docs."""
    return {
        "writers": sorted(spec.writers),
        "add_wins": spec.add_wins,
        "natural_key": list(spec.natural_key),
        "derived_id_prefix": spec.derived_id_prefix,
        "immutable": sorted(spec.immutable),
        "fields": {
            name: {
                "kind": f.kind,
                "required": f.required,
                "nullable": f.nullable,
                "choices": list(f.choices),
                "min_value": f.min_value,
                "max_value": f.max_value,
                "refers_to": f.refers_to,
            }
            for name, f in spec.fields.items()
        },
    }
