"""The programs feature's button kinds (typed callback data) and keyboards."""

from __future__ import annotations

from typing import Annotated, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callbacks import CallbackData, NoneAs, Range
from bot.core.keyboards import Keyboard
from bot.programs import texts
from storage.models import Athlete, AthleteStatus, MovementPattern
from storage.queries.paging import Page
from storage.queries.programs import ProgramRow, ProgramView

Week = Annotated[int, Range(1, 52)]
Weekday = Annotated[int, Range(1, 7)]


# --- list and card ---------------------------------------------------------------------------
class ProgramsPage(CallbackData, prefix="pgl"):
    archived: bool
    offset: int
    query: bool = False  # the /programs <name> filter (kept in user_data: too long for here)


class ProgramOpen(CallbackData, prefix="pgc"):
    program: str
    week: Week


class ProgramArchive(CallbackData, prefix="pgx"):
    program: str
    archived: bool


class ProgramCopy(CallbackData, prefix="pgp"):
    program: str


class ProgramRename(CallbackData, prefix="pgrn"):
    program: str


class ProgramDescribe(CallbackData, prefix="pgds"):
    program: str


class SessionOpen(CallbackData, prefix="pgs"):
    session: str


class SessionRemove(CallbackData, prefix="pgr"):
    session: str


class SessionRemoveYes(CallbackData, prefix="pgry"):
    session: str


class SessionAddDay(CallbackData, prefix="pga"):
    program: str
    week: Week


class ProgramAthletes(CallbackData, prefix="pgu"):
    program: str


class Unassign(CallbackData, prefix="pgux"):
    program: str
    athlete: str


# --- form entries ----------------------------------------------------------------------------
class ProgramNew(CallbackData, prefix="pgn"):
    pass


class SessionEdit(CallbackData, prefix="pge"):
    session: str


class SessionAdd(CallbackData, prefix="pgad"):
    program: str
    week: Week
    weekday: Weekday


class CopyWeekStart(CallbackData, prefix="pgk"):
    program: str
    week: Week


class AssignStart(CallbackData, prefix="pgas"):
    program: str


# --- form steps ------------------------------------------------------------------------------
class NewWeeks(CallbackData, prefix="pgnw"):
    weeks: Week


class NewDay(CallbackData, prefix="pgnd"):
    weekday: Weekday


class NewDaysDone(CallbackData, prefix="pgnk"):
    pass


class DraftSave(CallbackData, prefix="pgnv"):
    pass


class DraftCancel(CallbackData, prefix="pgnc"):
    pass


class ResolvePick(CallbackData, prefix="pgrp"):
    option: Annotated[int, Range(0, 9)]


class ResolveCreate(CallbackData, prefix="pgrc"):
    pass


class ResolveRetype(CallbackData, prefix="pgrt"):
    pass


class ResolvePattern(CallbackData, prefix="pgrm"):
    move: MovementPattern


class CopyTargets(CallbackData, prefix="pgkt"):
    first: Week
    last: Week


class CopyProgression(CallbackData, prefix="pgkp"):
    choice: Literal["kg", "lb", "pct", "rep", "none"]


class AssignToggle(CallbackData, prefix="pgat"):
    athlete: str


class AssignFilter(CallbackData, prefix="pgaf"):
    status: Annotated[AthleteStatus | None, NoneAs("all")]


class AssignPage(CallbackData, prefix="pgap"):
    offset: int


class AssignNext(CallbackData, prefix="pgan"):
    pass


class AssignWhen(CallbackData, prefix="pgaw"):
    choice: Literal["today", "monday"]


NEW_FORM_BUTTONS = (
    NewWeeks,
    NewDay,
    NewDaysDone,
    DraftSave,
    DraftCancel,
    ResolvePick,
    ResolveCreate,
    ResolveRetype,
    ResolvePattern,
)
COPY_FORM_BUTTONS = (CopyTargets, CopyProgression)
ASSIGN_FORM_BUTTONS = (AssignToggle, AssignFilter, AssignPage, AssignNext, AssignWhen)


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data.pack())


def markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return Keyboard(rows)


