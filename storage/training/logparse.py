"""The athlete's log line: what was actually done, typed the way lifters write it.

    100x5, 100x5, 105x4     load x reps, one set each
    100x5x3                 load x reps x sets
    5,5,4 @ 100             reps per set, one load for all
    3x5 @ 102.5 @8          sets x reps @ load, then RPE 8 (also `rpe 8`)
    100x5 @8                a load is already there, so `@8` is the RPE
    5,5,4                   reps only (bodyweight)
    45s, 3x45s, 1:30        timed sets;  30m, 3x30m  distances
    skip                    the entry was skipped

Loads are in the team's unit unless a unit is typed (`225lb`, `100kg`); the result is in kg.
Errors carry a code and the fragment not understood; the bot words them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from storage.training.loads import WeightUnit, unit_to_kg

MAX_LENGTH = 200
MAX_SETS = 20
MAX_REPS = 100
MAX_KG = 600.0  # above any lift on record; catches a typo like 1000x1000
MAX_SECONDS = 3 * 3600
MAX_METERS = 10_000.0
SKIP_WORDS = frozenset({"skip", "skipped"})


class LogErrorKind(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    UNREADABLE = "unreadable"
    NEGATIVE = "negative"
    REPS_MISSING = "reps_missing"
    LOAD_MISSING = "load_missing"
    RPE_MISSING = "rpe_missing"
    LOAD_TWICE = "load_twice"
    REPS_RANGE = "reps_range"
    LOAD_RANGE = "load_range"
    SETS_RANGE = "sets_range"
    RPE_RANGE = "rpe_range"
    TIME_RANGE = "time_range"
    DISTANCE_RANGE = "distance_range"
    TOO_MANY_SETS = "too_many_sets"


@dataclass(frozen=True)
class LogError:
    kind: LogErrorKind
    fragment: str = ""


@dataclass(frozen=True)
class LoggedSet:
    reps: int | None = None
    kg: float | None = None
    seconds: int | None = None
    meters: float | None = None
    rpe: float | None = None


@dataclass(frozen=True)
class LogLine:
    sets: tuple[LoggedSet, ...]
    skipped: bool = False


class _Fail(Exception):
    def __init__(self, kind: LogErrorKind, fragment: str = "") -> None:
        self.error = LogError(kind, fragment.strip())


_NUMBER = r"\d+(?:\.\d+)?"
_UNIT = r"(?:kgs?|lbs?|kilos?|pounds?)"
_LOAD_RE = re.compile(rf"({_NUMBER})\s*({_UNIT})?")
_RPE_WORD_RE = re.compile(rf"\brpe\s*({_NUMBER})?\s*$")
_TIME_RE = re.compile(
    rf"(?:(\d+)\s*x\s*)?(?:(\d+):([0-5]\d)|({_NUMBER})\s*(?:s|sec|secs|seconds?))"
)
_DIST_RE = re.compile(rf"(?:(\d+)\s*x\s*)?({_NUMBER})\s*(?:m|meters?|metres?)")
_ITEM_RE = re.compile(
    rf"(?P<a>{_NUMBER})\s*(?P<au>{_UNIT})?(?:\s*x\s*(?P<b>\d+))?(?:\s*x\s*(?P<c>\d+))?"
)


def parse_log_line(text: str, *, unit: WeightUnit | str = WeightUnit.KG) -> LogLine | LogError:
    """Read one log line; never raises for any input."""
    try:
        return _parse(text, WeightUnit(unit))
    except _Fail as failure:
        return failure.error


def _normalise(text: str) -> str:
    text = text.strip().lower()
    text = re.sub(r"[×х*]", "x", text)  # multiplication sign, Cyrillic kha, star
    # A decimal comma only inside a number after '@' (before it, commas separate sets).
    text = re.sub(r"@\s*(\d+),(\d{1,2})\b(?!\s*,)", r"@ \1.\2", text)
    return re.sub(r"\s+", " ", text)


def _parse(text: str, unit: WeightUnit) -> LogLine:
    if len(text) > MAX_LENGTH:
        raise _Fail(LogErrorKind.TOO_LONG)
    line = _normalise(text)
    if not line:
        raise _Fail(LogErrorKind.EMPTY)
    if line in SKIP_WORDS:
        return LogLine(sets=(), skipped=True)
    if re.search(r"-\s*\d", line):
        raise _Fail(LogErrorKind.NEGATIVE, re.search(r"-\s*[\d.]+", line).group(0))  # type: ignore[union-attr]

    rpe: float | None = None
    word = _RPE_WORD_RE.search(line)
    if word:
        if word.group(1) is None:
            raise _Fail(LogErrorKind.RPE_MISSING, word.group(0))
        rpe = _rpe(word.group(1))
        line = line[: word.start()].rstrip(" ,@")
    head, *tails = (part.strip() for part in line.split("@"))
    if len(tails) > 2:
        raise _Fail(LogErrorKind.UNREADABLE, "@" + "@".join(tails[2:]))
    if not head:
        raise _Fail(LogErrorKind.REPS_MISSING, line)

    items = [item.strip() for item in head.split(",")]
    if any(not item for item in items):
        raise _Fail(LogErrorKind.UNREADABLE, head)
    # `3x5 @ 100` is sets x reps @ load; `100x5 @8` needs `rpe`: `100x5 rpe 8`.
    sets_by_reps = len(items) == 1 and bool(tails) and _is_sets_by_reps(items[0])
    head_has_load = not sets_by_reps and any(_item_has_load(item) for item in items)

    tail_load_kg: float | None = None
    for position, tail in enumerate(tails):
        is_load = position == 0 and not head_has_load
        if not tail:
            raise _Fail(LogErrorKind.LOAD_MISSING if is_load else LogErrorKind.RPE_MISSING, "@")
        if is_load:
            tail_load_kg = _load(tail, unit, whole=True)
        else:
            if rpe is not None:
                raise _Fail(LogErrorKind.UNREADABLE, "@" + tail)
            looks_like_load = _LOAD_RE.fullmatch(tail)
            if position == 0 and looks_like_load and float(looks_like_load.group(1)) > 10:
                raise _Fail(LogErrorKind.LOAD_TWICE, "@" + tail)
            rpe = _rpe(tail)

    sets: list[LoggedSet] = []
    for item in items:
        sets.extend(_read_item(item, unit, tail_load_kg, single=len(items) == 1))
        if len(sets) > MAX_SETS:
            raise _Fail(LogErrorKind.TOO_MANY_SETS)
    if rpe is not None:
        sets = [LoggedSet(s.reps, s.kg, s.seconds, s.meters, rpe) for s in sets]
    return LogLine(sets=tuple(sets))


def _is_sets_by_reps(item: str) -> bool:
    match = _ITEM_RE.fullmatch(item)
    return bool(
        match
        and match.group("b")
        and not match.group("c")
        and not match.group("au")
        and "." not in match.group("a")
    ) and not _TIME_RE.fullmatch(item)


def _item_has_load(item: str) -> bool:
    """`100x5` or `100kg x 5` or `100x5x3` carry a load; `5`, `3x45s`, `30m` don't."""
    if _TIME_RE.fullmatch(item) or _DIST_RE.fullmatch(item):
        return False
    match = _ITEM_RE.fullmatch(item)
    return bool(match and (match.group("b") is not None or match.group("au")))


