"""The programming shorthand: one session's text <-> structured entries. Pure: no Telegram, no DB.

One line per entry, as coaches write programs in notes and spreadsheets:

    A1. Back squat 5x5 @ 80%
    A2. Pull-up 3 x 8-10 @ RPE 8, rest 90s
    B. RDL 3x8 @ 100kg, tempo 31X1 -- slow eccentric
    C. Plank 3x45s
    Bench 5/3/1+ @ 75/85/95%

A line is: an optional group label (`A1.`, `B.`), the exercise name, the sets and reps
(`5x5`, `5 x 5`, `5X5`, the multiplication sign, ranges `3x8-10`, AMRAP `3x5+` / `1xAMRAP`,
time `3x45s` / `2x1:30`, distance `4x30m`, per set `5/3/1`), then in any order: a load
(`@ 80%`, `@ 100kg`, `@ 225lb`, `@ BW`, `@ BW+10kg`, per set `@ 75/85/95%` or
`@ 100, 105, 110kg`), an effort (`@ RPE 8`, `@ RIR 2`, per set `@ RPE 7/8/9`), `tempo 31X1`,
`rest 90s` / `rest 2min` / `rest 1:30`, and last a free note after `--`. Decimals take a point
or a comma (`102,5kg`).

Loads are kept in kilograms; the team's unit (kg or lb) is only how they are typed and shown. A
load in the other unit is refused with the converted value as the example (a silent conversion
would hide a typo such as `lb` for `kg`). Errors are data (line number, code, the part not
understood, an example of the right form); the bot words them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal

Unit = Literal["kg", "lb"]
UNITS: tuple[Unit, ...] = ("kg", "lb")
LB_IN_KG = 0.45359237

MAX_ENTRIES = 40
MAX_LINE_LENGTH = 1000  # longer than any line render_entry writes
MAX_NAME_LENGTH = 100
MAX_NOTE_LENGTH = 200
MAX_SETS = 20
MAX_REPS = 100
MAX_SECONDS = 3600
MAX_METERS = 50_000
MAX_KG = 600.0
MAX_PERCENT = 150.0
MAX_RIR = 10
MAX_REST_SECONDS = 3600
MAX_PROGRESSION_KG = 100.0
MAX_SCHEME_TRIES = 12  # sets-and-reps lookalikes tried per line ("90/90 hip switch 2x10")


# --- the structure -------------------------------------------------------------------------


@dataclass(frozen=True)
class SetTarget:
    """What one set asks for.

    Exactly one of: `reps` (with `reps_max` for a range, `amrap` for "at least reps" / AMRAP when
    reps is None), `seconds`, `meters`. Load: `kg` (absolute), or `percent` of 1RM, or
    `bodyweight` (then `kg` is the load added to it, if any). Effort: `rpe` or `rir`, or neither.
    """

    reps: int | None = None
    reps_max: int | None = None
    amrap: bool = False
    seconds: int | None = None
    meters: int | None = None
    kg: float | None = None
    percent: float | None = None
    bodyweight: bool = False
    rpe: float | None = None
    rir: int | None = None


@dataclass(frozen=True)
class Prescription:
    sets: tuple[SetTarget, ...]
    tempo: str | None = None
    rest_seconds: int | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The stored form (loads in kg). The note is stored beside it, not in it."""
        return {
            "v": 1,
            "sets": [
                {key: value for key, value in _set_items(target) if value not in (None, False)}
                for target in self.sets
            ],
            "tempo": self.tempo,
            "rest_seconds": self.rest_seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, note: str | None = None) -> Prescription:
        sets = tuple(SetTarget(**target) for target in data.get("sets", []))
        return cls(
            sets=sets, tempo=data.get("tempo"), rest_seconds=data.get("rest_seconds"), note=note
        )


def _set_items(target: SetTarget) -> Iterable[tuple[str, Any]]:
    return target.__dict__.items()


@dataclass(frozen=True)
class ParsedEntry:
    line_no: int
    group_label: str | None
    exercise_name: str
    prescription: Prescription


@dataclass(frozen=True)
class ParsedSession:
    entries: tuple[ParsedEntry, ...]


