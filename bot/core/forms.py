"""The form kit: guided forms (a question per step, a summary, edit a field, cancel) that all run
inside ONE conversation, so a user has at most one open form at a time.

A feature declares its form and the steps' handlers; `app.py` lists it in `forms_conversation`:

    FORM = Form(
        "new_program",
        what="creating a program",          # "You're in the middle of creating a program."
        order=[NAME, WEEKS],                # the questions, in order; then the summary
        ask=ask,                            # async (update, context, step, note) -> None
        summary=show_summary,               # async (update, context, note) -> None
        buttons=(ProgramSave, ProgramEdit), # this form's button kinds (stale / closed answers)
        closed=texts.PROGRAM_FORM_CLOSED,   # a press on them after the form ended
    )

    @coach_action()
    async def start(update, context, coach) -> str:
        FORM.start(context)                 # a fresh draft, with a pre-assigned "id"
        return await FORM.ask_step(update, context, NAME)

    @coach_action()
    async def receive_name(update, context, coach) -> str:
        FORM.draft(context)[NAME] = clean(update.message.text)
        return await FORM.advance(update, context, NAME)   # next question, or the summary

    # app.py
    FormRoutes(FORM, entries=[CommandHandler("newprogram", start)],
               states={NAME: [MessageHandler(TEXT, receive_name)], ...})

Handlers return their form's own step names (or END); the kit namespaces them, remembers which
form and step are open, and drops the form's user_data keys when it ends. Shared by every form:
- starting another form, or /start, asks "finish or drop the current form?" (Drop starts what
  was asked for); /cancel ends whichever form is open;
- read-only commands (/help, /exercises, /athletes, /me) work mid-form, then repeat the step;
- other commands, text at a button step, non-text, and buttons of an earlier step get a hint and
  keep the step; a form's button pressed after it ended is answered "closed".
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import Handler, SpotterContext, transactional
from bot.core import texts as core_texts
from bot.core.actions import REPLAY_ATTR
from bot.core.callbacks import CallbackData, CallbackKind, family_pattern
from bot.core.keyboards import Keyboard
from bot.replies import REPLAYING_ATTR, answer, send, show
from storage.models.base import new_id

END = ConversationHandler.END
CONVERSATION = "forms"
OPEN_KEY = "open_form"  # {"form": name, "step": step, "at": last touched} while a form is open
PENDING_KEY = "form_pending"  # what was asked for while a form was open: {"target", "data"}
SUMMARY = "summary"
TOUCH_EVERY = timedelta(minutes=1)  # how often an open form's "last touched" is moved
PICK_FIELD = "pick_field"
START_TARGET = "start"

BARE_START = filters.Regex(r"^/start(@\w+)?$")
# Cards posted with inline mode (via_bot) into our own chat are not answers to anything.
TEXT = filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT
NOT_TEXT = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL & ~filters.VIA_BOT

# What these return is ignored (a form's own helpers may return the step they asked).
Ask = Callable[[Update, SpotterContext, str, str | None], Coroutine[Any, Any, object]]
Summary = Callable[[Update, SpotterContext, str | None], Coroutine[Any, Any, object]]
Remind = Callable[[Update, SpotterContext, str, str], Coroutine[Any, Any, object]]
Hook = Callable[[Update, SpotterContext], Coroutine[Any, Any, object]]
AnyHandler = BaseHandler[Any, Any, Any]


class FormContinue(CallbackData, prefix="fmk"):
    """'Finish it first': back to the open form's step."""


class FormDrop(CallbackData, prefix="fmx"):
    """'Drop it': end the open form and start what was asked for."""


