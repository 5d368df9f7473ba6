"""Inline lookup in any chat: `@bot rdl` lists exercises; choosing one posts its card."""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)

from bot.context import SpotterContext, transactional
from bot.core.deep_links import LIBRARY
from bot.exercises import texts as exercise_texts
from bot.inline import keyboards, texts
from storage.queries.athletes import list_athlete_profiles
from storage.queries.exercises import ExerciseCard
from storage.queries.organizations import get_user_and_seat
from storage.queries.search import SearchHit, search_exercise_cards

PAGE_SIZE = 50  # Telegram's most per answer
CACHE_SECONDS = 10  # results are personal (the team's own exercises) and change as it edits
MAX_OFFSET = 100_000


def parse_offset(text: str) -> int:
    """The offset we handed out as next_offset; anything else starts from the top."""
    return int(text) if text.isdigit() and int(text) <= MAX_OFFSET else 0


async def library_of(context: SpotterContext, telegram_user_id: int) -> tuple[bool, str | None]:
    """(known to the bot, whose custom exercises to include). Read-only: an inline query from
    someone who never started the bot creates nothing."""
    user, seat = await get_user_and_seat(context.session, telegram_user_id=telegram_user_id)
    if user is None:
        return False, None
    if seat is not None:
        return True, seat.organization_id
    profiles = await list_athlete_profiles(context.session, user_id=user.id)
    return True, profiles[0][1].id if profiles else None


# Texts of curated cards by the card object's identity: storage hands out the same immutable
# card objects while the library is current (a new load brings new ones, and their old texts
# age out of here), and an inline answer shows up to 50 of them.
_CARD_TEXTS_MAX = 2048
_card_texts: dict[int, tuple[ExerciseCard, str]] = {}


def card_text(card: ExerciseCard) -> str:
    if not card.is_curated:
        return exercise_texts.exercise_card(card)
    held = _card_texts.get(id(card))
    if held is not None and held[0] is card:  # held, so its id can't have been reused
        return held[1]
    text = exercise_texts.exercise_card(card)
    _card_texts[id(card)] = (card, text)
    if len(_card_texts) > _CARD_TEXTS_MAX:
        del _card_texts[next(iter(_card_texts))]  # the oldest
    return text


def describe(hit: SearchHit) -> str:
    return texts.inline_description(hit.movement_pattern, hit.primary_muscles, hit.equipment)


@transactional
async def answer_inline_query(update: Update, context: SpotterContext) -> None:
    query = update.inline_query
    assert query is not None
    known, organization_id = await library_of(context, query.from_user.id)
    page, cards = await search_exercise_cards(
        context.session,
        organization_id=organization_id,
        query=query.query,
        offset=parse_offset(query.offset),
        limit=PAGE_SIZE,
    )
    await context.commit()
    # How sure the answer is goes above the first result of the first page.
    said = exercise_texts.search_outcome(query.query, page) if page.offset == 0 else None
    results = [
        InlineQueryResultArticle(
            id=hit.exercise_id,
            title=texts.inline_title(hit.name, curated=hit.is_curated),
            description=f"{said}\n{describe(hit)}" if said and n == 0 else describe(hit),
            input_message_content=InputTextMessageContent(card_text(cards[hit.exercise_id])),
            reply_markup=keyboards.open_in_bot(context.bot.username, hit.exercise_id),
        )
        for n, hit in enumerate(page.items)
        if hit.exercise_id in cards
    ]
    button = None
    if page.total == 0 and query.offset == "":
        button = InlineQueryResultsButton(texts.INLINE_NO_MATCH, start_parameter=LIBRARY.payload())
    elif not known:
        button = InlineQueryResultsButton(texts.INLINE_START, start_parameter=LIBRARY.payload())
    await query.answer(
        results,
        cache_time=CACHE_SECONDS,
        is_personal=True,
        next_offset=str(page.next_offset) if page.next_offset is not None else "",
        button=button,
    )