def _read_item(
    item: str, unit: WeightUnit, load_kg: float | None, *, single: bool
) -> list[LoggedSet]:
    timed = _TIME_RE.fullmatch(item)
    if timed:
        count = _sets(timed.group(1)) if timed.group(1) else 1
        if timed.group(2) is not None:
            seconds = int(timed.group(2)) * 60 + int(timed.group(3))
        else:
            seconds = round(float(timed.group(4)))
        if not 1 <= seconds <= MAX_SECONDS:
            raise _Fail(LogErrorKind.TIME_RANGE, item)
        return [LoggedSet(kg=load_kg, seconds=seconds)] * count
    distance = _DIST_RE.fullmatch(item)
    if distance:
        count = _sets(distance.group(1)) if distance.group(1) else 1
        meters = float(distance.group(2))
        if not 0 < meters <= MAX_METERS:
            raise _Fail(LogErrorKind.DISTANCE_RANGE, item)
        return [LoggedSet(kg=load_kg, meters=meters)] * count

    match = _ITEM_RE.fullmatch(item)
    if not match:
        if re.fullmatch(rf"{_NUMBER}\s*{_UNIT}?\s*x", item):
            raise _Fail(LogErrorKind.REPS_MISSING, item)
        raise _Fail(LogErrorKind.UNREADABLE, item)
    a, a_unit, b, c = match.group("a"), match.group("au"), match.group("b"), match.group("c")
    if b is None:
        if a_unit:  # `100kg` alone: a load without reps
            raise _Fail(LogErrorKind.REPS_MISSING, item)
        return [LoggedSet(reps=_reps(a, item), kg=load_kg)]
    if load_kg is not None:
        # `3x5 @ 100`: sets x reps, the load after '@'.
        if a_unit or c is not None or not single:
            raise _Fail(LogErrorKind.LOAD_TWICE, item)
        return [LoggedSet(reps=_reps(b, item), kg=load_kg)] * _sets(a, item)
    kg = _load(a + (a_unit or ""), unit)
    count = _sets(c, item) if c is not None else 1
    return [LoggedSet(reps=_reps(b, item), kg=kg)] * count


