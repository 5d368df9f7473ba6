"""Tests of the in-process Telegram Bot API fake, driven through a tiny real PTB Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)

from fake_telegram import (
    Fault,
    HTMLParseError,
    LocalBotAPI,
    LocalTelegram,
    LocalUser,
    parse_html,
    render_console,
)
from fake_telegram.html import parse_html_entities

AnyApp = Application[Any, Any, Any, Any, Any, Any]
INLINE_RESULTS = 120


def make_png(width: int, height: int) -> bytes:
    """A valid, tiny, all-black grayscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# ----------------------------------------------------------------- the tiny echo bot


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user and update.effective_message
    if context.args:
        await update.effective_message.reply_html(
            f"Started with <code>{html.escape(context.args[0])}</code>"
        )
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Save", callback_data="save:1"),
                InlineKeyboardButton("Docs", url="https://example.com/docs"),
            ]
        ]
    )
    name = html.escape(update.effective_user.first_name)
    await update.effective_message.reply_html(
        f"<b>Hello {name}</b> &amp; welcome", reply_markup=keyboard
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    if not query.data.startswith("save:"):
        await query.answer("Unknown action", show_alert=True)
        return
    await query.answer(f"Saved {query.data}")
    await query.edit_message_text(f"Saved <i>{html.escape(query.data)}</i>", parse_mode="HTML")


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    results = [
        InlineQueryResultArticle(
            id=f"{query.query}-{n}",
            title=f"{query.query} #{n}",
            input_message_content=InputTextMessageContent(
                f"<b>{html.escape(query.query)}</b> #{n}", parse_mode=ParseMode.HTML
            ),
        )
        for n in range(INLINE_RESULTS)
    ]
    await query.answer(results, auto_pagination=True, cache_time=5, is_personal=True)


async def on_slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message
    await asyncio.sleep(0.01)
    await update.effective_message.reply_text("slow done")


async def on_crash(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raise RuntimeError("boom")


def build_app(api: LocalBotAPI) -> AnyApp:
    app = ApplicationBuilder().token("123456:TEST-TOKEN").request(api).get_updates_request(api)
    application = app.build()
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CommandHandler("slow", on_slow, block=False))
    application.add_handler(CommandHandler("crash", on_crash))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline))
    return application


@pytest.fixture
def api() -> LocalBotAPI:
    return LocalBotAPI()


@pytest.fixture
async def app(api: LocalBotAPI) -> AsyncIterator[AnyApp]:
    application = build_app(api)
    await application.initialize()
    yield application
    if application.running:
        await application.stop()
    await application.shutdown()


@pytest.fixture
def tg(app: AnyApp, api: LocalBotAPI) -> LocalTelegram:
    return LocalTelegram(app, api)


@pytest.fixture
async def coach(tg: LocalTelegram) -> LocalUser:
    user = tg.user("coach", first_name="Cora", last_name="Lane", username="cora")
    await user.send("/start")
    return user


# ----------------------------------------------------------------- round trips


async def test_initialize_calls_get_me(app: AnyApp, api: LocalBotAPI) -> None:
    assert api.calls[0][0] == "getMe"
    assert app.bot.username == "SpotterTestBot"
    assert app.bot.first_name == "Spotter"
    assert app.bot.supports_inline_queries is True


async def test_send_and_reply_round_trip(coach: LocalUser, api: LocalBotAPI) -> None:
    assert coach.id == 1001
    assert coach.last_text() == "Hello Cora & welcome"
    assert coach.last_html() == "<b>Hello Cora</b> &amp; welcome"
    assert coach.buttons() == ["Save", "Docs"]
    assert coach.keyboard() == [["Save", "Docs"]]
    assert coach.last_message().console_text() == "**Hello Cora** & welcome"
    user_msg, bot_msg = coach.messages()
    assert (user_msg.message_id, user_msg.from_bot, user_msg.text) == (1, False, "/start")
    assert user_msg.entities == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert (bot_msg.message_id, bot_msg.from_bot, bot_msg.parse_mode) == (2, True, "HTML")
    assert bot_msg.entities == [{"type": "bold", "offset": 0, "length": 10}]
    # PTB's reply_* shortcuts do not quote in private chats (do_quote defaults per chat type).
    assert bot_msg.reply_to_message_id is None
    sent = api.calls_of("sendMessage")[0]
    assert sent["chat_id"] == coach.id


