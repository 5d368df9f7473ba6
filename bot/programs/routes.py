"""The programs feature's routes, for app.py: its forms (run by the form kit) and its handlers."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler

from bot.core.callbacks import CallbackData
from bot.core.forms import SUMMARY, TEXT, FormRoutes
from bot.programs import forms, handlers
from bot.programs import keyboards as kb
from bot.programs.forms import (
    DAYS,
    NAME,
    PATTERN,
    PICK,
    PROGRESSION,
    RESOLVE,
    SESSION,
    START,
    TARGETS,
    WEEKS,
    SessionSteps,
)


def on(kind: type[CallbackData], callback: Any) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(callback, pattern=kind.pattern)


def _resolve_steps(steps: SessionSteps) -> dict[str, list[BaseHandler[Any, Any, Any]]]:
    resolve: list[BaseHandler[Any, Any, Any]] = [
        on(kb.ResolvePick, steps_action(steps.pick, kb.ResolvePick)),
        on(kb.ResolveCreate, steps_action(steps.create, kb.ResolveCreate)),
        on(kb.ResolveRetype, steps_action(steps.retype, kb.ResolveRetype)),
        MessageHandler(TEXT, steps_action(steps.receive_name)),
    ]
    pattern: list[BaseHandler[Any, Any, Any]] = [
        on(kb.ResolvePattern, steps_action(steps.pattern, kb.ResolvePattern)),
        on(kb.ResolveRetype, steps_action(steps.retype, kb.ResolveRetype)),
        MessageHandler(TEXT, steps_action(steps.receive_name)),
    ]
    return {RESOLVE: resolve, PATTERN: pattern}


def steps_action(method: Any, kind: type[CallbackData] | None = None) -> Any:
    """A SessionSteps method as a coach action (one transaction, the caller checked)."""
    from bot.core.actions import coach_action

    return coach_action(kind)(method) if kind is not None else coach_action()(method)


def form_routes() -> list[FormRoutes]:
    new_program = FormRoutes(
        forms.NEW,
        entries=[
            CommandHandler("newprogram", forms.start_new),
            on(kb.ProgramNew, forms.start_new_button),
        ],
        states={
            NAME: [MessageHandler(TEXT, forms.receive_program_name)],
            WEEKS: [
                MessageHandler(TEXT, forms.receive_weeks),
                on(kb.NewWeeks, forms.choose_weeks),
            ],
            DAYS: [on(kb.NewDay, forms.toggle_day), on(kb.NewDaysDone, forms.days_done)],
            SESSION: [
                MessageHandler(TEXT, forms.new_session_text),
                CommandHandler("skip", forms.skip_new_session),
            ],
            **_resolve_steps(forms.NEW_SESSION_STEPS),
            SUMMARY: [on(kb.DraftSave, forms.save_new), on(kb.DraftCancel, forms.cancel_draft)],
        },
    )
    session = FormRoutes(
        forms.SESSION_FORM,
        entries=[
            on(kb.SessionEdit, forms.start_session_edit),
            on(kb.SessionAdd, forms.start_session_add),
        ],
        states={
            SESSION: [MessageHandler(TEXT, forms.session_text)],
            **_resolve_steps(forms.SESSION_STEPS),
            SUMMARY: [
                on(kb.DraftSave, forms.save_session),
                on(kb.DraftCancel, forms.cancel_draft),
            ],
        },
    )
    copy_week = FormRoutes(
        forms.COPY_FORM,
        entries=[on(kb.CopyWeekStart, forms.start_copy)],
        states={
            TARGETS: [
                MessageHandler(TEXT, forms.receive_targets),
                on(kb.CopyTargets, forms.choose_targets),
            ],
            PROGRESSION: [
                MessageHandler(TEXT, forms.receive_progression),
                on(kb.CopyProgression, forms.choose_progression),
            ],
        },
    )
    assign = FormRoutes(
        forms.ASSIGN_FORM,
        entries=[on(kb.AssignStart, forms.start_assign)],
        states={
            PICK: [
                on(kb.AssignToggle, forms.toggle_athlete),
                on(kb.AssignFilter, forms.filter_athletes),
                on(kb.AssignPage, forms.page_athletes),
                on(kb.AssignNext, forms.athletes_chosen),
            ],
            START: [
                on(kb.AssignWhen, forms.choose_start),
                MessageHandler(TEXT, forms.receive_start),
            ],
        },
    )
    details = FormRoutes(
        forms.DETAILS_FORM,
        entries=[
            on(kb.ProgramRename, forms.start_rename),
            on(kb.ProgramDescribe, forms.start_describe),
        ],
        states={
            forms.RENAME: [MessageHandler(TEXT, forms.receive_new_name)],
            forms.DESCRIBE: [
                MessageHandler(TEXT, forms.receive_description),
                CommandHandler("skip", forms.skip_description),
            ],
        },
    )
    return [new_program, session, copy_week, assign, details]


def handlers_list() -> list[BaseHandler[Any, Any, Any]]:
    """Registered in app.py's group 0, after the forms' conversation."""
    return [
        CommandHandler("programs", handlers.programs_command),
        on(kb.ProgramsPage, handlers.programs_page),
        on(kb.ProgramOpen, handlers.open_program),
        on(kb.SessionOpen, handlers.open_session),
        on(kb.SessionRemove, handlers.ask_remove_session),
        on(kb.SessionRemoveYes, handlers.remove_session),
        on(kb.SessionAddDay, handlers.pick_day_for_session),
        on(kb.ProgramArchive, handlers.set_archived),
        on(kb.ProgramCopy, handlers.copy_program),
        on(kb.ProgramAthletes, handlers.program_athletes),
        on(kb.Unassign, handlers.unassign),
    ]
