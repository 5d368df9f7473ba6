from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.catalog.loader import (
    CATALOG_FILE,
    LANGUAGES,
    CatalogError,
    load_catalog,
    parse_catalog,
)
from storage.models import Exercise, ExerciseProgression, MovementPattern
from storage.queries import exercises as q
from storage.schemas import ExerciseCreate
from tests.storage.helpers import make_team

BASE = {
    "muscle_groups": [
        {"slug": "quads", "name": "Quadriceps", "body_region": "lower"},
        {"slug": "glutes", "name": "Glutes", "body_region": "lower"},
    ],
    "exercises": [
        {
            "slug": s,
            "name": s.title(),
            "pattern": "squat",
            "equipment": "bodyweight",
            "primary": ["quads"],
            "instructions": "Sit down, stand up.",
        }
        for s in ("box-squat", "air-squat", "jump-squat")
    ],
    "progressions": [{"chain": "squat", "steps": ["box-squat", "air-squat", "jump-squat"]}],
}


def variant(**changes: object) -> str:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    for path, value in changes.items():
        section, index, key = path.split("__")
        data[section][int(index)][key] = value
    return yaml.safe_dump(data)


def test_the_shipped_catalog_is_valid_and_big_enough() -> None:
    catalog = parse_catalog(CATALOG_FILE.read_text())
    assert len(catalog.exercises) >= 250
    assert len(catalog.muscles) >= 20
    assert len(catalog.chains) >= 15 and len(catalog.edges) >= 60
    assert {e.pattern for e in catalog.exercises} == set(MovementPattern)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"exercises__0__primary": ["wings"]},
            "exercise 'box-squat': unknown muscle group 'wings'",
        ),
        ({"exercises__1__pattern": "jump"}, "exercises entry 2 (air-squat): pattern"),
        ({"exercises__2__slug": "box-squat"}, "exercise 'box-squat': duplicate slug"),
        ({"progressions__0__steps": ["box-squat", "nope"]}, "step 'nope' is not an exercise"),
        ({"exercises__0__primary": []}, "needs at least one primary"),
        ({"muscle_groups__1__body_region": "wings"}, "muscle_groups entry 2 (glutes)"),
        ({"exercises__0__slug": "Box Squat"}, "exercises entry 1 (Box Squat): slug"),
    ],
)
def test_bad_files_name_the_entry_and_the_problem(changes: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(variant(**changes), path=Path("library.yaml"))
    assert str(caught.value).startswith("library.yaml: ")
    assert message in str(caught.value)


def test_a_cycle_across_chains_is_refused() -> None:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    data["progressions"].append({"chain": "back", "steps": ["jump-squat", "box-squat"]})
    with pytest.raises(CatalogError, match=r"cycle: .*box-squat"):
        parse_catalog(yaml.safe_dump(data))


def test_not_yaml_is_refused() -> None:
    with pytest.raises(CatalogError, match="not valid YAML"):
        parse_catalog("exercises: [", path=Path("library.yaml"))


async def test_changed_entries_update_in_place_and_custom_rows_survive(
    session: AsyncSession,
) -> None:
    seat = await make_team(session)
    mine = await q.create_custom_exercise(
        session,
        organization_id=seat.organization_id,
        data=ExerciseCreate(
            name="My Squat", movement_pattern="squat", equipment="band", primary_muscles=["quads"]
        ),
    )
    first = await load_catalog(session, parse_catalog(yaml.safe_dump(BASE)))
    ids = {e.slug: e.id for e in (await session.exec(select(Exercise))).all() if e.slug}
    changed = yaml.safe_load(yaml.safe_dump(BASE))
    changed["exercises"][0]["name"] = "Box Squat (High)"
    changed["exercises"].pop(2)  # jump-squat leaves the file
    changed["progressions"][0]["steps"] = ["box-squat", "air-squat"]
    report = await load_catalog(session, parse_catalog(yaml.safe_dump(changed)))
    assert first.changed and report.updated >= 1 and report.edges_removed == 2
    assert report.archived >= 1
    rows = {e.slug: e for e in (await session.exec(select(Exercise))).all() if e.slug}
    assert rows["box-squat"].id == ids["box-squat"] and rows["box-squat"].name == "Box Squat (High)"
    assert rows["jump-squat"].archived_at is not None
    assert (await session.get(Exercise, mine.id)) is not None
    edges = (
        await session.exec(
            select(ExerciseProgression).where(col(ExerciseProgression.organization_id).is_(None))
        )
    ).all()
    assert len(edges) == 2


def test_names_in_other_languages_cover_the_most_programmed_lifts() -> None:
    catalog = parse_catalog(CATALOG_FILE.read_text(encoding="utf-8"))
    translated = [e for e in catalog.exercises if set(e.names) == set(LANGUAGES)]
    assert len(translated) >= 80
    assert {"back-squat", "deadlift", "bench-press", "pull-up"} <= {e.slug for e in translated}


@pytest.mark.parametrize(
    ("translations", "message"),
    [
        ([{"slug": "no-such-squat", "es": ["sentadilla"]}], "translations 'no-such-squat'"),
        ([{"slug": "box-squat", "xx": ["kniebeuge"]}], "xx"),
        ([{"slug": "box-squat", "de": [""]}], "names must be 1 to 100 characters"),
        (
            [{"slug": "box-squat", "de": ["a"]}, {"slug": "box-squat", "fr": ["b"]}],
            "duplicate slug",
        ),
        ({"box-squat": {"de": ["a"]}}, "not a list"),
    ],
)
def test_bad_translations_name_the_entry_and_the_problem(
    translations: object, message: str
) -> None:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    data["translations"] = translations
    with pytest.raises(CatalogError, match=message):
        parse_catalog(yaml.safe_dump(data, allow_unicode=True))