async def test_user_identity_is_stable(tg: LocalTelegram) -> None:
    first = tg.user("athlete")
    assert tg.user("athlete") is first
    assert tg.user("other").id == first.id + 1


async def test_press_answers_and_edits(coach: LocalUser) -> None:
    message = coach.last_message()
    update = await coach.press("Save")
    assert update.callback_query is not None
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == message.message_id
    assert coach.last_answer == "Saved save:1"
    assert message.edit_count == 1 and message.edited
    assert coach.last_text() == "Saved save:1"
    # The edit did not repeat the keyboard, so Telegram removed it.
    assert coach.buttons() == []
    with pytest.raises(LookupError):
        await coach.press("Save")


async def test_press_by_callback_data_and_errors(coach: LocalUser) -> None:
    with pytest.raises(LookupError, match="'Save', 'Docs'"):
        await coach.press("Nope")
    with pytest.raises(ValueError, match="url button"):
        await coach.press("Docs")
    await coach.press("save:1")
    assert coach.last_answer == "Saved save:1"


async def test_press_data_forged(coach: LocalUser, api: LocalBotAPI) -> None:
    message = coach.last_message()
    await coach.press_data("admin:delete-all")
    assert coach.last_answer == "Unknown action"
    assert coach.last_callback is not None and coach.last_callback.show_alert
    assert not message.edited
    assert api.callback_queries[coach.last_callback.id].data == "admin:delete-all"


async def test_inline_paging(tg: LocalTelegram) -> None:
    user = tg.user("athlete")
    first = await user.inline("squat")
    assert len(first.results) == 50
    assert first.next_offset == "1"
    assert first.is_personal and first.cache_time == 5
    assert first.results[0]["input_message_content"]["message_text"] == "<b>squat</b> #0"
    second = await user.inline("squat", offset=first.next_offset)
    third = await user.inline("squat", offset=second.next_offset)
    assert (len(second.results), second.next_offset) == (50, "2")
    assert (len(third.results), third.next_offset) == (INLINE_RESULTS - 100, "")
    assert third.results[-1]["id"] == f"squat-{INLINE_RESULTS - 1}"


async def test_inline_without_answer_raises(api: LocalBotAPI) -> None:
    application = ApplicationBuilder().token("1:T").request(api).get_updates_request(api).build()
    await application.initialize()
    user = LocalTelegram(application, api).user("lurker")
    with pytest.raises(LookupError, match="did not answer"):
        await user.inline("x")
    await application.shutdown()


async def test_open_link(tg: LocalTelegram) -> None:
    user = tg.user("athlete")
    await user.open_link("https://t.me/SpotterTestBot?start=abc-1")
    assert user.messages()[0].text == "/start abc-1"
    assert user.last_text() == "Started with abc-1"
    # Re-opening the bot without a parameter sends nothing.
    assert await user.open_link("t.me/spottertestbot") is None
    await user.open_link("tg://resolve?domain=SpotterTestBot&start=xyz")
    assert user.last_text() == "Started with xyz"
    with pytest.raises(ValueError, match="not for @SpotterTestBot"):
        await user.open_link("https://t.me/OtherBot?start=abc")
    with pytest.raises(ValueError, match="invalid start parameter"):
        await user.open_link("https://t.me/SpotterTestBot?start=a%20b")


async def test_concurrent_users(tg: LocalTelegram, api: LocalBotAPI) -> None:
    users = [tg.user(f"user{n}") for n in range(10)]
    updates = await asyncio.gather(*(u.send("/start") for u in users))
    assert len({u.update_id for u in updates}) == 10
    for user in users:
        assert [m.message_id for m in user.messages()] == [1, 2]
        assert user.last_text() == f"Hello {user.record.first_name} & welcome"


