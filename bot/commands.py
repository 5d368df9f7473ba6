"""Every command the bot has, who it is for, and how it is described: /help and the command
menus are generated from this list, and a test checks it against the routing table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    EVERYONE = "everyone"  # not (yet) a coach or an athlete
    COACH = "coach"
    ATHLETE = "athlete"


ALL = frozenset(Audience)


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    audiences: frozenset[Audience]
    usage: str = ""


COMMANDS: tuple[Command, ...] = (
    Command("start", "Main menu", ALL),
    Command("athletes", "Your roster", frozenset({Audience.COACH}), "/athletes [name]"),
    Command("addathlete", "Add an athlete", frozenset({Audience.COACH})),
    Command("team", "Who needs attention: compliance, PRs, readiness", frozenset({Audience.COACH})),
    Command("invite", "Invite link for an athlete", frozenset({Audience.COACH}), "/invite name"),
    Command("programs", "Your training programs", frozenset({Audience.COACH}), "/programs [name]"),
    Command("newprogram", "Build a program by typing sessions", frozenset({Audience.COACH})),
    Command("import", "Import athletes from a spreadsheet", frozenset({Audience.COACH})),
    Command("export", "Your team's data as spreadsheets", frozenset({Audience.COACH})),
    Command("today", "Today's session with your loads", frozenset({Audience.ATHLETE})),
    Command("week", "This week: done, missed, upcoming", frozenset({Audience.ATHLETE})),
    Command(
        "log", "Log training off the plan", frozenset({Audience.ATHLETE}), "/log Squat 3x5 @ 100"
    ),
    Command(
        "maxes",
        "Your 1RMs: list or enter one",
        frozenset({Audience.ATHLETE}),
        "/maxes [Back squat 140]",
    ),
    Command("progress", "Charts: e1RM per lift, weekly volume", frozenset({Audience.ATHLETE})),
    Command("readiness", "How ready you are today (4 taps)", frozenset({Audience.ATHLETE})),
    Command(
        "notifications",
        "Digest and reminder times, or off",
        frozenset({Audience.COACH, Audience.ATHLETE}),
    ),
    Command("me", "Your profile and coach", frozenset({Audience.ATHLETE})),
    Command("leave", "Leave a team", frozenset({Audience.ATHLETE})),
    Command("exercises", "Browse or search the exercise library", ALL, "/exercises [name]"),
    Command("newexercise", "Create a custom exercise", frozenset({Audience.COACH})),
    Command("settings", "Team time zone, unit and rounding", frozenset({Audience.COACH})),
    Command("help", "What I can do", ALL),
    Command("cancel", "Stop what you're doing", ALL),
)


def commands_for(*audiences: Audience) -> list[Command]:
    wanted = set(audiences) or {Audience.EVERYONE}
    return [command for command in COMMANDS if command.audiences & wanted]