class ErrorCode(StrEnum):
    EMPTY = "empty"
    TOO_MANY_ENTRIES = "too_many_entries"
    LINE_TOO_LONG = "line_too_long"
    NO_SETS_REPS = "no_sets_reps"
    NO_NAME = "no_name"
    NAME_CHARACTERS = "name_characters"
    NAME_TOO_LONG = "name_too_long"
    REPS_NOT_WHOLE = "reps_not_whole"
    SETS_RANGE = "sets_range"
    REPS_RANGE = "reps_range"
    TIME_RANGE = "time_range"
    DISTANCE_RANGE = "distance_range"
    LOAD_RANGE = "load_range"
    PERCENT_RANGE = "percent_range"
    RPE_RANGE = "rpe_range"
    RIR_RANGE = "rir_range"
    LOAD_UNIT_MISSING = "load_unit_missing"
    WRONG_UNIT = "wrong_unit"
    LOAD_COUNT = "load_count"
    TWO_LOADS = "two_loads"
    TWO_EFFORTS = "two_efforts"
    BAD_TEMPO = "bad_tempo"
    BAD_REST = "bad_rest"
    REPEATED = "repeated"
    NOTE_TOO_LONG = "note_too_long"
    NOT_UNDERSTOOD = "not_understood"


@dataclass(frozen=True)
class LineError:
    """`line_no` is 1-based (0: the text as a whole); `fragment` is the part not understood,
    `example` the right form of it."""

    line_no: int
    code: ErrorCode
    fragment: str
    example: str
    limit: float | None = None


@dataclass(frozen=True)
class ParseErrors:
    errors: tuple[LineError, ...]


# --- numbers -------------------------------------------------------------------------------

# A decimal comma has one or two digits after it ("102,5"); "100,105" is a list of two numbers.
_NUM = r"\d{1,6}(?:\.\d{1,6}|,\d{1,2}(?!\d))?"
_LIST_SEP = r"\s*(?:/|,\s*|\s+(?=\d))\s*"
_NUM_LIST = rf"{_NUM}(?:{_LIST_SEP}{_NUM})*"


def _to_float(text: str) -> float:
    # Two decimals are all any load, percentage or RPE needs, and what is written back.
    return round(float(text.replace(",", ".")), 2)


def _split_numbers(text: str) -> list[float]:
    return [_to_float(part) for part in re.findall(_NUM, text)]


def format_number(value: float, *, places: int = 2) -> str:
    """102.5 -> "102.5", 100.0 -> "100": how every number is written back."""
    text = f"{round(value, places):.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def kg_to_unit(kg: float, unit: Unit) -> float:
    return kg if unit == "kg" else kg / LB_IN_KG


def unit_to_kg(value: float, unit: Unit) -> float:
    return value if unit == "kg" else round(value * LB_IN_KG, 6)


def format_load(kg: float, unit: Unit) -> str:
    return f"{format_number(kg_to_unit(kg, unit))}{unit}"


# --- reps ----------------------------------------------------------------------------------

_REP = re.compile(
    r"""(?ix)
    (?P<amrap>amrap|max)(?![a-z])
  | (?P<mm>\d{1,2}):(?P<ss>[0-5]\d)(?!\d)
  | (?P<sec>\d{1,5})\s?(?:s|sec|secs)(?![a-z])
  | (?P<min>\d{1,3})\s?min(?![a-z])
  | (?P<dist>\d{1,5}(?:[.,]\d{1,2})?)\s?(?P<dunit>km|m)(?![a-z])
  | (?P<lo>\d{1,4})\s?[-–]\s?(?P<hi>\d{1,4})(?!\d|[.,]\d)
  | (?P<plus>\d{1,4})\+
  | (?P<reps>\d{1,4})(?![\d])
    """
)
_SETS = re.compile(r"(\d{1,3})(?!\d|[.,:]\d)")
_X = re.compile(r"\s*[xX×хХ*]\s*")
_DECIMAL_AFTER = re.compile(r"[.,]\d")


class _LineFailure(Exception):
    def __init__(self, code: ErrorCode, fragment: str, example: str, limit: float | None = None):
        super().__init__(code)
        self.code = code
        self.fragment = fragment
        self.example = example
        self.limit = limit


