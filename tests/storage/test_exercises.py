from __future__ import annotations

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import Conflict, InvalidInput, NotFound
from storage.models import BodyRegion, Equipment, Exercise, MovementPattern, ProgressionDirection
from storage.queries import exercises as q
from storage.schemas import ExerciseCreate, ExerciseUpdate, build_input
from tests.storage.helpers import make_team
from tests.worded import raises_worded


def custom(name: str = "Tempo Goblet Squat", **overrides: object) -> ExerciseCreate:
    values: dict[str, object] = {
        "name": name,
        "movement_pattern": MovementPattern.SQUAT,
        "equipment": Equipment.KETTLEBELL,
        "primary_muscles": ["quads"],
        "secondary_muscles": ["glutes"],
    }
    values.update(overrides)
    return build_input(ExerciseCreate, **values)


async def curated(session: AsyncSession, name: str) -> Exercise:
    found = await q.find_exercise_by_name(session, organization_id=None, name=name)
    assert found is not None, name
    return found


async def test_custom_exercises_are_visible_only_to_their_team(session: AsyncSession) -> None:
    ours, theirs = await make_team(session, "Ours"), await make_team(session, "Theirs")
    secret = await q.create_custom_exercise(
        session, organization_id=theirs.organization_id, data=custom("Secret Squat")
    )
    org = ours.organization_id
    with pytest.raises(NotFound):
        await q.get_exercise(session, organization_id=org, exercise_id=secret.id)
    with pytest.raises(NotFound):
        await q.get_exercise_card(session, organization_id=None, exercise_id=secret.id)
    assert await q.find_exercise_by_name(session, organization_id=org, name="Secret Squat") is None
    by_muscle = await q.list_exercises_by_muscle(
        session, organization_id=org, muscle_group_id="quads", limit=500
    )
    assert secret.id not in {e.id for e in by_muscle.items}
    by_pattern = await q.list_exercises_by_pattern(
        session, organization_id=org, pattern=MovementPattern.SQUAT, limit=500
    )
    assert secret.id not in {e.id for e in by_pattern.items}
    assert (await q.list_custom_exercises(session, organization_id=org)).total == 0
    theirs_list = await q.list_custom_exercises(session, organization_id=theirs.organization_id)
    assert [e.id for e in theirs_list.items] == [secret.id]


async def test_muscle_lists_put_primary_movers_first_and_counts_match(
    session: AsyncSession,
) -> None:
    page = await q.list_exercises_by_muscle(
        session, organization_id=None, muscle_group_id="glutes", limit=1000
    )
    card_flags = []
    for exercise in page.items:
        card = await q.get_exercise_card(session, organization_id=None, exercise_id=exercise.id)
        card_flags.append(any(m.id == "glutes" for m in card.primary))
    assert card_flags == sorted(card_flags, reverse=True)
    assert True in card_flags and False in card_flags
    counts = dict(
        (m.id, n)
        for m, n in await q.count_exercises_by_muscle(
            session, organization_id=None, region=BodyRegion.LOWER
        )
    )
    assert counts["glutes"] == page.total


