"""The curated library: read and check the data file, then bring the database in line with it.

Loading is idempotent and keyed by slug: a second run changes nothing, a changed entry updates its
row in place (ids and every reference to it survive), an entry removed from the file is archived,
and custom exercises are never touched.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    BodyRegion,
    Equipment,
    Exercise,
    ExerciseMuscle,
    ExerciseProgression,
    MovementPattern,
    MuscleGroup,
    ProgressionDirection,
)
from storage.models.base import utcnow

CATALOG_FILE = Path(__file__).parent / "library.yaml"
# Languages the library has names in, besides English (ISO 639-1).
LANGUAGES = ("es", "de", "fr", "it", "pt", "ru")
EntryT = TypeVar("EntryT", bound=BaseModel)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CatalogError(ValueError):
    """A bad data file; the message names the file, the entry and the problem."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("slug", check_fields=False)
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("slug must be lowercase letters, digits and single hyphens")
        return value


class MuscleEntry(_Entry):
    slug: str
    name: str
    body_region: BodyRegion


class ExerciseEntry(_Entry):
    slug: str
    name: str
    aliases: list[str] = []
    pattern: MovementPattern
    equipment: Equipment
    primary: list[str]
    secondary: list[str] = []
    instructions: str
    # Names in other languages (from the translations section), for search only.
    names: dict[str, list[str]] = {}


class TranslationEntry(_Entry):
    """What coaches call an exercise in other languages: our own words, for search."""

    slug: str
    es: list[str] = []
    de: list[str] = []
    fr: list[str] = []
    it: list[str] = []
    pt: list[str] = []
    ru: list[str] = []

    @field_validator(*LANGUAGES)
    @classmethod
    def _names(cls, names: list[str]) -> list[str]:
        cleaned = [name.strip() for name in names]
        if any(not name or len(name) > 100 for name in cleaned):
            raise ValueError("names must be 1 to 100 characters")
        return cleaned


class ChainEntry(_Entry):
    chain: str
    steps: list[str]


@dataclass(frozen=True)
class Catalog:
    muscles: list[MuscleEntry]
    exercises: list[ExerciseEntry]
    chains: list[ChainEntry]

    @property
    def edges(self) -> list[tuple[str, str]]:
        """(easier slug, harder slug) for every consecutive pair of every chain, deduplicated."""
        pairs: dict[tuple[str, str], None] = {}
        for chain in self.chains:
            for easier, harder in zip(chain.steps, chain.steps[1:], strict=False):
                pairs[(easier, harder)] = None
        return list(pairs)


@dataclass
class LoadReport:
    muscles: int = 0
    exercises: int = 0
    edges: int = 0
    created: int = 0
    updated: int = 0
    archived: int = 0
    edges_added: int = 0
    edges_removed: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created or self.updated or self.archived or self.edges_added or self.edges_removed
        )


def _entry_error(path: Path, section: str, index: int, raw: Any, error: ValidationError) -> str:
    label = raw.get("slug") or raw.get("chain") if isinstance(raw, dict) else None
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{path.name}: {section} entry {index + 1} ({label or '?'}): {where}: {first['msg']}"


def parse_catalog(text: str, *, path: Path = CATALOG_FILE) -> Catalog:
    try:
        # The C loader when PyYAML has it: ten times faster, and this runs at every start.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise CatalogError(f"{path.name}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{path.name}: expected sections muscle_groups, exercises, progressions")
    sections: dict[str, list[Any]] = {}
    for name in ("muscle_groups", "exercises", "progressions"):
        value = data.get(name)
        if not isinstance(value, list):
            raise CatalogError(f"{path.name}: section '{name}' is missing or not a list")
        sections[name] = value
    muscles = _parse_section(path, "muscle_groups", sections["muscle_groups"], MuscleEntry)
    exercises = _parse_section(path, "exercises", sections["exercises"], ExerciseEntry)
    chains = _parse_section(path, "progressions", sections["progressions"], ChainEntry)
    raw_translations = data.get("translations", [])
    if not isinstance(raw_translations, list):
        raise CatalogError(f"{path.name}: section 'translations' is not a list")
    translations = _parse_section(path, "translations", raw_translations, TranslationEntry)
    exercises = _attach_translations(path, exercises, translations)
    catalog = Catalog(muscles=muscles, exercises=exercises, chains=chains)
    check_catalog(catalog, path=path)
    return catalog