def _read_rep(text: str, pos: int) -> tuple[SetTarget, int] | None:
    match = _REP.match(text, pos)
    if match is None:
        return None
    end = match.end()
    groups = match.groupdict()
    fragment = match.group(0)
    if groups["amrap"]:
        return SetTarget(amrap=True), end
    if groups["mm"] is not None:
        seconds = int(groups["mm"]) * 60 + int(groups["ss"])
        return SetTarget(seconds=_check_seconds(seconds, fragment)), end
    if groups["sec"] is not None:
        return SetTarget(seconds=_check_seconds(int(groups["sec"]), fragment)), end
    if groups["min"] is not None:
        return SetTarget(seconds=_check_seconds(int(groups["min"]) * 60, fragment)), end
    if groups["dist"] is not None:
        meters = _to_float(groups["dist"]) * (1000 if groups["dunit"].lower() == "km" else 1)
        if meters != int(meters) or not 1 <= meters <= MAX_METERS:
            raise _LineFailure(ErrorCode.DISTANCE_RANGE, fragment, "30m", MAX_METERS)
        return SetTarget(meters=int(meters)), end
    if groups["lo"] is not None:
        low, high = int(groups["lo"]), int(groups["hi"])
        if not 1 <= low < high <= MAX_REPS:
            raise _LineFailure(ErrorCode.REPS_RANGE, fragment, "8-10", MAX_REPS)
        return SetTarget(reps=low, reps_max=high), end
    if groups["plus"] is not None:
        return SetTarget(reps=_check_reps(int(groups["plus"]), fragment), amrap=True), end
    if _DECIMAL_AFTER.match(text, end):
        raise _LineFailure(ErrorCode.REPS_NOT_WHOLE, text[pos : end + 2], groups["reps"], None)
    return SetTarget(reps=_check_reps(int(groups["reps"]), fragment)), end


def _check_reps(reps: int, fragment: str) -> int:
    if not 1 <= reps <= MAX_REPS:
        raise _LineFailure(ErrorCode.REPS_RANGE, fragment, "10", MAX_REPS)
    return reps


def _check_seconds(seconds: int, fragment: str) -> int:
    if not 1 <= seconds <= MAX_SECONDS:
        raise _LineFailure(ErrorCode.TIME_RANGE, fragment, "45s", MAX_SECONDS)
    return seconds


def _read_scheme(text: str, pos: int) -> tuple[tuple[SetTarget, ...], int] | None:
    """`5x5` style (sets x one target) or `5/3/1` style (one target per set), at pos."""
    sets_match = _SETS.match(text, pos)
    if sets_match is not None:
        x_match = _X.match(text, sets_match.end())
        if x_match is not None:
            rep = _read_rep(text, x_match.end())
            if rep is not None:
                count = int(sets_match.group(1))
                if not 1 <= count <= MAX_SETS:
                    raise _LineFailure(ErrorCode.SETS_RANGE, text[pos : rep[1]], "5x5", MAX_SETS)
                return (rep[0],) * count, rep[1]
    targets: list[SetTarget] = []
    cursor = pos
    while True:
        rep = _read_rep(text, cursor)
        if rep is None:
            return None
        targets.append(rep[0])
        cursor = rep[1]
        slash = re.compile(r"\s*/\s*").match(text, cursor)
        if slash is None:
            break
        cursor = slash.end()
    if len(targets) < 2:
        return None
    if len(targets) > MAX_SETS:
        raise _LineFailure(ErrorCode.SETS_RANGE, text[pos:cursor], "5/3/1", MAX_SETS)
    return tuple(targets), cursor


# --- the clauses after the scheme ----------------------------------------------------------

_SEPARATORS = re.compile(r"[\s,;]*")
_EFFORT = re.compile(rf"(?i)@?\s*(?P<kind>rpe|rir)\s*(?P<values>{_NUM_LIST})(?![\d%a-z])")
_BODYWEIGHT = re.compile(
    rf"(?i)@?\s*(?:bw|bodyweight)(?:\s*\+\s*(?P<extra>{_NUM})\s*(?P<unit>kgs?|lbs?))?(?![a-z\d])"
)
_LOAD = re.compile(
    rf"(?i)@\s*(?P<values>{_NUM_LIST})\s*(?P<unit>%|kgs?|lbs?|kilos?|pounds?)?(?![a-z\d])"
    # without the @, a unit is what says it is a load: "5x5 100kg", "3x8 70%"
    rf"|(?P<bare>{_NUM_LIST})\s*(?P<bare_unit>%|kgs?|lbs?|kilos?|pounds?)(?![a-z\d])"
)
_TEMPO = re.compile(r"(?i)tempo\b\s*(?P<value>[0-9x]{4}|[0-9x](?:-[0-9x]){3})(?![\w-])")
_TEMPO_WORD = re.compile(r"(?i)tempo\b\s*\S*")
_REST = re.compile(
    r"(?i)rest\b\s*(?:(?P<mm>\d{1,2}):(?P<ss>[0-5]\d)(?!\d)"
    r"|(?P<value>\d{1,4}(?:[.,]5)?)\s*(?P<unit>s|sec|secs|m|min|mins|'|\")(?![a-z]))"
)
_REST_WORD = re.compile(r"(?i)rest\b\s*\S*(?:\s+(?:s|sec|secs|min|mins)\b)?")