async def test_archive_hides_from_lists_but_keeps_links(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    mine = await q.create_custom_exercise(session, organization_id=org, data=custom())
    goblet = await curated(session, "Goblet Squat")
    await q.add_progression(
        session,
        organization_id=org,
        exercise_id=goblet.id,
        related_exercise_id=mine.id,
        direction=ProgressionDirection.HARDER,
    )
    before = await q.count_exercises_by_muscle(
        session, organization_id=org, region=BodyRegion.LOWER
    )
    await q.set_exercise_archived(session, organization_id=org, exercise_id=mine.id, archived=True)
    after = await q.count_exercises_by_muscle(session, organization_id=org, region=BodyRegion.LOWER)
    assert (
        dict((m.id, n) for m, n in after)["quads"]
        == dict((m.id, n) for m, n in before)["quads"] - 1
    )
    listed = await q.list_exercises_by_muscle(
        session, organization_id=org, muscle_group_id="quads", limit=1000
    )
    assert mine.id not in {e.id for e in listed.items}
    card = await q.get_exercise_card(session, organization_id=org, exercise_id=goblet.id)
    harder = {e.id: e for e in card.harder}
    assert harder[mine.id].archived_at is not None
    await q.set_exercise_archived(session, organization_id=org, exercise_id=mine.id, archived=False)
    listed = await q.list_exercises_by_muscle(
        session, organization_id=org, muscle_group_id="quads", limit=1000
    )
    assert mine.id in {e.id for e in listed.items}


async def test_two_teams_may_link_the_same_curated_pair(session: AsyncSession) -> None:
    first, second = await make_team(session, "First"), await make_team(session, "Second")
    goblet = await curated(session, "Goblet Squat")
    zercher = await curated(session, "Zercher Squat")
    for seat, direction in [
        (first, ProgressionDirection.HARDER),
        (second, ProgressionDirection.EASIER),
    ]:
        await q.add_progression(
            session,
            organization_id=seat.organization_id,
            exercise_id=goblet.id,
            related_exercise_id=zercher.id,
            direction=direction,
        )
    first_card = await q.get_exercise_card(
        session, organization_id=first.organization_id, exercise_id=goblet.id
    )
    second_card = await q.get_exercise_card(
        session, organization_id=second.organization_id, exercise_id=goblet.id
    )
    assert zercher.id in {e.id for e in first_card.harder}
    assert zercher.id in {e.id for e in second_card.easier}
    assert zercher.id not in {e.id for e in second_card.harder}
    await q.remove_progression(
        session,
        organization_id=first.organization_id,
        exercise_id=goblet.id,
        related_exercise_id=zercher.id,
    )
    second_card = await q.get_exercise_card(
        session, organization_id=second.organization_id, exercise_id=goblet.id
    )
    assert zercher.id in {e.id for e in second_card.easier}


async def test_archived_only_lists_what_can_be_restored(session: AsyncSession) -> None:
    org = (await make_team(session)).organization_id
    live = await q.create_custom_exercise(session, organization_id=org, data=custom("Live"))
    gone = await q.create_custom_exercise(session, organization_id=org, data=custom("Gone"))
    await q.set_exercise_archived(session, organization_id=org, exercise_id=gone.id, archived=True)
    archived = await q.list_custom_exercises(session, organization_id=org, archived_only=True)
    assert [e.id for e in archived.items] == [gone.id]
    listed = await q.list_custom_exercises(session, organization_id=org)
    assert [e.id for e in listed.items] == [live.id]


async def test_custom_name_rules(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    await q.create_custom_exercise(session, organization_id=org, data=custom("Tempo Squat"))
    with raises_worded(Conflict, "already has"):
        await q.create_custom_exercise(session, organization_id=org, data=custom("tempo SQUAT"))
    with pytest.raises(InvalidInput):
        custom("Bad", primary_muscles=[])
    with pytest.raises(InvalidInput):
        custom("Bad", primary_muscles=["quads"], secondary_muscles=["quads"])
    with raises_worded(InvalidInput, "Unknown muscle"):
        await q.create_custom_exercise(
            session, organization_id=org, data=custom("X", primary_muscles=["wings"])
        )
    # Same name as a curated one is fine.
    await q.create_custom_exercise(session, organization_id=org, data=custom("Back Squat"))


async def test_curated_rows_cannot_be_edited_or_archived(session: AsyncSession) -> None:
    seat = await make_team(session)
    squat = await curated(session, "Back Squat")
    with pytest.raises(Conflict):
        await q.update_custom_exercise(
            session,
            organization_id=seat.organization_id,
            exercise_id=squat.id,
            changes=ExerciseUpdate(name="Mine now"),
        )
    with pytest.raises(Conflict):
        await q.set_exercise_archived(
            session, organization_id=seat.organization_id, exercise_id=squat.id, archived=True
        )


async def test_copy_to_team_keeps_the_curated_one(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    squat = await curated(session, "Back Squat")
    copy = await q.copy_exercise_to_team(session, organization_id=org, exercise_id=squat.id)
    again = await q.copy_exercise_to_team(session, organization_id=org, exercise_id=squat.id)
    assert (copy.name, again.name) == ("Back Squat", "Back Squat (copy)")
    await q.update_custom_exercise(
        session, organization_id=org, exercise_id=copy.id, changes=ExerciseUpdate(equipment="band")
    )
    fresh = await q.get_exercise_card(session, organization_id=org, exercise_id=squat.id)
    copied = await q.get_exercise_card(session, organization_id=org, exercise_id=copy.id)
    assert fresh.exercise.equipment == "barbell" and fresh.is_curated
    assert copied.exercise.equipment == "band" and not copied.is_curated
    assert [m.id for m in copied.primary] == [m.id for m in fresh.primary]


async def test_progression_rules(session: AsyncSession) -> None:
    seat, other = await make_team(session, "Ours"), await make_team(session, "Theirs")
    org = seat.organization_id
    a = await q.create_custom_exercise(session, organization_id=org, data=custom("A"))
    b = await q.create_custom_exercise(session, organization_id=org, data=custom("B"))
    c = await q.create_custom_exercise(session, organization_id=org, data=custom("C"))
    foreign = await q.create_custom_exercise(
        session, organization_id=other.organization_id, data=custom("F")
    )
    harder = ProgressionDirection.HARDER

    async def link(x: Exercise, y: Exercise, direction: ProgressionDirection = harder) -> None:
        await q.add_progression(
            session,
            organization_id=org,
            exercise_id=x.id,
            related_exercise_id=y.id,
            direction=direction,
        )

    await link(a, b)  # b harder than a
    await link(b, c)  # c harder than b
    card_b = await q.get_exercise_card(session, organization_id=org, exercise_id=b.id)
    assert [e.id for e in card_b.easier] == [a.id] and [e.id for e in card_b.harder] == [c.id]
    with raises_worded(Conflict, "itself"):
        await link(a, a)
    with raises_worded(Conflict, "already linked"):
        await link(a, b)
    with raises_worded(Conflict, "already linked"):
        await link(b, a)
    with raises_worded(Conflict, "loop"):
        await link(c, a)  # a harder than c, but c is already harder than a through b
    with pytest.raises(NotFound):
        await link(a, foreign)
    # Curated links are not removable; team links are, in both directions.
    push_up = await curated(session, "Push-Up")
    push_card = await q.get_exercise_card(session, organization_id=org, exercise_id=push_up.id)
    assert push_card.easier or push_card.harder
    neighbour = (push_card.easier or push_card.harder)[0]
    with raises_worded(Conflict, "curated"):
        await q.remove_progression(
            session, organization_id=org, exercise_id=push_up.id, related_exercise_id=neighbour.id
        )
    await q.remove_progression(
        session, organization_id=org, exercise_id=b.id, related_exercise_id=a.id
    )
    card_a = await q.get_exercise_card(session, organization_id=org, exercise_id=a.id)
    assert card_a.harder == []
    # The other team never sees our links on a curated exercise.
    await link(push_up, a, ProgressionDirection.HARDER)
    theirs = await q.get_exercise_card(
        session, organization_id=other.organization_id, exercise_id=push_up.id
    )
    assert a.id not in {e.id for e in theirs.harder}
    ours = await q.get_exercise_card(session, organization_id=org, exercise_id=push_up.id)
    assert a.id in ours.removable


async def test_every_curated_exercise_is_well_formed(session: AsyncSession) -> None:
    rows = (
        await session.exec(select(Exercise).where(col(Exercise.organization_id).is_(None)))
    ).all()
    assert len(rows) >= 250
    for row in rows[:40]:
        card = await q.get_exercise_card(session, organization_id=None, exercise_id=row.id)
        assert card.primary, row.slug


async def test_the_teams_copy_of_an_exercise_is_found_again(session: AsyncSession) -> None:
    seat, other = await make_team(session, "Ours"), await make_team(session, "Theirs")
    org = seat.organization_id
    squat = await curated(session, "Front Squat")
    assert await q.find_team_copy(session, organization_id=org, exercise_id=squat.id) is None
    copy = await q.copy_exercise_to_team(session, organization_id=org, exercise_id=squat.id)
    # Renamed and archived, it is still the team's copy; another team has none.
    await q.update_custom_exercise(
        session, organization_id=org, exercise_id=copy.id, changes=ExerciseUpdate(name="FS")
    )
    await q.set_exercise_archived(session, organization_id=org, exercise_id=copy.id, archived=True)
    found = await q.find_team_copy(session, organization_id=org, exercise_id=squat.id)
    assert found is not None and found.id == copy.id
    assert (
        await q.find_team_copy(session, organization_id=other.organization_id, exercise_id=squat.id)
        is None
    )