@pytest.mark.filterwarnings("ignore:Tasks created via `Application.create_task`")
async def test_non_blocking_handler_is_awaited(tg: LocalTelegram) -> None:
    user = tg.user("athlete")
    await user.send("/slow")
    assert user.last_text() == "slow done"


async def test_capture_errors(app: AnyApp, api: LocalBotAPI) -> None:
    tg = LocalTelegram(app, api, capture_errors=True)
    await tg.user("athlete").send("/crash")
    assert [str(e) for e in tg.errors] == ["boom"]
    with pytest.raises(AssertionError):
        tg.assert_no_errors()


async def test_queue_delivery(app: AnyApp, api: LocalBotAPI) -> None:
    tg = LocalTelegram(app, api, delivery="queue")
    await app.start()
    user = tg.user("athlete")
    await asyncio.gather(user.send("/start"), tg.user("b").send("/start"))
    assert user.last_text() == "Hello Athlete & welcome"
    await app.stop()


async def test_wait_idle_times_out_when_app_not_running(tg: LocalTelegram) -> None:
    tg.enqueue(tg.make_message_update(tg.user("athlete"), "/start"))
    with pytest.raises(TimeoutError, match="started"):
        await tg.wait_idle(timeout=0.05)


async def test_polling_delivery(app: AnyApp, api: LocalBotAPI) -> None:
    assert app.updater is not None
    tg = LocalTelegram(app, api, delivery="polling")
    await app.updater.start_polling(poll_interval=0.0, timeout=dtm.timedelta(seconds=5))
    await app.start()
    user = tg.user("athlete")
    await user.send("/start")
    assert user.last_text() == "Hello Athlete & welcome"
    await user.press("Save")
    assert user.last_answer == "Saved save:1"
    await app.updater.stop()
    await app.stop()
    assert api.calls_of("deleteWebhook")
    # PTB's final getUpdates confirmed everything.
    assert api.pending_updates == []


async def test_get_updates_offset_and_conflict(app: AnyApp, api: LocalBotAPI) -> None:
    first = api.push_update({"update_id": 10})
    assert first == 10
    raw = [{"update_id": 11}, {"update_id": 12}]
    for item in raw:
        api.push_update(item)
    updates = await app.bot.get_updates(offset=11, timeout=0)
    assert [u.update_id for u in updates] == [11, 12]
    assert [u["update_id"] for u in api.pending_updates] == [11, 12]
    assert await app.bot.get_updates(offset=13, timeout=1) == ()
    await app.bot.set_webhook("https://example.com/hook", secret_token="s3cret")
    with pytest.raises(Conflict):
        await app.bot.get_updates()