@dataclass
class _Clauses:
    loads: list[float] | None = None  # kg
    percents: list[float] | None = None
    bodyweight_extra: float | None = None
    bodyweight: bool = False
    rpe: list[float] | None = None
    rir: list[int] | None = None
    tempo: str | None = None
    rest_seconds: int | None = None
    seen: set[str] = field(default_factory=set)

    def claim(self, what: str, fragment: str, example: str) -> None:
        groups = {"kg": "load", "percent": "load", "bw": "load", "rpe": "effort", "rir": "effort"}
        key = groups.get(what, what)
        if key in self.seen:
            code = {"load": ErrorCode.TWO_LOADS, "effort": ErrorCode.TWO_EFFORTS}.get(
                key, ErrorCode.REPEATED
            )
            raise _LineFailure(code, fragment.strip(), example)
        self.seen.add(key)


def _fragment_at(text: str, pos: int) -> str:
    rest = text[pos:].strip()
    word = re.match(r"@?\s*\S+(?:\s+\S+)?", rest)
    return (word.group(0) if word else rest)[:40]


def _read_clauses(text: str, pos: int, unit: Unit, set_count: int) -> _Clauses:
    clauses = _Clauses()
    while True:
        pos = _SEPARATORS.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            return clauses
        if match := _EFFORT.match(text, pos):
            kind = match.group("kind").lower()
            fragment = match.group(0)
            clauses.claim(kind, fragment, "@ RPE 8")
            values = _per_set(_split_numbers(match.group("values")), set_count, fragment, kind)
            if kind == "rpe":
                if not all(1 <= value <= 10 for value in values):
                    raise _LineFailure(ErrorCode.RPE_RANGE, fragment.strip(), "@ RPE 8", 10)
                clauses.rpe = values
            else:
                if not all(value == int(value) and 0 <= value <= MAX_RIR for value in values):
                    raise _LineFailure(ErrorCode.RIR_RANGE, fragment.strip(), "@ RIR 2", MAX_RIR)
                clauses.rir = [int(value) for value in values]
        elif match := _BODYWEIGHT.match(text, pos):
            fragment = match.group(0)
            clauses.claim("bw", fragment, "@ BW+10kg")
            clauses.bodyweight = True
            if match.group("extra") is not None:
                kg = _to_kg(_to_float(match.group("extra")), match.group("unit"), unit, fragment)
                clauses.bodyweight_extra = kg or None  # "BW+0kg" is bodyweight
        elif match := _LOAD.match(text, pos):
            fragment = match.group(0)
            numbers = _split_numbers(match.group("values") or match.group("bare"))
            load_unit = (match.group("unit") or match.group("bare_unit") or "").lower()
            if not load_unit:
                shown = format_number(numbers[0])
                raise _LineFailure(
                    ErrorCode.LOAD_UNIT_MISSING, fragment.strip(), f"@ {shown}{unit} or @ {shown}%"
                )
            if load_unit == "%":
                clauses.claim("percent", fragment, "@ 80%")
                values = _per_set(numbers, set_count, fragment, "percent")
                if not all(0 < value <= MAX_PERCENT for value in values):
                    raise _LineFailure(
                        ErrorCode.PERCENT_RANGE, fragment.strip(), "@ 80%", MAX_PERCENT
                    )
                clauses.percents = values
            else:
                clauses.claim("kg", fragment, f"@ 100{unit}")
                values = _per_set(numbers, set_count, fragment, "kg")
                clauses.loads = [_to_kg(value, load_unit, unit, fragment) for value in values]
        elif match := _TEMPO.match(text, pos):
            clauses.claim("tempo", match.group(0), "tempo 31X1")
            clauses.tempo = match.group("value").replace("-", "").upper()
        elif _TEMPO_WORD.match(text, pos):
            bad = _TEMPO_WORD.match(text, pos).group(0)  # type: ignore[union-attr]
            raise _LineFailure(ErrorCode.BAD_TEMPO, bad.strip(), "tempo 31X1")
        elif match := _REST.match(text, pos):
            clauses.claim("rest", match.group(0), "rest 90s")
            clauses.rest_seconds = _rest_seconds(match)
        elif _REST_WORD.match(text, pos):
            bad = _REST_WORD.match(text, pos).group(0)  # type: ignore[union-attr]
            raise _LineFailure(ErrorCode.BAD_REST, bad.strip(), "rest 90s")
        else:
            raise _LineFailure(
                ErrorCode.NOT_UNDERSTOOD, _fragment_at(text, pos), "@ 80%, tempo 31X1, rest 90s"
            )
        pos = match.end()