def program_list(
    page: Page[ProgramRow], *, archived: bool, query: bool = False
) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.program_button(row), ProgramOpen(program=row.program.id, week=1))]
        for row in page.items
    ]
    paging = []
    if page.has_previous:
        paging.append(
            button(
                "⬅️",
                ProgramsPage(
                    archived=archived, offset=max(0, page.offset - page.limit), query=query
                ),
            )
        )
    if page.has_next:
        paging.append(
            button(
                "➡️", ProgramsPage(archived=archived, offset=page.offset + page.limit, query=query)
            )
        )
    if paging:
        rows.append(paging)
    if archived or query:
        rows.append([button("⬅️ All programs", ProgramsPage(archived=False, offset=0))])
    else:
        rows.append(
            [
                button("➕ New program", ProgramNew()),
                button("🗄 Archived", ProgramsPage(archived=True, offset=0)),
            ]
        )
    return markup(rows)


def program_card(view: ProgramView, week: int) -> InlineKeyboardMarkup:
    program = view.program
    rows = [
        [
            button(texts.session_label(s.weekday, s.title), SessionOpen(session=s.id))
            for s in view.week(week)[i : i + 2]
        ]
        for i in range(0, len(view.week(week)), 2)
    ]
    if program.weeks > 1:
        nav = []
        if week > 1:
            nav.append(button(f"⬅️ Week {week - 1}", ProgramOpen(program=program.id, week=week - 1)))
        if week < program.weeks:
            nav.append(button(f"Week {week + 1} ➡️", ProgramOpen(program=program.id, week=week + 1)))
        rows.append(nav)
    if program.archived_at is None:
        rows.append([button("➕ Add session", SessionAddDay(program=program.id, week=week))])
        if program.weeks > 1 and view.week(week) and week < program.weeks:
            rows[-1].append(button("📑 Copy week", CopyWeekStart(program=program.id, week=week)))
        rows.append(
            [
                button("👥 Assign", AssignStart(program=program.id)),
                button(f"👤 On it ({view.athlete_count})", ProgramAthletes(program=program.id)),
            ]
        )
        rows.append(
            [
                button("✏️ Rename", ProgramRename(program=program.id)),
                button("📝 Description", ProgramDescribe(program=program.id)),
            ]
        )
        rows.append(
            [
                button("📄 Copy program", ProgramCopy(program=program.id)),
                button("🗄 Archive", ProgramArchive(program=program.id, archived=True)),
            ]
        )
    else:
        rows.append([button("♻️ Restore", ProgramArchive(program=program.id, archived=False))])
    rows.append(
        [
            button(
                "⬅️ Programs",
                ProgramsPage(archived=program.archived_at is not None, offset=0),
            )
        ]
    )
    return markup(rows)


def session_view(
    program_id: str, session_id: str, week: int, *, archived: bool
) -> InlineKeyboardMarkup:
    rows = []
    if not archived:
        rows.append(
            [
                button("✏️ Edit", SessionEdit(session=session_id)),
                button("🗑 Remove", SessionRemove(session=session_id)),
            ]
        )
    rows.append([button("⬅️ Back", ProgramOpen(program=program_id, week=week))])
    return markup(rows)


def confirm_remove(session_id: str, program_id: str, week: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button("🗑 Remove", SessionRemoveYes(session=session_id)),
                button("✖️ Keep it", SessionOpen(session=session_id)),
            ],
        ]
    )


def pick_weekday(program_id: str, week: int) -> InlineKeyboardMarkup:
    days = [
        button(texts.WEEKDAYS[d - 1], SessionAdd(program=program_id, week=week, weekday=d))
        for d in range(1, 8)
    ]
    return markup(
        [days[:4], days[4:], [button("⬅️ Back", ProgramOpen(program=program_id, week=week))]]
    )


def weeks_choices() -> InlineKeyboardMarkup:
    return markup(
        [
            [button(str(w), NewWeeks(weeks=w)) for w in (1, 2, 3, 4)],
            [button(str(w), NewWeeks(weeks=w)) for w in (5, 6, 8, 12)],
        ]
    )


def day_choices(chosen: list[int]) -> InlineKeyboardMarkup:
    days = [
        button(("✅ " if d in chosen else "") + texts.WEEKDAYS[d - 1], NewDay(weekday=d))
        for d in range(1, 8)
    ]
    return markup([days[:4], days[4:], [button("Done ➡️", NewDaysDone())]])