async def test_arbitrary_callback_data(api: LocalBotAPI) -> None:
    pytest.importorskip("cachetools")  # PTB's [callback-data] extra
    seen: list[object] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message
        button = InlineKeyboardButton("Pick", callback_data=("pick", 42))
        await update.effective_message.reply_text(
            "choose", reply_markup=InlineKeyboardMarkup([[button]])
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query
        seen.append(update.callback_query.data)
        await update.callback_query.answer()

    application = (
        ApplicationBuilder()
        .token("1:T")
        .request(api)
        .get_updates_request(api)
        .arbitrary_callback_data(True)
        .build()
    )
    application.add_handlers([CommandHandler("start", start), CallbackQueryHandler(pressed)])
    await application.initialize()
    user = LocalTelegram(application, api).user("athlete")
    await user.send("/start")
    await user.press("Pick")
    assert seen == [("pick", 42)]
    assert user.last_callback is not None and user.last_callback.answered
    assert user.last_answer is None
    await application.shutdown()


async def test_reply_keyboard(app: AnyApp, coach: LocalUser) -> None:
    from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Share phone", request_contact=True)]])
    await app.bot.send_message(coach.id, "phone?", reply_markup=keyboard)
    assert coach.reply_keyboard() == [["Share phone"]]
    assert coach.buttons() == ["Save", "Docs"]  # inline keyboard of the welcome message
    await app.bot.send_message(coach.id, "thanks", reply_markup=ReplyKeyboardRemove())
    assert coach.reply_keyboard() == []


# ----------------------------------------------------------------- refusals


async def test_chat_not_found_and_blocked(app: AnyApp, tg: LocalTelegram, coach: LocalUser) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.send_message(424242, "hi")
    stranger = tg.user("stranger")
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.send_message(stranger.id, "hi")
    # Known from an inline query but never opened the chat.
    await stranger.inline("x")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await app.bot.send_message(stranger.id, "hi")
    coach.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(coach.id, "hi")
    # Writing to the bot again unblocks it.
    await coach.send("hello again")
    await app.bot.send_message(coach.id, "welcome back")
    assert coach.last_text() == "welcome back"


async def test_text_refusals(app: AnyApp, coach: LocalUser) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await app.bot.send_message(coach.id, "  \n ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await app.bot.send_message(coach.id, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await app.bot.send_message(coach.id, "x" * 4097)
    with pytest.raises(BadRequest, match="Message is too long"):
        await app.bot.send_message(coach.id, "😀" * 2049)  # 4098 UTF-16 code units
    await app.bot.send_message(coach.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await app.bot.send_message(coach.id, "a < b & c")  # no parse_mode: literal
    assert coach.last_text() == "a < b & c"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<foo>x</foo>", 'can\'t parse entities: unsupported start tag "foo" at byte offset 0'),
        ("<b>x", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", "unmatched end tag"),
        ("a < b", 'unsupported start tag ""'),
        ("<b>Lee & Jo</b>", "can't parse entities"),
        ('<span class="x">y</span>', 'must have class "tg-spoiler"'),
    ],
)
async def test_html_refusals(app: AnyApp, coach: LocalUser, text: str, fragment: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await app.bot.send_message(coach.id, text, parse_mode="HTML")
    # PTB strips "Bad Request: " and capitalize()s the rest (lower-casing it).
    assert fragment.lower() in caught.value.message.lower()


async def test_keyboard_refusals(app: AnyApp, coach: LocalUser) -> None:
    def markup(**button: Any) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(**button)]])

    cases = [
        (markup(text="x", callback_data="é" * 33), "Button_data_invalid"),  # 66 bytes
        (markup(text="x", callback_data=""), "Button_data_invalid"),
        (markup(text="x", url="example.com"), "Button_url_invalid"),
        (markup(text=" ", callback_data="a"), "Button_text_invalid"),
        (markup(text="x", callback_data="a", url="https://e.com"), "exactly one of"),
        (markup(text="x"), "text buttons are unallowed"),
    ]
    for reply_markup, fragment in cases:
        with pytest.raises(BadRequest, match=fragment):
            await app.bot.send_message(coach.id, "hi", reply_markup=reply_markup)
    await app.bot.send_message(
        coach.id, "ok", reply_markup=markup(text="x", callback_data="é" * 32)
    )