def _per_set(values: list[float], set_count: int, fragment: str, kind: str) -> list[float]:
    if len(values) == 1:
        return values * set_count
    if len(values) != set_count:
        examples = {
            "rpe": "@ RPE " + "/".join(["8"] * set_count),
            "rir": "@ RIR " + "/".join(["2"] * set_count),
            "percent": "@ " + "/".join(str(70 + 5 * i) for i in range(set_count)) + "%",
            "kg": "@ " + "/".join(str(100 + 5 * i) for i in range(set_count)) + "kg",
        }
        raise _LineFailure(ErrorCode.LOAD_COUNT, fragment.strip(), examples[kind], set_count)
    return values


def _to_kg(value: float, typed_unit: str, team_unit: Unit, fragment: str) -> float:
    typed: Unit = "lb" if typed_unit.lower().startswith(("lb", "pound")) else "kg"
    if typed != team_unit:
        converted = value * LB_IN_KG if typed == "lb" else value / LB_IN_KG
        example = f"@ {format_number(converted, places=1)}{team_unit}"
        raise _LineFailure(ErrorCode.WRONG_UNIT, fragment.strip(), example)
    kg = unit_to_kg(value, team_unit)
    if not 0 <= kg <= MAX_KG:
        limit = kg_to_unit(MAX_KG, team_unit)
        raise _LineFailure(ErrorCode.LOAD_RANGE, fragment.strip(), f"@ 100{team_unit}", limit)
    return kg


def _rest_seconds(match: re.Match[str]) -> int:
    if match.group("mm") is not None:
        seconds = int(match.group("mm")) * 60 + int(match.group("ss"))
    else:
        value = _to_float(match.group("value"))
        minutes = match.group("unit").lower() in ("m", "min", "mins", "'")
        seconds = round(value * 60) if minutes else round(value)
    if not 1 <= seconds <= MAX_REST_SECONDS:
        raise _LineFailure(ErrorCode.BAD_REST, match.group(0).strip(), "rest 90s")
    return seconds


# --- lines ---------------------------------------------------------------------------------

_LABEL = re.compile(r"(?P<label>[A-Za-z]\d{0,2})\s?[.)]\s+|\d{1,2}[.)]\s+")
_NOTE = re.compile(r"\s*(?:--|—)\s*")
_NAME_PUNCTUATION = set(" -'’/().,&+:#%")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _name_problem(name: str) -> str | None:
    """The first character a name may not hold (emoji, symbols, control characters)."""
    for char in name:
        if char in _NAME_PUNCTUATION:
            continue
        category = unicodedata.category(char)
        if category[0] not in "LMN":
            return char
    return None


def parse_line(line: str, *, line_no: int = 1, unit: Unit = "kg") -> ParsedEntry | LineError:
    """One entry; the line must not be blank."""
    try:
        return _parse_line(line, line_no, unit)
    except _LineFailure as failure:
        return LineError(line_no, failure.code, failure.fragment, failure.example, failure.limit)