@dataclass
class Form:
    name: str
    what: str
    ask: Ask
    order: Sequence[str] = ()
    summary: Summary | None = None
    remind: Remind | None = None
    buttons: Sequence[type[CallbackData] | CallbackKind] = ()
    closed: str = core_texts.FORM_CLOSED
    # The user_data keys this form owns besides its draft: all dropped when it ends.
    keys: Sequence[str] = ()
    draft_defaults: Callable[[], dict[str, Any]] = dict
    # What /cancel says (after which the form's keys are dropped); default "Cancelled".
    on_cancel: Hook | None = None
    button_hint: str = core_texts.USE_THE_BUTTONS
    # Per step, when text at that button step needs its own hint (e.g. "... or /skip").
    step_hints: Mapping[str, str] = field(default_factory=dict)
    # A one-question form (a typed change from a card) just starts over when entered again
    # while open: nothing typed would be lost.
    restarts: bool = False

    @property
    def draft_key(self) -> str:
        return f"{self.name}_draft"

    # --- the draft ------------------------------------------------------------------------

    def start(self, context: SpotterContext) -> dict[str, Any]:
        """A fresh draft carrying the id of what Save will create (so two Saves create one)."""
        draft = {"id": new_id(), **self.draft_defaults()}
        _user_data(context)[self.draft_key] = draft
        return draft

    def draft(self, context: SpotterContext) -> dict[str, Any]:
        draft: dict[str, Any] = _user_data(context).setdefault(
            self.draft_key, {"id": new_id(), **self.draft_defaults()}
        )
        return draft

    def close(self, context: SpotterContext) -> None:
        user_data = _user_data(context)
        for key in (self.draft_key, *self.keys):
            user_data.pop(key, None)

    # --- moving through the steps --------------------------------------------------------

    async def ask_step(
        self, update: Update, context: SpotterContext, step: str, note: str | None = None
    ) -> str:
        await self.ask(update, context, step, note)
        return step

    async def show_summary(
        self, update: Update, context: SpotterContext, note: str | None = None
    ) -> str:
        assert self.summary is not None, f"form {self.name} has no summary"
        self.draft(context).pop("editing", None)
        await self.summary(update, context, note)
        return SUMMARY

    def edit(self, context: SpotterContext, step: str) -> None:
        """From the summary's "Edit a field": after this step's answer, back to the summary."""
        self.draft(context)["editing"] = step

    async def advance(
        self, update: Update, context: SpotterContext, step: str, note: str | None = None
    ) -> str:
        """After a valid answer: the summary when editing a field or after the last step, else
        the next question."""
        if self.draft(context).get("editing") or step == self.order[-1]:
            return await self.show_summary(update, context, note)
        return await self.ask_step(update, context, self.order[self.order.index(step) + 1], note)

    async def repeat(self, update: Update, context: SpotterContext, step: str, note: str) -> None:
        """Show the open step again (after /help, a read-only command, or "Finish it first")."""
        if self.remind is not None:
            await self.remind(update, context, step, note)
        elif step == SUMMARY and self.summary is not None:
            await self.summary(update, context, note)
        else:
            await self.ask(update, context, step, note)


@dataclass
class FormRoutes:
    """A form and its handlers: how it starts, and what each step accepts."""

    form: Form
    entries: list[AnyHandler]
    states: dict[str, list[AnyHandler]] = field(default_factory=dict)


def _user_data(context: SpotterContext) -> dict[Any, Any]:
    assert context.user_data is not None
    return context.user_data


def state_of(form: Form, step: str) -> str:
    return f"{form.name}:{step}"


def open_form(context: SpotterContext) -> dict[str, str] | None:
    """{"form": name, "step": step} of the user's open form, or None."""
    record = _user_data(context).get(OPEN_KEY)
    return record if isinstance(record, dict) else None