def _attach_translations(
    path: Path, exercises: list[ExerciseEntry], translations: list[TranslationEntry]
) -> list[ExerciseEntry]:
    by_slug: dict[str, dict[str, list[str]]] = {}
    for entry in translations:
        where = f"{path.name}: translations '{entry.slug}'"
        if entry.slug in by_slug:
            raise CatalogError(f"{where}: duplicate slug")
        by_slug[entry.slug] = {
            language: names for language in LANGUAGES if (names := getattr(entry, language))
        }
    unknown = by_slug.keys() - {exercise.slug for exercise in exercises}
    if unknown:
        raise CatalogError(
            f"{path.name}: translations '{min(unknown)}': not an exercise slug in the file"
        )
    return [
        exercise.model_copy(update={"names": by_slug[exercise.slug]})
        if exercise.slug in by_slug
        else exercise
        for exercise in exercises
    ]


def _parse_section(path: Path, section: str, raw: list[Any], model: type[EntryT]) -> list[EntryT]:
    entries = []
    for index, item in enumerate(raw):
        try:
            entries.append(model.model_validate(item))
        except ValidationError as error:
            raise CatalogError(_entry_error(path, section, index, item, error)) from None
    return entries


def check_catalog(catalog: Catalog, *, path: Path = CATALOG_FILE) -> None:
    """Cross-entry rules pydantic can't see: references, duplicates, cycles."""
    name = path.name
    muscle_slugs: set[str] = set()
    for muscle in catalog.muscles:
        if muscle.slug in muscle_slugs:
            raise CatalogError(f"{name}: muscle group '{muscle.slug}': duplicate slug")
        muscle_slugs.add(muscle.slug)
    exercise_slugs: set[str] = set()
    names: set[str] = set()
    for exercise in catalog.exercises:
        where = f"{name}: exercise '{exercise.slug}'"
        if exercise.slug in exercise_slugs:
            raise CatalogError(f"{where}: duplicate slug")
        exercise_slugs.add(exercise.slug)
        if exercise.name.casefold() in names:
            raise CatalogError(f"{where}: duplicate name '{exercise.name}'")
        names.add(exercise.name.casefold())
        if not exercise.primary:
            raise CatalogError(f"{where}: needs at least one primary muscle group")
        for muscle_slug in (*exercise.primary, *exercise.secondary):
            if muscle_slug not in muscle_slugs:
                raise CatalogError(f"{where}: unknown muscle group '{muscle_slug}'")
        if set(exercise.primary) & set(exercise.secondary):
            raise CatalogError(f"{where}: a muscle group is both primary and secondary")
    chain_names: set[str] = set()
    harder_than: dict[str, set[str]] = defaultdict(set)
    for chain in catalog.chains:
        where = f"{name}: progression chain '{chain.chain}'"
        if chain.chain in chain_names:
            raise CatalogError(f"{where}: duplicate chain name")
        chain_names.add(chain.chain)
        if len(chain.steps) < 2:
            raise CatalogError(f"{where}: needs at least two steps")
        if len(set(chain.steps)) != len(chain.steps):
            raise CatalogError(f"{where}: a step appears twice")
        for step in chain.steps:
            if step not in exercise_slugs:
                raise CatalogError(f"{where}: step '{step}' is not an exercise slug in the file")
    for easier, harder in catalog.edges:
        harder_than[easier].add(harder)
    cycle = find_cycle(harder_than)
    if cycle:
        raise CatalogError(f"{name}: progressions form a cycle: {' -> '.join(cycle)}")


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in a directed graph as a list of nodes (first repeated last), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour: dict[str, int] = defaultdict(int)
    for start in list(graph):
        if colour[start] != WHITE:
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph.get(start, ())))]
        path = [start]
        colour[start] = GREY
        while stack:
            node, children = stack[-1]
            if not children:
                colour[node] = BLACK
                stack.pop()
                path.pop()
                continue
            child = children.pop()
            if colour[child] == GREY:
                return [*path[path.index(child) :], child]
            if colour[child] == WHITE:
                colour[child] = GREY
                path.append(child)
                stack.append((child, sorted(graph.get(child, ()))))
    return None


def read_catalog(path: Path = CATALOG_FILE) -> Catalog:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogError(f"{path}: can't be read: {error.strerror}") from None
    return parse_catalog(text, path=path)


async def load_catalog(session: AsyncSession, catalog: Catalog) -> LoadReport:
    """Bring curated rows in line with `catalog`. The caller commits."""
    report = LoadReport(
        muscles=len(catalog.muscles), exercises=len(catalog.exercises), edges=len(catalog.edges)
    )
    await _load_muscles(session, catalog, report)
    ids = await _load_exercises(session, catalog, report)
    await _load_edges(session, catalog, ids, report)
    return report