def _parse_line(line: str, line_no: int, unit: Unit) -> ParsedEntry:
    text = " ".join(line.split())
    if len(text) > MAX_LINE_LENGTH:
        raise _LineFailure(
            ErrorCode.LINE_TOO_LONG, text[:40] + "…", "Back squat 5x5 @ 80%", MAX_LINE_LENGTH
        )
    note: str | None = None
    note_match = _NOTE.search(text)
    if note_match is not None:
        note = text[note_match.end() :].strip() or None
        text = text[: note_match.start()].strip()
        if note is not None and len(note) > MAX_NOTE_LENGTH:
            raise _LineFailure(
                ErrorCode.NOTE_TOO_LONG, note[:40] + "…", "-- slow eccentric", MAX_NOTE_LENGTH
            )
        if note is not None and _CONTROL.search(note):
            raise _LineFailure(ErrorCode.NOT_UNDERSTOOD, note[:40], "-- slow eccentric")
    label: str | None = None
    label_match = _LABEL.match(text)
    if label_match is not None:
        label = label_match.group("label")
        label = label.upper() if label else None
        text = text[label_match.end() :]
    entry = _read_entry(text, unit)
    if entry is None:
        raise _LineFailure(ErrorCode.NO_SETS_REPS, text[:60] or line[:60], "Back squat 5x5 @ 80%")
    name, sets, clauses = entry
    if len(name) > MAX_NAME_LENGTH:
        raise _LineFailure(
            ErrorCode.NAME_TOO_LONG, name[:40] + "…", "Back squat 5x5", MAX_NAME_LENGTH
        )
    bad_char = _name_problem(name)
    if bad_char is not None:
        raise _LineFailure(ErrorCode.NAME_CHARACTERS, bad_char, "Back squat 5x5")
    return ParsedEntry(line_no, label, name, _build(sets, clauses, note))


def _scheme_starts(text: str) -> Iterable[int]:
    for match in re.finditer(r"(?:(?<=\s)|^)[0-9AaMm]", text):
        yield match.start()


def _read_entry(text: str, unit: Unit) -> tuple[str, tuple[SetTarget, ...], _Clauses] | None:
    """Name, sets and clauses. The scheme is the first place that leaves a name before it and
    reads cleanly after it ("90/90 hip switch 2x10" is a name, then a scheme); when none does,
    the first scheme's own error is the one to report."""
    first_failure: _LineFailure | None = None
    tried = 0
    for start in _scheme_starts(text):
        if tried >= MAX_SCHEME_TRIES:
            break  # no name holds that many; a hostile line costs no more than this
        name = text[:start].strip()
        try:
            scheme = _read_scheme(text, start)
            if scheme is None:
                continue
            tried += 1
            if not name:
                if first_failure is None:
                    first_failure = _LineFailure(
                        ErrorCode.NO_NAME, text[:40], "Back squat " + text[:20].strip()
                    )
                continue
            sets, end = scheme
            if end < len(text) and not re.match(r"[\s,;@]", text[end]):
                continue  # "3x5kg" or a word that merely starts with digits
            clauses = _read_clauses(text, end, unit, len(sets))
        except _LineFailure as failure:
            if first_failure is None or first_failure.code is ErrorCode.NO_NAME:
                first_failure = failure
            continue
        return name, sets, clauses
    if first_failure is not None:
        raise first_failure
    return None


def _build(sets: tuple[SetTarget, ...], clauses: _Clauses, note: str | None) -> Prescription:
    built: list[SetTarget] = []
    for index, target in enumerate(sets):
        changes: dict[str, Any] = {}
        if clauses.loads is not None:
            changes["kg"] = clauses.loads[index]
        if clauses.percents is not None:
            changes["percent"] = clauses.percents[index]
        if clauses.bodyweight:
            changes["bodyweight"] = True
            changes["kg"] = clauses.bodyweight_extra
        if clauses.rpe is not None:
            changes["rpe"] = clauses.rpe[index]
        if clauses.rir is not None:
            changes["rir"] = clauses.rir[index]
        built.append(replace(target, **changes))
    return Prescription(
        sets=tuple(built), tempo=clauses.tempo, rest_seconds=clauses.rest_seconds, note=note
    )