def _reps(text: str, item: str = "") -> int:
    if "." in text:
        raise _Fail(LogErrorKind.REPS_RANGE, item or text)
    reps = int(text)
    if not 1 <= reps <= MAX_REPS:
        raise _Fail(LogErrorKind.REPS_RANGE, item or text)
    return reps


def _sets(text: str, item: str = "") -> int:
    if "." in text:
        raise _Fail(LogErrorKind.SETS_RANGE, item or text)
    count = int(text)
    if not 1 <= count <= MAX_SETS:
        raise _Fail(LogErrorKind.SETS_RANGE, item or text)
    return count


def _load(text: str, unit: WeightUnit, *, whole: bool = False) -> float:
    match = _LOAD_RE.fullmatch(text.strip())
    if not match:
        raise _Fail(LogErrorKind.UNREADABLE, text)
    typed = match.group(2)
    if typed:
        unit = WeightUnit.LB if typed.startswith(("lb", "pound")) else WeightUnit.KG
    kg = unit_to_kg(float(match.group(1)), unit)
    if not 0 < kg <= MAX_KG:
        raise _Fail(LogErrorKind.LOAD_RANGE, text)
    return kg


def _rpe(text: str) -> float:
    text = text.strip()
    if text.startswith("rpe"):
        text = text[3:].strip()
    if not re.fullmatch(_NUMBER, text):
        raise _Fail(LogErrorKind.UNREADABLE, "@" + text)
    value = float(text)
    if not 1 <= value <= 10 or (value * 2) != int(value * 2):
        raise _Fail(LogErrorKind.RPE_RANGE, text)
    return value


_NAME_END_RE = re.compile(r"\s(?=[-+@]?\d|@|skip\b|skipped\b)", re.IGNORECASE)


def split_name(text: str) -> tuple[str, str]:
    """`Back squat 3x5 @ 100` -> ("Back squat", "3x5 @ 100"): the name ends where numbers start."""
    text = " ".join(text.split())
    if re.match(r"[-+@]?\d", text):
        return "", text
    match = _NAME_END_RE.search(text)
    if match is None:
        return text, ""
    return text[: match.start()].strip(), text[match.end() :].strip()


_MAX_RE = re.compile(rf"({_NUMBER})\s*({_UNIT})?")


def parse_max(text: str, *, unit: WeightUnit | str = WeightUnit.KG) -> float | LogError:
    """A 1RM as typed (`140`, `140kg`, `315 lb`, `142,5`) in kg; never raises."""
    cleaned = text.strip().lower()
    if not cleaned:
        return LogError(LogErrorKind.LOAD_MISSING)
    if re.search(r"-\s*\d", cleaned):
        return LogError(LogErrorKind.NEGATIVE, cleaned)
    cleaned = re.sub(r"^(\d+),(\d{1,2})\b", r"\1.\2", cleaned)
    match = _MAX_RE.fullmatch(cleaned)
    if match is None:
        return LogError(LogErrorKind.UNREADABLE, text.strip())
    try:
        return _load(cleaned, WeightUnit(unit))
    except _Fail as failure:
        return failure.error


class DateErrorKind(StrEnum):
    NO_SUCH_DAY = "no_such_day"  # 2026-02-30
    FUTURE = "future"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class DateError:
    kind: DateErrorKind
    fragment: str


_DATE_RE = re.compile(
    r"(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})|(?P<d2>\d{1,2})[./](?P<m2>\d{1,2})[./](?P<y2>\d{4})"
    r"|(?P<word>yesterday|today))(?=\s|$)",
    re.IGNORECASE,
)
MAX_DAYS_BACK = 366


def split_date(text: str, *, today: date) -> tuple[date | DateError | None, str]:
    """A leading date on a /log line (`2026-03-01`, `01.03.2026`, `yesterday`): (the date, the
    rest). None when there is none; a DateError for a day that doesn't exist, is in the future,
    or is over a year back."""
    stripped = text.strip()
    match = _DATE_RE.match(stripped)
    if match is None:
        return None, stripped
    rest = stripped[match.end() :].strip()
    fragment = match.group(0)
    word = (match.group("word") or "").lower()
    if word:
        return (today - timedelta(days=1) if word == "yesterday" else today), rest
    year = int(match.group("y") or match.group("y2"))
    month = int(match.group("m") or match.group("m2"))
    day = int(match.group("d") or match.group("d2"))
    try:
        found = date(year, month, day)
    except ValueError:
        return DateError(DateErrorKind.NO_SUCH_DAY, fragment), rest
    if found > today:
        return DateError(DateErrorKind.FUTURE, fragment), rest
    if (today - found).days > MAX_DAYS_BACK:
        return DateError(DateErrorKind.TOO_OLD, fragment), rest
    return found, rest