def draft_summary() -> InlineKeyboardMarkup:
    return markup([[button("✅ Save", DraftSave()), button("✖️ Cancel", DraftCancel())]])


def resolve_choices(options: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    rows = [[button(name, ResolvePick(option=i))] for i, (_, name) in enumerate(options[:10])]
    rows.append(
        [
            button("➕ Create as our exercise", ResolveCreate()),
            button("✏️ Type again", ResolveRetype()),
        ]
    )
    return markup(rows)


def unknown_choices() -> InlineKeyboardMarkup:
    return markup(
        [
            [button("➕ Create as our exercise", ResolveCreate())],
            [button("✏️ Type again", ResolveRetype())],
        ]
    )


PATTERN_LABELS = {
    MovementPattern.PUSH: "Push",
    MovementPattern.PULL: "Pull",
    MovementPattern.HINGE: "Hinge",
    MovementPattern.SQUAT: "Squat",
    MovementPattern.CARRY: "Carry",
    MovementPattern.CORE: "Core",
}


def pattern_choices() -> InlineKeyboardMarkup:
    patterns = [button(label, ResolvePattern(move=p)) for p, label in PATTERN_LABELS.items()]
    return markup([patterns[:3], patterns[3:], [button("✏️ Type again", ResolveRetype())]])


def copy_targets(week: int, weeks: int) -> InlineKeyboardMarkup:
    rows = []
    if week + 1 < weeks:
        rows.append([button(f"Weeks {week + 1}-{weeks}", CopyTargets(first=week + 1, last=weeks))])
    rows.append([button(f"Week {week + 1}", CopyTargets(first=week + 1, last=week + 1))])
    return markup(rows)


def progression_choices(unit: str) -> InlineKeyboardMarkup:
    first = CopyProgression(choice="lb" if unit == "lb" else "kg")
    return markup(
        [
            [
                button(f"+{'5' if unit == 'lb' else '2.5'}{unit}", first),
                button("+5%", CopyProgression(choice="pct")),
                button("+1 rep", CopyProgression(choice="rep")),
            ],
            [button("No change", CopyProgression(choice="none"))],
        ]
    )


STATUS_FILTERS: list[tuple[AthleteStatus | None, str]] = [
    (AthleteStatus.ACTIVE, "Active"),
    (AthleteStatus.INACTIVE, "Inactive"),
    (None, "All"),
]


def assign_picker(
    page: Page[tuple[Athlete, str | None]],
    chosen: list[str],
    status: AthleteStatus | None,
) -> InlineKeyboardMarkup:
    rows = []
    for athlete, program_name in page.items:
        mark = "✅ " if athlete.id in chosen else "▫️ "
        on = f" ({program_name})" if program_name else ""
        rows.append([button(f"{mark}{athlete.name}{on}"[:64], AssignToggle(athlete=athlete.id))])
    paging = []
    if page.has_previous:
        paging.append(button("⬅️", AssignPage(offset=max(0, page.offset - page.limit))))
    if page.has_next:
        paging.append(button("➡️", AssignPage(offset=page.offset + page.limit)))
    if paging:
        rows.append(paging)
    rows.append(
        [
            button(("• " if value == status else "") + label, AssignFilter(status=value))
            for value, label in STATUS_FILTERS
        ]
    )
    rows.append([button(f"Next ➡️ ({len(chosen)})", AssignNext())])
    return markup(rows)


def start_choices(monday_label: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button("Today", AssignWhen(choice="today")),
                button(f"Next Monday ({monday_label})", AssignWhen(choice="monday")),
            ]
        ]
    )


def program_athletes(program_id: str, athletes: list[Athlete]) -> InlineKeyboardMarkup:
    rows = [
        [button(f"✖️ {a.name}"[:64], Unassign(program=program_id, athlete=a.id))] for a in athletes
    ]
    rows.append([button("⬅️ Back", ProgramOpen(program=program_id, week=1))])
    return markup(rows)


def back_to_program(program_id: str, week: int = 1) -> InlineKeyboardMarkup:
    return markup([[button("📋 Open the program", ProgramOpen(program=program_id, week=week))]])
