"""What the insight feature says: readiness, progress charts, notifications, team, digest."""

from __future__ import annotations

from datetime import date
from html import escape

from storage.insight.compliance import AthleteStatus, Compliance, Flag
from storage.insight.readiness import Question
from storage.models import NoticeKind

# --- readiness -----------------------------------------------------------------------------

QUESTION_TEXT = {
    Question.SLEEP: "How did you sleep?\n1 = very badly … 5 = very well",
    Question.SORENESS: "How sore are your muscles?\n1 = very sore … 5 = not at all",
    Question.STRESS: "How stressed do you feel?\n1 = very … 5 = relaxed",
    Question.ENERGY: "How is your energy?\n1 = drained … 5 = full of it",
}
READINESS_NO_PROFILE = (
    "The readiness check is for athletes. Ask your coach for an invite link to join a team."
)
READINESS_STALE = "That check is from an earlier day. Send /readiness to answer for today."


def readiness_question(team: str, day: date, number: int, question: Question) -> str:
    return (
        f"<b>Readiness check</b> · {escape(team)} · {day:%a %d %b}\n"
        f"Question {number} of 4\n\n{QUESTION_TEXT[question]}"
    )


def readiness_saved(total: int, low: bool) -> str:
    text = f"✅ Thanks! Readiness {total}/20 saved."
    if low:
        text += "\nThat's low: take it easy, and tell your coach if something is wrong."
    return text


# --- progress charts -----------------------------------------------------------------------

PROGRESS_NO_PROFILE = "Progress charts are for athletes on a team. /help shows what you can do."
PICK_TEAM = "Which team?"
VOLUME_BUTTON = "📊 Weekly volume"
PROGRESS_BUTTON = "📈 Progress"
BACK_TO_CARD = "⬅️ Back to card"


def progress_menu(name: str, has_logs: bool, *, own: bool) -> str:
    who = "your" if own else f"{escape(name)}'s"
    if not has_logs:
        return (
            f"<b>Progress</b>\nNothing logged yet, so no charts for {who} training. "
            "Charts appear once sets with a weight are logged."
        )
    return (
        f"<b>Progress</b> · {escape(name)}\n"
        f"Pick a lift for {who} e1RM over time, or the weekly volume."
    )


def e1rm_caption(name: str, exercise: str, points: int, best: float, unit: str) -> str:
    return (
        f"<b>{escape(exercise)}</b> · {escape(name)}\n"
        f"Best e1RM per day (Epley, sets of 1-10 reps): {points} days, top {best:g} {unit}."
    )


def volume_caption(name: str, weeks: int, unit: str) -> str:
    return (
        f"<b>Weekly volume</b> · {escape(name)}\n"
        f"Sets × reps × load by movement pattern, last {weeks} weeks, in thousands of {unit}."
    )


NOTHING_TO_CHART = "Nothing to chart for that yet: no sets with a weight logged."

# --- notification settings -----------------------------------------------------------------

NOTIFICATIONS_NONE = (
    "Scheduled messages are for coaches (a daily digest) and athletes (a reminder of the "
    "day's session). /start to set up a team, or ask your coach for an invite link."
)
KIND_LABEL = {NoticeKind.DIGEST: "Daily digest", NoticeKind.REMINDER: "Session reminder"}


def when_text(enabled: bool, minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}" if enabled else "off"


def notifications_overview(lines: list[tuple[NoticeKind, str, bool, int, str]]) -> str:
    """lines: (kind, team name, enabled, minute, time zone)."""
    rows = ["<b>Notifications</b> (times are your team's local time)"]
    for kind, team, enabled, minute, zone in lines:
        rows.append(
            f"• {KIND_LABEL[kind]} · {escape(team)}: <b>{when_text(enabled, minute)}</b>"
            f" ({escape(zone)})"
        )
    rows.append("")
    rows.append(
        "The digest lists yesterday's sessions done and missed, PRs, readiness flags, who "
        "joined and who left. The reminder shows the day's session (none on rest days) with a "
        "readiness check."
    )
    return "\n".join(rows)


def pick_time(kind: NoticeKind, team: str) -> str:
    return f"<b>{KIND_LABEL[kind]}</b> · {escape(team)}\nWhen should it arrive (team time)?"


