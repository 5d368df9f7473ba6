"""bot.core.serialize gives exactly what PTB's `to_dict` gives (the inbox stores it; Telegram
reads the keyboards), on generated updates of every kind the bot handles."""

from __future__ import annotations

import datetime as dtm
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
    Video,
)
from telegram._utils.defaultvalue import DefaultValue

from bot.core.serialize import Keyboard, attribute_names, serialize_object

BOT = Bot("123:serialize-test")
texts = st.text(max_size=30)
ids = st.integers(min_value=1, max_value=2**40)
dates = st.integers(min_value=1_500_000_000, max_value=1_900_000_000)


def user() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"id": ids, "is_bot": st.booleans(), "first_name": texts},
        optional={"last_name": texts, "username": texts, "language_code": st.just("en")},
    )


def chat() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"id": ids, "type": st.sampled_from(["private", "group", "supergroup", "channel"])},
        optional={"first_name": texts, "title": texts, "username": texts},
    )


entity = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["bold", "bot_command", "url", "mention", "a_type_from_later"]),
        "offset": st.integers(0, 20),
        "length": st.integers(1, 20),
    }
)
button = st.one_of(
    st.fixed_dictionaries({"text": texts, "callback_data": texts}),
    st.fixed_dictionaries({"text": texts, "url": st.just("https://t.me/x")}),
    st.fixed_dictionaries({"text": texts, "switch_inline_query_current_chat": texts}),
)
# Not empty: PTB's to_dict leaves an empty keyboard out, so it would not read back. (Telegram
# drops an empty inline keyboard from the message it stores.)
keyboard = st.fixed_dictionaries(
    {"inline_keyboard": st.lists(st.lists(button, min_size=1, max_size=3), min_size=1, max_size=5)}
)
video = st.fixed_dictionaries(
    {
        "file_id": texts,
        "file_unique_id": texts,
        "width": st.integers(1, 999),
        "height": st.integers(1, 999),
        "duration": st.integers(0, 999),
    }
)
photo = st.lists(
    st.fixed_dictionaries(
        {"file_id": texts, "file_unique_id": texts, "width": st.integers(1, 99)}
    ).map(lambda size: {**size, "height": size["width"]}),
    min_size=1,
    max_size=3,
)
message = st.fixed_dictionaries(
    {"message_id": ids, "date": dates, "chat": chat()},
    optional={
        "from": user(),
        "text": texts,
        "entities": st.lists(entity, max_size=3),
        "edit_date": dates,
        "reply_markup": keyboard,
        "video": video,
        "photo": photo,
        "caption": texts,
        "contact": st.fixed_dictionaries({"phone_number": texts, "first_name": texts}),
        "location": st.fixed_dictionaries(
            {"latitude": st.floats(-90, 90), "longitude": st.floats(-180, 180)}
        ),
        # A field from a later Bot API: PTB keeps it in api_kwargs, and so must the copy.
        "future_field": st.dictionaries(texts, st.integers(), max_size=2),
    },
)
callback_query = st.fixed_dictionaries(
    {"id": texts, "from": user(), "chat_instance": texts},
    optional={"data": texts, "message": message, "inline_message_id": texts},
)
inline_query = st.fixed_dictionaries(
    {"id": texts, "from": user(), "query": texts, "offset": texts},
    optional={"chat_type": st.sampled_from(["sender", "private", "group"])},
)
member = st.fixed_dictionaries({"status": st.just("member"), "user": user()})


def leave(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "new_chat_member": {**data["old_chat_member"], "status": "left"}}


chat_member = st.fixed_dictionaries(
    {"chat": chat(), "from": user(), "date": dates, "old_chat_member": member},
).map(leave)
update_body = st.one_of(
    st.tuples(st.sampled_from(["message", "edited_message", "channel_post"]), message),
    st.tuples(st.just("callback_query"), callback_query),
    st.tuples(st.just("inline_query"), inline_query),
    st.tuples(st.just("my_chat_member"), chat_member),
)


@settings(max_examples=300, deadline=None)
@given(update_id=ids, body=update_body)
def test_an_update_serializes_as_ptb_does(update_id: int, body: tuple[str, Any]) -> None:
    kind, data = body
    update = Update.de_json({"update_id": update_id, kind: data}, BOT)
    ours = serialize_object(update)
    assert ours == update.to_dict()
    # And it reads back as the same update (what a replay from the inbox does).
    again = Update.de_json(json.loads(json.dumps(ours)), BOT)
    assert again.to_dict() == update.to_dict()


def test_periods_dates_defaults_and_empty_sequences_as_ptb() -> None:
    video = Video("f", "u", 1, 1, duration=dtm.timedelta(seconds=90))
    assert serialize_object(video) == video.to_dict() and video.to_dict()["duration"] == 90
    half = Video("f", "u", 1, 1, duration=dtm.timedelta(seconds=1.5))
    assert serialize_object(half) == half.to_dict()
    preview = LinkPreviewOptions(is_disabled=DefaultValue(True))
    assert serialize_object(preview) == preview.to_dict() == {"is_disabled": True}
    empty = InlineKeyboardMarkup([])
    assert serialize_object(empty) == empty.to_dict() == {}


def test_a_subclass_with_its_own_attributes_falls_back_to_ptb() -> None:
    class Tagged(InlineKeyboardButton):  # no __slots__: instances have a __dict__
        pass

    tagged = Tagged("a", callback_data="b")
    object.__setattr__(tagged, "extra", 7)
    assert attribute_names(Tagged) is None
    assert serialize_object(tagged) == tagged.to_dict() and tagged.to_dict()["extra"] == 7


def test_the_keyboard_is_sent_as_ptb_would_send_it() -> None:
    rows = [
        [
            InlineKeyboardButton("A", callback_data="a"),
            InlineKeyboardButton("B", url="https://t.me/x"),
        ]
    ]
    assert Keyboard(rows).to_dict() == InlineKeyboardMarkup(rows).to_dict()
    assert Keyboard(rows).to_dict(recursive=False) == InlineKeyboardMarkup(rows).to_dict(
        recursive=False
    )
    assert Keyboard(rows) == InlineKeyboardMarkup(rows)


def test_a_class_with_its_own_to_dict_keeps_it() -> None:
    class Stamped(InlineKeyboardButton):
        __slots__ = ()

        def to_dict(self, recursive: bool = True) -> dict[str, Any]:
            return {**super().to_dict(recursive), "stamped": True}

    assert attribute_names(Bot) is None  # Bot is a TelegramObject with a to_dict of its own
    markup = InlineKeyboardMarkup([[Stamped("a", callback_data="b")]])
    assert serialize_object(markup) == markup.to_dict()
    assert serialize_object(markup)["inline_keyboard"][0][0]["stamped"] is True
