"""Duplicate trainees: pairs that look like one person, and what merging a pair would move.

Pairs share a commune and a birth year, and their names are at most `NAME_DISTANCE` edits
apart once accents and case are gone. SQL keeps only the (commune, birth year) groups with
two or more trainees; names are compared here, within each group.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from server.dashboard.access import communes_of, in_communes, trainee_in_scope
from server.dashboard.counting import live_trainee
from server.dashboard.names import fold, within_distance
from server.errors import ApiError
from server.extensions import db
from server.models import ENTITY_MODELS, Area, Enrollment, Trainee
from server.scope import Actor
from sync.entities import spec_for

NAME_DISTANCE = 2
MAX_PAIRS = 500
MOVED_ENTITIES = ("enrollment", "attendance", "skill_check", "confirmation")


def duplicate_pairs(actor: Actor, commune_id: str | None) -> list[dict[str, Any]]:
    """Return the likely duplicate pairs of the area (default: the caller's), most alike first."""
    communes = communes_of(actor, commune_id)
    placed = and_(live_trainee(), Trainee.birth_year.is_not(None), in_communes(Trainee.commune_id, communes))
    crowded = (select(Trainee.commune_id, Trainee.birth_year).where(placed)
               .group_by(Trainee.commune_id, Trainee.birth_year).having(func.count() > 1).subquery())
    rows = db.session.scalars(select(Trainee).join(crowded, and_(
        crowded.c.commune_id == Trainee.commune_id, crowded.c.birth_year == Trainee.birth_year)).where(placed))
    groups: dict[tuple[str | None, int | None], list[Trainee]] = {}
    for trainee in rows:
        groups.setdefault((trainee.commune_id, trainee.birth_year), []).append(trainee)
    found = [pair for group in groups.values() for pair in _alike(group)]
    found.sort(key=lambda p: (-p[2], fold(p[0].full_name), p[0].id, p[1].id))
    found = found[:MAX_PAIRS]
    cards = trainee_cards(t for a, b, _, _ in found for t in (a, b))
    return [{"a": cards[a.id], "b": cards[b.id], "score": score,
             "reasons": ["same commune", "same birth year", "same name" if same else "similar name"]}
            for a, b, score, same in found]


def _alike(group: list[Trainee]) -> list[tuple[Trainee, Trainee, float, bool]]:
    """Return the pairs of a group whose folded names are close, with a score (1 = the same name)."""
    names = sorted(((fold(t.full_name), t) for t in group), key=lambda item: (item[0], item[1].id))
    grams = [bigrams(name) for name, _ in names]
    pairs = []
    for (i, (name_a, a)), (j, (name_b, b)) in combinations(enumerate(names), 2):
        # Each edit loses at most two of a name's bigrams: a cheap test that most pairs fail.
        if len(grams[i] & grams[j]) < max(len(grams[i]), len(grams[j])) - 2 * NAME_DISTANCE:
            continue
        distance = within_distance(name_a, name_b, NAME_DISTANCE)
        if distance is not None:
            score = round(1 - distance / max(len(name_a), len(name_b), 1), 4)
            pairs.append((a, b, score, distance == 0))
    return pairs


def bigrams(name: str) -> frozenset[str]:
    return frozenset(name[k:k + 2] for k in range(len(name) - 1))


def trainee_cards(trainees: Iterable[Trainee]) -> dict[str, dict[str, Any]]:
    """Describe trainees for a coordinator deciding on a merge: who, where, in how many courses."""
    chosen = {t.id: t for t in trainees}
    ids = sorted(chosen)
    courses = dict(db.session.execute(
        select(Enrollment.trainee_id, func.count()).where(Enrollment.trainee_id.in_(ids), Enrollment.deleted.is_(False))
        .group_by(Enrollment.trainee_id)).all()) if ids else {}
    communes = {t.commune_id for t in chosen.values()}
    names = dict(db.session.execute(select(Area.id, Area.name).where(Area.id.in_(communes))).all())
    return {t.id: {"id": t.id, "full_name": t.full_name, "gender": t.gender, "birth_year": t.birth_year,
                   "ethnicity": t.ethnicity, "village": t.village, "commune_id": t.commune_id,
                   "commune_name": names.get(t.commune_id or ""), "courses": courses.get(t.id, 0)}
            for t in chosen.values()}


def merge_preview(actor: Actor, keep_id: str, merge_id: str) -> dict[str, Any]:
    """Say what merging `merge_id` into `keep_id` would move, and how many records both have."""
    keep, merge = trainee_in_scope(actor, keep_id), trainee_in_scope(actor, merge_id)
    if keep.id == merge.id:
        raise ApiError(400, "same_trainee", "choose two different trainees to merge")
    if keep.merged_into or merge.merged_into:
        raise ApiError(409, "already_merged", "one of these trainees was already merged into another")
    cards = trainee_cards((keep, merge))
    moves = {entity: _count_live(entity, merge.id) for entity in MOVED_ENTITIES}
    return {"keep": cards[keep.id], "merge": cards[merge.id], "moves": moves,
            "clashes": sum(_count_clashes(entity, keep.id, merge.id) for entity in MOVED_ENTITIES)}


def _count_live(entity: str, trainee_id: str) -> int:
    model: Any = ENTITY_MODELS[entity]
    query = select(func.count()).select_from(model).where(model.trainee_id == trainee_id, model.deleted.is_(False))
    return int(db.session.scalar(query) or 0)


def _count_clashes(entity: str, keep_id: str, merge_id: str) -> int:
    """Count the duplicate's live records the survivor already has (same session, course or skill)."""
    spec = spec_for(entity)
    assert spec is not None
    model: Any = ENTITY_MODELS[entity]
    kept: Any = aliased(model)
    same_key = [getattr(kept, name) == getattr(model, name) for name in spec.natural_key if name != "trainee_id"]
    query = (select(func.count()).select_from(model)
             .join(kept, and_(kept.trainee_id == keep_id, kept.deleted.is_(False), *same_key))
             .where(model.trainee_id == merge_id, model.deleted.is_(False)))
    return int(db.session.scalar(query) or 0)