class FormsConversation:
    """Builds the one ConversationHandler that runs every form, and the handlers that answer
    form buttons outside it."""

    def __init__(
        self,
        routes: Sequence[FormRoutes],
        *,
        start: Handler[Any],
        read_only: dict[str, Handler[Any]],
    ) -> None:
        self.routes = list(routes)
        self.forms = {route.form.name: route.form for route in self.routes}
        if len(self.forms) != len(self.routes):
            raise ValueError("two forms have the same name")
        self.start = start
        self.read_only = read_only
        # target key -> (form, the tracked entry callback)
        self.entries: dict[str, tuple[Form, Handler[Any]]] = {}
        self.handler: ConversationHandler[Any] | None = None  # built by conversation()

    # --- tracking the open form ----------------------------------------------------------

    def tracked(self, form: Form, callback: Handler[Any]) -> Handler[Any]:
        async def run(update: Update, context: SpotterContext) -> object:
            return self.settle(form, context, await callback(update, context))

        run.__name__ = getattr(callback, "__name__", "form_step")
        run.__qualname__ = getattr(callback, "__qualname__", run.__name__)
        return run

    def settle(self, form: Form, context: SpotterContext, result: object) -> object:
        if result is None:
            return None  # stay (in a step) or don't start (at an entry)
        if result == END:
            form.close(context)
            _user_data(context).pop(OPEN_KEY, None)
            return END
        step = str(result)
        _user_data(context)[OPEN_KEY] = {
            "form": form.name,
            "step": step,
            "at": context.now().isoformat(),
        }
        return state_of(form, step)

    def _with_callback(self, handler: AnyHandler, callback: Handler[Any]) -> AnyHandler:
        clone = copy.copy(handler)
        clone.callback = callback
        return clone

    # --- the conversation ----------------------------------------------------------------

    def conversation(self) -> ConversationHandler[Any]:
        entry_points: list[AnyHandler] = []
        interrupts: list[AnyHandler] = []
        states: dict[object, list[AnyHandler]] = {}
        for route in self.routes:
            form = route.form
            for index, handler in enumerate(route.entries):
                target = f"{form.name}:{index}"
                callback = self.tracked(form, handler.callback)
                self.entries[target] = (form, callback)
                entry_points.append(self._with_callback(handler, callback))
                interrupts.append(self._with_callback(handler, self.interrupt(target, callback)))
            for step, handlers in route.states.items():
                states[state_of(form, step)] = [
                    self._with_callback(h, self.tracked(form, h.callback)) for h in handlers
                ]
        fallbacks: list[AnyHandler] = [
            CommandHandler("cancel", self.cancel),
            CommandHandler(
                "start", self.interrupt(START_TARGET), filters.Regex(r"^/start(@\w+)?$")
            ),
            *(
                CommandHandler(name, self.then_remind(callback))
                for name, callback in self.read_only.items()
            ),
            *interrupts,
            CallbackQueryHandler(self.keep_going, pattern=FormContinue.pattern),
            CallbackQueryHandler(self.drop, pattern=FormDrop.pattern),
            *(
                CallbackQueryHandler(self.stale_or_closed(route.form), pattern=pattern)
                for route in self.routes
                if (pattern := self.family(route.form)) is not None
            ),
            MessageHandler(filters.COMMAND, self.stray_command),
            MessageHandler(TEXT, self.text_at_button_step),
            MessageHandler(NOT_TEXT, self.text_please),
        ]
        with warnings.catch_warnings():
            # Forms track buttons per user, not per message, on purpose.
            warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
            self.handler = ConversationHandler(
                entry_points=entry_points,
                states=states,
                fallbacks=fallbacks,
                name=CONVERSATION,
                persistent=True,
                allow_reentry=False,
            )
        return self.handler

    # --- abandoned forms ----------------------------------------------------------------

    async def expire_abandoned(self, update: Update, context: SpotterContext) -> None:
        """Before any other handler: a form untouched for FORM_TIMEOUT_HOURS is closed, the
        user is told, and the update goes on as if no form were open. Otherwise the open
        form's "last touched" moves to now. (PTB's own conversation_timeout runs on wall-clock
        jobs that a restart loses; this reads the injected clock and survives restarts.)"""
        chat = update.effective_chat
        if chat is None or chat.type != chat.PRIVATE or context.user_data is None:
            return
        if update.message is None and (
            update.callback_query is None or update.callback_query.message is None
        ):
            return  # edits, inline-mode presses...: answered by group -2, not a touch
        record = open_form(context)
        if record is None:
            return
        now = context.now()
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        touched = _parse_time(record.get("at"))
        hours = context.settings.form_timeout_hours
        if touched is None or now - touched < timedelta(hours=hours):
            # A touch moves the stamp, but at most once a minute: a changed user_data is a
            # database write, and a read-only command mid-form should not cost one each time.
            if touched is None or now - touched >= TOUCH_EVERY:
                record["at"] = now.isoformat()
            return
        form = self.forms.get(str(record.get("form")))
        if form is not None:
            form.close(context)
        _user_data(context).pop(OPEN_KEY, None)
        _user_data(context).pop(PENDING_KEY, None)
        if self.handler is not None:
            try:
                key = self.handler._get_key(update)
            except RuntimeError:
                key = None
            if key is not None:
                self.handler._conversations.pop(key, None)
        what = form.what if form is not None else core_texts.A_FORM_WHAT
        await send(update, context, core_texts.form_expired(what, hours))

    def outside(self) -> list[AnyHandler]:
        """For the routing table, after the features' buttons: form buttons when no form is open."""
        handlers: list[AnyHandler] = [
            CallbackQueryHandler(self.nothing_open, pattern=FormContinue.pattern),
            CallbackQueryHandler(self.nothing_open, pattern=FormDrop.pattern),
        ]
        for route in self.routes:
            pattern = self.family(route.form)
            if pattern is not None:
                handlers.append(CallbackQueryHandler(self.closed(route.form), pattern=pattern))
        return handlers

    @staticmethod
    def family(form: Form) -> Any:
        return family_pattern(*form.buttons) if form.buttons else None

    # --- fallbacks shared by every form ------------------------------------------------

    def current(self, context: SpotterContext) -> tuple[Form, str] | None:
        record = open_form(context)
        if record is None or record.get("form") not in self.forms:
            return None
        return self.forms[record["form"]], str(record.get("step", ""))

    async def cancel(self, update: Update, context: SpotterContext) -> int:
        found = self.current(context)
        form = found[0] if found is not None else None
        await answer(update, context)
        if form is not None and form.on_cancel is not None:
            await transactional(form.on_cancel)(update, context)
        else:
            await send(update, context, core_texts.CANCELLED)
        if form is not None:
            form.close(context)
        _user_data(context).pop(OPEN_KEY, None)
        _user_data(context).pop(PENDING_KEY, None)
        return END

    def interrupt(self, target: str, entry: Handler[Any] | None = None) -> Handler[Any]:
        """Starting something while a form is open: ask to finish or drop it first."""

        async def ask_finish_or_drop(update: Update, context: SpotterContext) -> object:
            found = self.current(context)
            form = found[0] if found is not None else None
            same = form is not None and form.restarts and target.startswith(f"{form.name}:")
            if entry is not None and same:
                return await entry(update, context)
            what = found[0].what if found is not None else core_texts.A_FORM_WHAT
            query = update.callback_query
            _user_data(context)[PENDING_KEY] = {
                "target": target,
                "data": query.data if query is not None else None,
            }
            await answer(update, context)
            await send(update, context, core_texts.finish_or_drop(what), finish_or_drop_keyboard())
            return None

        ask_finish_or_drop.__name__ = f"finish_or_drop_before_{target}"
        return ask_finish_or_drop

    async def remind_open(self, update: Update, context: SpotterContext) -> None:
        found = self.current(context)
        if found is None:
            return
        form, step = found

        async def repeat(update: Update, context: SpotterContext) -> None:
            await form.repeat(update, context, step, core_texts.still_in_form(form.what))

        repeat.__qualname__ = f"{form.name}.repeat"
        await transactional(repeat)(update, context)

    def then_remind(self, callback: Handler[Any]) -> Handler[None]:
        async def run_then_remind(update: Update, context: SpotterContext) -> None:
            await callback(update, context)
            await self.remind_open(update, context)
            return None

        run_then_remind.__name__ = f"{getattr(callback, '__name__', 'command')}_mid_form"
        return run_then_remind

    async def keep_going(self, update: Update, context: SpotterContext) -> None:
        FormContinue.unpack(update.callback_query.data if update.callback_query else None)
        _user_data(context).pop(PENDING_KEY, None)
        await answer(update, context)
        await self.remind_open(update, context)
        return None

    async def drop(self, update: Update, context: SpotterContext) -> object:
        FormDrop.unpack(update.callback_query.data if update.callback_query else None)
        pending = _user_data(context).pop(PENDING_KEY, None) or {}
        found = self.current(context)
        what = found[0].what if found is not None else core_texts.A_FORM_WHAT
        if found is not None:
            found[0].close(context)
        _user_data(context).pop(OPEN_KEY, None)
        # The question turns into the word that the form is gone; what was asked for follows
        # in new messages (see replies.show).
        await show(update, context, core_texts.form_dropped(what))
        setattr(context, REPLAYING_ATTR, True)
        try:
            target = pending.get("target")
            if target == START_TARGET:
                await answer(update, context)
                await self.start(update, context)
                return END
            if target not in self.entries:
                await answer(update, context)
                return END
            _, entry = self.entries[target]
            setattr(context, REPLAY_ATTR, pending.get("data"))
            result = await entry(update, context)
        finally:
            setattr(context, REPLAY_ATTR, None)
            setattr(context, REPLAYING_ATTR, False)
        return END if result is None else result

    def stale_or_closed(self, form: Form) -> Handler[None]:
        async def stale_or_closed(update: Update, context: SpotterContext) -> None:
            found = self.current(context)
            if found is not None and found[0] is form:
                await answer(update, context, core_texts.BUTTON_FROM_EARLIER_STEP)
            else:
                await answer(update, context, form.closed, alert=True)
            return None

        return stale_or_closed

    def closed(self, form: Form) -> Handler[None]:
        async def closed_form_button(update: Update, context: SpotterContext) -> None:
            await answer(update, context, form.closed, alert=True)

        return closed_form_button

    async def nothing_open(self, update: Update, context: SpotterContext) -> None:
        _user_data(context).pop(PENDING_KEY, None)
        _user_data(context).pop(OPEN_KEY, None)  # a record left without its conversation
        await answer(update, context, core_texts.NO_FORM_OPEN, alert=True)

    async def stray_command(self, update: Update, context: SpotterContext) -> None:
        found = self.current(context)
        what = found[0].what if found is not None else core_texts.A_FORM_WHAT
        await send(update, context, core_texts.mid_conversation_hint(what))

    async def text_at_button_step(self, update: Update, context: SpotterContext) -> None:
        found = self.current(context)
        if found is None:
            await send(update, context, core_texts.USE_THE_BUTTONS)
            return
        form, step = found
        await send(update, context, form.step_hints.get(step, form.button_hint))

    async def text_please(self, update: Update, context: SpotterContext) -> None:
        await send(update, context, core_texts.TEXT_PLEASE)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None  # a form opened before forms were stamped: never expires by itself
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def finish_or_drop_keyboard() -> InlineKeyboardMarkup:
    return Keyboard(
        [
            [
                InlineKeyboardButton(
                    core_texts.FINISH_FORM_BUTTON, callback_data=FormContinue().pack()
                ),
                InlineKeyboardButton(core_texts.DROP_FORM_BUTTON, callback_data=FormDrop().pack()),
            ]
        ]
    )


__all__ = [
    "END",
    "NOT_TEXT",
    "PICK_FIELD",
    "SUMMARY",
    "TEXT",
    "Form",
    "FormContinue",
    "FormDrop",
    "FormRoutes",
    "FormsConversation",
    "open_form",
    "state_of",
]