async def test_edit_and_delete_refusals(app: AnyApp, coach: LocalUser) -> None:
    message = coach.last_message()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Save", callback_data="save:1")]])
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("x", chat_id=coach.id, message_id=999)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_text(
            # Different source, same rendered text and entities: still "not modified".
            "<strong>Hello Cora</strong> &amp; welcome",
            chat_id=coach.id,
            message_id=message.message_id,
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("Save", callback_data="save:1"),
                        InlineKeyboardButton("Docs", url="https://example.com/docs"),
                    ]
                ]
            ),
        )
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await app.bot.edit_message_text("x", chat_id=coach.id, message_id=1)
    with pytest.raises(BadRequest, match="Message_too_long"):
        await app.bot.edit_message_text("x" * 5000, chat_id=coach.id, message_id=2)
    await app.bot.edit_message_reply_markup(coach.id, message.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_reply_markup(coach.id, message.message_id, reply_markup=keyboard)
    photo = await app.bot.send_photo(coach.id, make_png(10, 10), caption="pic")
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await app.bot.edit_message_text("x", chat_id=coach.id, message_id=photo.message_id)
    with pytest.raises(BadRequest, match="There is no caption in the message to edit"):
        await app.bot.edit_message_caption(coach.id, message.message_id, caption="x")
    edited = await app.bot.edit_message_caption(
        coach.id, photo.message_id, caption="<i>new</i>", parse_mode="HTML"
    )
    assert isinstance(edited, type(photo)) and edited.caption == "new"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await app.bot.edit_message_caption(
            coach.id, photo.message_id, caption="<i>new</i>", parse_mode="HTML"
        )
    assert await app.bot.delete_message(coach.id, message.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await app.bot.delete_message(coach.id, message.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("x", chat_id=coach.id, message_id=message.message_id)
    assert message.deleted and message not in coach.bot_messages()
    assert await app.bot.delete_messages(coach.id, [photo.message_id, 12345])
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await app.bot.send_message(coach.id, "x", reply_to_message_id=999)


async def test_callback_answer_refusals(app: AnyApp, coach: LocalUser, tg: LocalTelegram) -> None:
    await coach.press("Save")
    query_id = coach.last_callback.id if coach.last_callback else ""
    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query("nope")
    record = tg.api.register_callback_query(coach.id, coach.last_message(), "x")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await app.bot.answer_callback_query(record.id, text="x" * 201)
    assert not record.answered
    await app.bot.answer_callback_query(record.id, text="x" * 200)
    assert record.answered and record.text == "x" * 200


async def test_inline_answer_refusals(app: AnyApp, api: LocalBotAPI, tg: LocalTelegram) -> None:
    user = tg.user("athlete")

    def article(result_id: str, text: str = "hi", parse_mode: str | None = None) -> Any:
        content = InputTextMessageContent(text, parse_mode=parse_mode)
        return InlineQueryResultArticle(result_id, "t", content)

    def new_query() -> str:
        return api.register_inline_query(user.id, "q").id

    cases: list[tuple[dict[str, Any], str]] = [
        ({"results": [article(str(n)) for n in range(51)]}, "Results_too_much"),
        ({"results": [article("a"), article("a")]}, "Result_id_duplicate"),
        ({"results": [article("x" * 65)]}, "Result_id_invalid"),
        ({"results": [article("a")], "next_offset": "9" * 65}, "Next_offset_invalid"),
        ({"results": [article("a", "<b>x", "HTML")]}, "Can't parse entities"),
        (
            {
                "results": [],
                "button": InlineQueryResultsButton("Go", start_parameter="bad param"),
            },
            "Start_param_invalid",
        ),
    ]
    for kwargs, fragment in cases:
        query_id = new_query()
        with pytest.raises(BadRequest, match=fragment):
            await app.bot.answer_inline_query(query_id, **kwargs)
        assert api.inline_queries[query_id].answer is None
    query_id = new_query()
    button = InlineQueryResultsButton("Open Spotter", start_parameter="from_inline")
    await app.bot.answer_inline_query(query_id, [article("a")], button=button)
    answer = api.inline_queries[query_id].answer
    assert answer is not None and answer.button == {
        "text": "Open Spotter",
        "start_parameter": "from_inline",
    }
    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_inline_query(query_id, [article("a")])


async def test_caption_too_long(app: AnyApp, coach: LocalUser) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await app.bot.send_photo(coach.id, make_png(4, 4), caption="x" * 1025)


# ----------------------------------------------------------------- files and settings


async def test_photo_upload_get_file_and_reuse(
    app: AnyApp, api: LocalBotAPI, coach: LocalUser
) -> None:
    png = make_png(320, 200)
    sent = await app.bot.send_photo(coach.id, png, caption="<b>QR</b>", parse_mode="HTML")
    assert [(p.width, p.height) for p in sent.photo] == [(90, 56), (320, 200)]
    stored = coach.last_message()
    assert stored.photo == png and stored.photo_file_id == sent.photo[-1].file_id
    assert coach.last_text() == "QR" and coach.last_html() == "<b>QR</b>"
    tg_file = await app.bot.get_file(sent.photo[-1].file_id)
    assert bytes(await tg_file.download_as_bytearray()) == png
    again = await app.bot.send_photo(coach.id, sent.photo[-1].file_id)
    assert again.photo[-1].file_unique_id == sent.photo[-1].file_unique_id
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await app.bot.send_photo(coach.id, b"not an image")
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await app.bot.send_photo(coach.id, "no-such-file-id")
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await app.bot.get_file("no-such-file-id")


async def test_send_document_and_chat_action(
    app: AnyApp, api: LocalBotAPI, coach: LocalUser
) -> None:
    sent = await app.bot.send_document(coach.id, b"a,b\n1,2\n", filename="plan.csv")
    assert sent.document is not None and sent.document.file_name == "plan.csv"
    assert coach.last_message().document_bytes == b"a,b\n1,2\n"
    assert await app.bot.send_chat_action(coach.id, "typing")
    assert api.chat_actions == [(coach.id, "typing")]
    chat = await app.bot.get_chat(coach.id)
    assert (chat.first_name, chat.last_name, chat.username, chat.type) == (
        "Cora",
        "Lane",
        "cora",
        "private",
    )


async def test_commands_menu_and_webhook(app: AnyApp, api: LocalBotAPI, coach: LocalUser) -> None:
    from telegram import BotCommand, BotCommandScopeChat, MenuButtonCommands

    await app.bot.set_my_commands([BotCommand("start", "Start"), BotCommand("plan", "Plan")])
    scope = BotCommandScopeChat(coach.id)
    await app.bot.set_my_commands([BotCommand("coach", "Coach tools")], scope=scope)
    await app.bot.set_my_commands([BotCommand("start", "Los")], language_code="de")
    assert [c.command for c in await app.bot.get_my_commands()] == ["start", "plan"]
    assert [c.command for c in await app.bot.get_my_commands(scope=scope)] == ["coach"]
    assert [c.description for c in await app.bot.get_my_commands(language_code="de")] == ["Los"]
    await app.bot.delete_my_commands(scope=scope)
    assert await app.bot.get_my_commands(scope=scope) == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await app.bot.set_my_commands([BotCommand("Bad-Name", "x")])

    await app.bot.set_chat_menu_button(coach.id, MenuButtonCommands())
    assert (await app.bot.get_chat_menu_button(coach.id)).type == "commands"
    assert (await app.bot.get_chat_menu_button()).type == "default"

    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        await app.bot.set_webhook("http://example.com/hook")
    await app.bot.set_webhook(
        "https://example.com/hook", secret_token="s3cret", allowed_updates=["message"]
    )
    info = await app.bot.get_webhook_info()
    assert (info.url, info.allowed_updates) == ("https://example.com/hook", ("message",))
    assert api.webhook.secret_token == "s3cret"
    assert [c["command"] for c in api.commands_for()] == ["start", "plan"]
    await app.bot.delete_webhook()
    assert (await app.bot.get_webhook_info()).url == ""
    assert await app.bot.log_out() and await app.bot.close()


async def test_unknown_method_recorded(app: AnyApp, api: LocalBotAPI, coach: LocalUser) -> None:
    with pytest.raises(InvalidToken):
        await app.bot.send_dice(coach.id)
    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("sendSomethingNew", api_kwargs={"chat_id": coach.id})
    assert [name for name, _ in api.unknown_calls] == ["sendDice", "sendSomethingNew"]
    with pytest.raises(AssertionError, match="sendDice, sendSomethingNew"):
        api.assert_no_unknown_calls()


# ----------------------------------------------------------------- fault injection


async def test_fault_retry_after(
    app: AnyApp, api: LocalBotAPI, coach: LocalUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # opt in to PTB's timedelta retry_after
    before = len(coach.messages())
    api.fail_next("sendMessage", Fault.retry_after(7))
    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(coach.id, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert len(coach.messages()) == before  # a failed call changes nothing
    await app.bot.send_message(coach.id, "hi")
    assert coach.last_text() == "hi"
    assert len(api.calls_of("sendmessage")) == 3  # /start reply + failed + ok


async def test_fault_kinds_and_times(app: AnyApp, api: LocalBotAPI, coach: LocalUser) -> None:
    api.fail_next("sendMessage", Fault.timeout(), times=2)
    for _ in range(2):
        with pytest.raises(TimedOut):
            await app.bot.send_message(coach.id, "hi")
    api.fail_next("sendMessage", Fault.server_error())
    with pytest.raises(NetworkError) as caught:
        await app.bot.send_message(coach.id, "hi")
    assert not isinstance(caught.value, BadRequest) and "Bad Gateway" in str(caught.value)
    api.fail_next("sendMessage", Fault.blocked())
    with pytest.raises(Forbidden, match="blocked"):
        await app.bot.send_message(coach.id, "hi")
    api.fail_next("*", Fault.bad_request("custom trouble"))
    with pytest.raises(BadRequest, match="Custom trouble"):
        await app.bot.send_chat_action(coach.id, "typing")
    assert coach.last_text() == "Hello Cora & welcome"
    api.fail_all("editMessageText", Fault.bad_request("nope"))
    for _ in range(3):
        with pytest.raises(BadRequest):
            await app.bot.edit_message_text("x", chat_id=coach.id, message_id=2)
    api.clear_faults()
    await app.bot.edit_message_text("x", chat_id=coach.id, message_id=2)
    assert coach.last_text() == "x"


async def test_fault_timeout_after_delivery(
    app: AnyApp, api: LocalBotAPI, coach: LocalUser
) -> None:
    api.fail_next("sendMessage", Fault.timeout(after_delivery=True))
    with pytest.raises(TimedOut):
        await app.bot.send_message(coach.id, "delivered anyway")
    assert coach.last_text() == "delivered anyway"


async def test_fault_during_handler_reaches_error_handler(
    app: AnyApp, api: LocalBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    tg = LocalTelegram(app, api, capture_errors=True)
    api.fail_next("sendMessage", Fault.retry_after(3))
    await tg.user("athlete").send("/start")
    assert [type(e) for e in tg.errors] == [RetryAfter]


async def test_listener_sees_bot_activity(api: LocalBotAPI, coach: LocalUser) -> None:
    seen: list[str] = []
    api.add_listener(lambda event: seen.append(event.kind))
    await coach.press("Save")
    assert seen == ["callback_answer", "edited"]


# ----------------------------------------------------------------- HTML unit tests


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        ("<b>Lee &amp; &quot;Jo&quot;</b>", 'Lee & "Jo"'),
        ("&lt;tag&gt; &#65;&#x42;", "<tag> AB"),
        ("<B>loud</b>", "loud"),  # start tags are case-insensitive, end tags are not
        ('<a href="https://x.io/?a=1&amp;b=2">link</a>', "link"),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
        ("<blockquote expandable>q</blockquote>", "q"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        (
            "<s>a</s><strike>b</strike><del>c</del><u>d</u><ins>e</ins><em>f</em><strong>g</strong>",
            "abcdefg",
        ),
        ("<b>a <i>b</></b>", "a b"),
    ],
)
def test_parse_html_valid(source: str, plain: str) -> None:
    assert parse_html(source) == plain


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ('<b>Lee & "Jo"</b>', "Unsupported character entity at byte offset 7"),
        ("&amp no semicolon", "Unsupported character entity at byte offset 0"),
        ("&nbsp;", "Unsupported character entity"),
        ("<foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("ü<foo>", 'Unsupported start tag "foo" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<a>x</a>", 'Tag "a" must have a non-empty "href"'),
        ("<b class>x</b>", 'Expected equal sign in declaration of an attribute of the tag "b"'),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<B>x</B>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</B>"'),
    ],
)
def test_parse_html_invalid(source: str, detail: str) -> None:
    with pytest.raises(HTMLParseError) as caught:
        parse_html(source)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == f"can't parse entities: {detail}" or detail in str(caught.value)


def test_parse_html_entities_offsets_are_utf16() -> None:
    parsed = parse_html_entities('😀 <b>x</b> <pre><code class="language-py">c</code></pre>')
    assert parsed.api_entities() == [
        {"type": "bold", "offset": 3, "length": 1},
        {"type": "pre", "offset": 5, "length": 1, "language": "py"},
    ]


def test_render_console() -> None:
    text = '<b>Bold <i>both</i></b> <code>x</code> <a href="https://e.com">site</a> &amp;'
    assert render_console(text) == "**Bold _both_** `x` site (https://e.com) &"
    assert render_console("<b>broken") == "<b>broken"