def parse_session(text: str, *, unit: Unit = "kg") -> ParsedSession | ParseErrors:
    """Every line of a session, or every line's error (never a half-read session)."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        return ParseErrors((LineError(0, ErrorCode.EMPTY, "", "A1. Back squat 5x5 @ 80%"),))
    if len(lines) > MAX_ENTRIES:
        return ParseErrors(
            (
                LineError(
                    0,
                    ErrorCode.TOO_MANY_ENTRIES,
                    str(len(lines)),
                    "A1. Back squat 5x5 @ 80%",
                    MAX_ENTRIES,
                ),
            )
        )
    entries: list[ParsedEntry] = []
    errors: list[LineError] = []
    for number, line in lines:
        result = parse_line(line, line_no=number, unit=unit)
        if isinstance(result, LineError):
            errors.append(result)
        else:
            entries.append(result)
    if errors:
        return ParseErrors(tuple(errors))
    return ParsedSession(tuple(entries))


# --- rendering -----------------------------------------------------------------------------


def render_target(target: SetTarget) -> str:
    """One set's reps, time or distance, as typed: 5, 8-10, 5+, AMRAP, 45s, 1:30, 30m."""
    if target.seconds is not None:
        if target.seconds < 60:
            return f"{target.seconds}s"
        return f"{target.seconds // 60}:{target.seconds % 60:02d}"
    if target.meters is not None:
        return f"{target.meters}m"
    if target.amrap:
        return "AMRAP" if target.reps is None else f"{target.reps}+"
    if target.reps_max is not None:
        return f"{target.reps}-{target.reps_max}"
    return str(target.reps)


def _volume_part(target: SetTarget) -> tuple[Any, ...]:
    return (target.reps, target.reps_max, target.amrap, target.seconds, target.meters)


def _same(values: list[Any]) -> bool:
    return all(value == values[0] for value in values)


def _joined(values: list[str]) -> str:
    return values[0] if _same(values) else "/".join(values)


def render_prescription(prescription: Prescription, *, unit: Unit = "kg") -> str:
    sets = prescription.sets
    if not sets:
        return ""
    if _same([_volume_part(target) for target in sets]):
        parts = [f"{len(sets)}x{render_target(sets[0])}"]
    else:
        parts = ["/".join(render_target(target) for target in sets)]
    first = sets[0]
    if first.bodyweight:
        extra = f"+{format_load(first.kg, unit)}" if first.kg else ""
        parts.append(f"@ BW{extra}")
    elif first.percent is not None:
        parts.append(f"@ {_joined([format_number(t.percent or 0) for t in sets])}%")
    elif first.kg is not None:
        shown = [format_number(kg_to_unit(t.kg or 0, unit)) for t in sets]
        parts.append(f"@ {_joined(shown)}{unit}")
    if first.rpe is not None:
        parts.append(f"@ RPE {_joined([format_number(t.rpe or 0) for t in sets])}")
    elif first.rir is not None:
        parts.append(f"@ RIR {_joined([str(t.rir) for t in sets])}")
    text = " ".join(parts)
    extras = []
    if prescription.tempo:
        extras.append(f"tempo {prescription.tempo}")
    if prescription.rest_seconds is not None:
        extras.append(f"rest {render_duration(prescription.rest_seconds)}")
    if extras:
        text = ", ".join([text, *extras])
    if prescription.note:
        text += f" -- {prescription.note}"
    return text


def render_duration(seconds: int) -> str:
    return f"{seconds // 60}min" if seconds % 60 == 0 else f"{seconds}s"


def render_entry(
    *, group_label: str | None, exercise_name: str, prescription: Prescription, unit: Unit = "kg"
) -> str:
    label = f"{group_label}. " if group_label else ""
    return f"{label}{exercise_name} {render_prescription(prescription, unit=unit)}"


def render_session(entries: Iterable[ParsedEntry], *, unit: Unit = "kg") -> str:
    return "\n".join(
        render_entry(
            group_label=entry.group_label,
            exercise_name=entry.exercise_name,
            prescription=entry.prescription,
            unit=unit,
        )
        for entry in entries
    )


# --- progression (copy a week onto later weeks) --------------------------------------------


class ProgressionKind(StrEnum):
    KG = "kg"
    PERCENT = "percent"
    REPS = "reps"


@dataclass(frozen=True)
class Progression:
    """`+2.5kg` adds to absolute loads (and to the load on top of bodyweight); `+5%` adds five
    points to %1RM loads and 5 % to absolute ones (rounded to the team's increment); `+1 rep`
    adds to rep targets (both ends of a range, the floor of `5+`). Negative values deload."""

    kind: ProgressionKind
    amount: float  # kg for KG (already converted from the team's unit)