def notification_saved(kind: NoticeKind, enabled: bool, minute: int) -> str:
    if not enabled:
        return f"{KIND_LABEL[kind]} switched off."
    return f"{KIND_LABEL[kind]} at {when_text(True, minute)}."


# --- team view -----------------------------------------------------------------------------

TEAM_EMPTY = (
    "<b>Team</b>\nNobody is on a program yet. Assign one from /programs; athletes then show "
    "up here with their compliance, last session, PRs and readiness."
)
FLAG_TEXT = {
    Flag.LOW_COMPLIANCE: "under 80%",
    Flag.QUIET: "quiet 5+ days",
    Flag.LOW_READINESS: "🩺 low readiness",
}


def percent(compliance: Compliance) -> str:
    value = compliance.percent
    return "–" if value is None else f"{value}%"


def days_ago(day: date | None, today: date) -> str:
    if day is None:
        return "nothing logged"
    delta = (today - day).days
    if delta <= 0:
        return "last today"
    if delta == 1:
        return "last yesterday"
    return f"last {delta} days ago"


def team_line(status: AthleteStatus, today: date) -> str:
    mark = "⚠️" if status.flags else "✅"
    parts = [
        f"7d {percent(status.week)}",
        f"28d {percent(status.month)}",
        days_ago(status.last_session, today),
    ]
    if status.prs_this_week:
        parts.append(f"🏆 {status.prs_this_week} PR{'s' if status.prs_this_week > 1 else ''}")
    parts.extend(FLAG_TEXT[flag] for flag in status.flags)
    return f"{mark} <b>{escape(status.name)}</b>\n    " + " · ".join(parts)


def team_page(
    team: str, statuses: list[AthleteStatus], shown: list[AthleteStatus], offset: int, today: date
) -> str:
    attention = sum(1 for status in statuses if status.flags)
    head = (
        f"<b>Team</b> · {escape(team)} · {today:%a %d %b}\n"
        f"{len(statuses)} on a program · {attention} need attention (listed first)"
    )
    if len(statuses) > len(shown):
        head += f"\n{offset + 1}-{offset + len(shown)} of {len(statuses)}"
    body = "\n".join(team_line(status, today) for status in shown)
    return f"{head}\n\n{body}\n\nCompliance = sessions logged / sessions planned. Tap a name."


# --- daily digest --------------------------------------------------------------------------

DIGEST_LIST_MAX = 6
DIGEST_ITEM_MAX = 60  # characters: six full sections still fit one message


def shorten(text: str, limit: int = DIGEST_ITEM_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def names_list(items: list[str]) -> str:
    shown = items[:DIGEST_LIST_MAX]
    text = "; ".join(shown)
    if len(items) > len(shown):
        text += f"; +{len(items) - len(shown)} more"
    return text


def digest(
    team: str,
    day: date,
    *,
    done: list[str],
    missed: list[str],
    records: list[str],
    low_readiness: list[str],
    joined: list[str],
    left: list[str],
) -> str:
    lines = [f"<b>Daily digest</b> · {escape(team)} · {day:%a %d %b}"]
    sections = (
        ("✅ Done", done),
        ("❌ Missed", missed),
        ("🏆 PRs", records),
        ("🩺 Low readiness", low_readiness),
        ("👋 Joined", joined),
        ("🚪 Left", left),
    )
    for label, items in sections:
        if items:
            listed = names_list([escape(shorten(item)) for item in items])
            lines.append(f"{label} ({len(items)}): {listed}")
    if len(lines) == 1:
        lines.append("A quiet day: nothing planned, logged or answered.")
    lines.append("\n/team for everyone's compliance · /notifications to change the time")
    return "\n".join(lines)


# --- the athlete's reminder ----------------------------------------------------------------


def reminder(team: str, day: date, titles: list[str], program: str) -> str:
    sessions = ", ".join(f"<b>{escape(title)}</b>" for title in titles)
    return (
        f"🏋️ Today ({day:%a %d %b}): {sessions} · {escape(program)} · {escape(team)}\n"
        "Open it with /today. Before you start: a 4-tap readiness check for your coach."
    )