async def _load_muscles(session: AsyncSession, catalog: Catalog, report: LoadReport) -> None:
    existing = {m.id: m for m in (await session.exec(select(MuscleGroup))).all()}
    for order, entry in enumerate(catalog.muscles):
        row = existing.get(entry.slug)
        values: dict[str, Any] = {
            "name": entry.name,
            "body_region": entry.body_region,
            "sort_order": order,
        }
        if row is None:
            session.add(MuscleGroup(id=entry.slug, **values))
            report.created += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            report.updated += 1
    await session.flush()


async def _load_exercises(
    session: AsyncSession, catalog: Catalog, report: LoadReport
) -> dict[str, str]:
    curated = col(Exercise.organization_id).is_(None)
    rows = {e.slug: e for e in (await session.exec(select(Exercise).where(curated))).all()}
    muscles: dict[str, dict[str, bool]] = defaultdict(dict)
    links = await session.exec(select(ExerciseMuscle).join(Exercise).where(curated))
    for link in links.all():
        muscles[link.exercise_id][link.muscle_group_id] = link.is_primary
    now = utcnow()
    for entry in catalog.exercises:
        values: dict[str, Any] = {
            "name": entry.name,
            "aliases": entry.aliases,
            "movement_pattern": entry.pattern,
            "equipment": entry.equipment.value,
            "instructions": entry.instructions,
        }
        wanted = {m: True for m in entry.primary} | {m: False for m in entry.secondary}
        row = rows.get(entry.slug)
        if row is None:
            row = Exercise(slug=entry.slug, organization_id=None, **values)
            session.add(row)
            await session.flush()
            rows[entry.slug] = row
            report.created += 1
        else:
            stale = any(getattr(row, key) != value for key, value in values.items())
            if stale or row.archived_at is not None or muscles[row.id] != wanted:
                for key, value in values.items():
                    setattr(row, key, value)
                row.archived_at = None
                row.updated_at = now
                report.updated += 1
                report.changes.append(entry.slug)
            if muscles[row.id] == wanted:
                continue
            await session.exec(
                sa.delete(ExerciseMuscle).where(col(ExerciseMuscle.exercise_id) == row.id)
            )
        for muscle, is_primary in wanted.items():
            session.add(
                ExerciseMuscle(exercise_id=row.id, muscle_group_id=muscle, is_primary=is_primary)
            )
    listed = {entry.slug for entry in catalog.exercises}
    for slug, row in rows.items():
        if slug not in listed and row.archived_at is None:
            # Dropped from the file: archived, never deleted, so references keep working.
            row.archived_at = now
            report.archived += 1
    await session.flush()
    return {slug: row.id for slug, row in rows.items() if slug is not None}


async def _load_edges(
    session: AsyncSession, catalog: Catalog, ids: dict[str, str], report: LoadReport
) -> None:
    wanted: dict[tuple[str, str], ProgressionDirection] = {}
    for easier, harder in catalog.edges:
        wanted[(ids[easier], ids[harder])] = ProgressionDirection.HARDER
        wanted[(ids[harder], ids[easier])] = ProgressionDirection.EASIER
    curated = col(ExerciseProgression.organization_id).is_(None)
    existing = (await session.exec(select(ExerciseProgression).where(curated))).all()
    have: dict[tuple[str, str], ExerciseProgression] = {}
    for edge in existing:
        key = (edge.exercise_id, edge.related_exercise_id)
        if wanted.get(key) == edge.direction:
            have[key] = edge
        else:
            await session.delete(edge)
            report.edges_removed += 1
    await session.flush()
    # A team may already have linked the same pair; the curated edge then takes its place.
    team_edges = (
        await session.exec(
            select(ExerciseProgression).where(col(ExerciseProgression.organization_id).is_not(None))
        )
    ).all()
    for edge in team_edges:
        if (edge.exercise_id, edge.related_exercise_id) in wanted:
            await session.delete(edge)
    await session.flush()
    for (exercise_id, related_id), direction in wanted.items():
        if (exercise_id, related_id) not in have:
            session.add(
                ExerciseProgression(
                    exercise_id=exercise_id,
                    related_exercise_id=related_id,
                    direction=direction,
                    organization_id=None,
                )
            )
            report.edges_added += 1
    await session.flush()