_PROGRESSION = re.compile(
    rf"(?i)^\s*(?P<sign>[+\-−]?)\s*(?P<value>{_NUM})\s*"
    r"(?P<unit>kgs?|lbs?|%|reps?)\s*$"
)


def parse_progression(text: str, *, unit: Unit = "kg") -> Progression | LineError:
    match = _PROGRESSION.match(text)
    example = f"+2.5{unit}, +5% or +1 rep"
    if match is None:
        return LineError(0, ErrorCode.NOT_UNDERSTOOD, text.strip()[:40], example)
    sign = -1 if match.group("sign") in ("-", "−") else 1
    value = _to_float(match.group("value")) * sign
    typed = match.group("unit").lower()
    if typed.startswith("rep"):
        if value != int(value) or not -MAX_REPS < value < MAX_REPS or value == 0:
            return LineError(0, ErrorCode.REPS_NOT_WHOLE, text.strip()[:40], "+1 rep")
        return Progression(ProgressionKind.REPS, value)
    if typed == "%":
        if not -50 <= value <= 50 or value == 0:
            return LineError(0, ErrorCode.PERCENT_RANGE, text.strip()[:40], "+5%", 50)
        return Progression(ProgressionKind.PERCENT, value)
    typed_unit: Unit = "lb" if typed.startswith("lb") else "kg"
    if typed_unit != unit:
        converted = value * LB_IN_KG if typed_unit == "lb" else value / LB_IN_KG
        return LineError(0, ErrorCode.WRONG_UNIT, text.strip()[:40], f"{converted:+.1f}{unit}")
    kg = unit_to_kg(value, unit)
    if value == 0 or abs(kg) > MAX_PROGRESSION_KG:
        return LineError(0, ErrorCode.LOAD_RANGE, text.strip()[:40], f"+2.5{unit}", None)
    return Progression(ProgressionKind.KG, kg)


def render_progression(progression: Progression, *, unit: Unit = "kg") -> str:
    if progression.kind is ProgressionKind.REPS:
        count = int(progression.amount)
        return f"{count:+d} rep" + ("" if abs(count) == 1 else "s")
    if progression.kind is ProgressionKind.PERCENT:
        return f"{'+' if progression.amount > 0 else ''}{format_number(progression.amount)}%"
    value = kg_to_unit(progression.amount, unit)
    return f"{'+' if value > 0 else ''}{format_number(value)}{unit}"


def round_to_increment(kg: float, *, unit: Unit, increment: float) -> float:
    """Round a load to the team's plate increment, counted in the team's unit."""
    if increment <= 0:
        return kg
    shown = kg_to_unit(kg, unit)
    return unit_to_kg(round(shown / increment) * increment, unit)


def progress_prescription(
    prescription: Prescription,
    progression: Progression,
    *,
    steps: int = 1,
    unit: Unit = "kg",
    increment: float = 2.5,
) -> Prescription:
    """The prescription `steps` weeks on. Loads never go below zero, reps below one, and a
    percentage never above the parser's own limit."""
    amount = progression.amount * steps
    sets: list[SetTarget] = []
    for target in prescription.sets:
        changes: dict[str, Any] = {}
        if progression.kind is ProgressionKind.KG and target.kg is not None:
            changes["kg"] = min(MAX_KG, max(0.0, round(target.kg + amount, 6)))
        elif progression.kind is ProgressionKind.PERCENT:
            if target.percent is not None:
                changes["percent"] = min(MAX_PERCENT, max(1.0, round(target.percent + amount, 2)))
            elif target.kg is not None and not target.bodyweight:
                raised = target.kg * (1 + amount / 100)
                rounded = round_to_increment(raised, unit=unit, increment=increment)
                changes["kg"] = min(MAX_KG, max(0.0, rounded))
        elif progression.kind is ProgressionKind.REPS and target.reps is not None:
            step = int(amount)
            if target.reps_max is None:
                changes["reps"] = min(MAX_REPS, max(1, target.reps + step))
            else:
                low = min(MAX_REPS - 1, max(1, target.reps + step))
                changes["reps"] = low
                changes["reps_max"] = min(MAX_REPS, max(low + 1, target.reps_max + step))
        sets.append(replace(target, **changes))
    return replace(prescription, sets=tuple(sets))
