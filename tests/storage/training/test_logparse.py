from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.training.logparse import (
    DateError,
    DateErrorKind,
    LogError,
    LogErrorKind,
    LoggedSet,
    LogLine,
    parse_log_line,
    parse_max,
    split_date,
    split_name,
)


def sets_of(text: str, unit: str = "kg") -> list[tuple[int | None, float | None, float | None]]:
    result = parse_log_line(text, unit=unit)
    assert isinstance(result, LogLine), result
    return [(s.reps, None if s.kg is None else round(s.kg, 3), s.rpe) for s in result.sets]


def test_load_by_reps_one_set_each() -> None:
    assert sets_of("100x5, 100x5, 105x4") == [(5, 100, None), (5, 100, None), (4, 105, None)]
    assert sets_of("100 X 5,100×5") == [(5, 100, None), (5, 100, None)]
    assert sets_of("100x5x3") == [(5, 100, None)] * 3


def test_reps_per_set_at_one_load() -> None:
    assert sets_of("5,5,4 @ 100") == [(5, 100, None), (5, 100, None), (4, 100, None)]
    assert sets_of("5, 5, 4 @ 102,5") == [(5, 102.5, None), (5, 102.5, None), (4, 102.5, None)]


def test_sets_by_reps_at_a_load_with_rpe() -> None:
    assert sets_of("3x5 @ 102.5 @8") == [(5, 102.5, 8.0)] * 3
    assert sets_of("3x5 @ 100 rpe 8.5") == [(5, 100, 8.5)] * 3
    assert sets_of("100x5 rpe 9") == [(5, 100, 9.0)]
    assert sets_of("100x5, 100x5 @ 9") == [(5, 100, 9.0)] * 2


def test_units() -> None:
    assert sets_of("225lbx5") == [(5, 102.058, None)]
    assert sets_of("3x5 @ 225", unit="lb") == [(5, 102.058, None)] * 3
    assert sets_of("3x5 @ 100kg", unit="lb") == [(5, 100, None)] * 3


def test_bodyweight_timed_and_distance() -> None:
    assert sets_of("5,5,4") == [(5, None, None), (5, None, None), (4, None, None)]
    line = parse_log_line("45s")
    assert line == LogLine(sets=(LoggedSet(seconds=45),))
    line = parse_log_line("3x45s, 1:30")
    assert isinstance(line, LogLine)
    assert [s.seconds for s in line.sets] == [45, 45, 45, 90]
    line = parse_log_line("2x30m @ 40")
    assert line == LogLine(sets=(LoggedSet(meters=30, kg=40),) * 2)


def test_skip() -> None:
    assert parse_log_line(" Skip ") == LogLine(sets=(), skipped=True)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("100x", LogErrorKind.REPS_MISSING),
        ("100kg", LogErrorKind.REPS_MISSING),
        ("-5x5", LogErrorKind.NEGATIVE),
        ("1000x1000", LogErrorKind.LOAD_RANGE),
        ("100x1000", LogErrorKind.REPS_RANGE),
        ("100x0", LogErrorKind.REPS_RANGE),
        ("5,5,4 @", LogErrorKind.LOAD_MISSING),
        ("3x5 @ 100 @", LogErrorKind.RPE_MISSING),
        ("3x5 @ 100 @11", LogErrorKind.RPE_RANGE),
        ("3x5 @ 100 @7.3", LogErrorKind.RPE_RANGE),
        ("100x5 @8", LogErrorKind.SETS_RANGE),  # 100 sets: write `100x5 rpe 8`
        ("100x5, 3x5 @ 100", LogErrorKind.LOAD_TWICE),
        ("пять по пять", LogErrorKind.UNREADABLE),
        ("cinco por cinco", LogErrorKind.UNREADABLE),
        ("五五四", LogErrorKind.UNREADABLE),
        ("5,,5", LogErrorKind.UNREADABLE),
        ("100x5x50", LogErrorKind.SETS_RANGE),
        ("", LogErrorKind.EMPTY),
        ("   ", LogErrorKind.EMPTY),
        ("5" * 300, LogErrorKind.TOO_LONG),
        ("0:00", LogErrorKind.TIME_RANGE),
        ("100x5, " * 21 + "100x5", LogErrorKind.TOO_MANY_SETS),
    ],
)
def test_bad_lines_get_a_reason(text: str, kind: LogErrorKind) -> None:
    result = parse_log_line(text)
    assert isinstance(result, LogError), result
    assert result.kind is kind


def test_error_names_the_part_not_understood() -> None:
    result = parse_log_line("100x5, 100y5")
    assert result == LogError(LogErrorKind.UNREADABLE, "100y5")


@given(st.text(max_size=60))
def test_any_text_is_a_line_or_an_error(text: str) -> None:
    result = parse_log_line(text)
    assert isinstance(result, LogLine | LogError)
    if isinstance(result, LogLine):
        assert result.skipped or 1 <= len(result.sets) <= 20
        for logged in result.sets:
            assert logged.reps is None or 1 <= logged.reps <= 100
            assert logged.kg is None or 0 < logged.kg <= 600


@given(
    kg=st.decimals(min_value=1, max_value=500, places=1),
    reps=st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=10),
)
def test_written_lines_read_back(kg: object, reps: list[int]) -> None:
    line = ", ".join(f"{kg}x{r}" for r in reps)
    assert sets_of(line) == [(r, round(float(str(kg)), 3), None) for r in reps]
    assert sets_of(",".join(map(str, reps)) + f" @ {kg}") == [
        (r, round(float(str(kg)), 3), None) for r in reps
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Back squat 3x5 @ 100", ("Back squat", "3x5 @ 100")),
        ("Squat   100x5, 105x4", ("Squat", "100x5, 105x4")),
        ("Bench 5,5,4 @ 80", ("Bench", "5,5,4 @ 80")),
        ("Plank 45s", ("Plank", "45s")),
        ("Romanian deadlift -5x5", ("Romanian deadlift", "-5x5")),
        ("Row skip", ("Row", "skip")),
        ("Back squat", ("Back squat", "")),
        ("3x5 @ 100", ("", "3x5 @ 100")),
    ],
)
def test_split_name(text: str, expected: tuple[str, str]) -> None:
    assert split_name(text) == expected


def test_parse_max() -> None:
    assert parse_max("140") == 140
    assert parse_max("142,5 kg") == 142.5
    assert parse_max("315 lb") == pytest.approx(142.88, abs=0.01)
    assert parse_max("315", unit="lb") == pytest.approx(142.88, abs=0.01)
    assert parse_max("") == LogError(LogErrorKind.LOAD_MISSING)
    assert parse_max("-140") == LogError(LogErrorKind.NEGATIVE, "-140")
    assert parse_max("heavy") == LogError(LogErrorKind.UNREADABLE, "heavy")
    assert parse_max("1000") == LogError(LogErrorKind.LOAD_RANGE, "1000")
    assert parse_max("0") == LogError(LogErrorKind.LOAD_RANGE, "0")


def test_split_date() -> None:
    today = date(2026, 3, 9)
    assert split_date("2026-03-01 Squat 3x5 @ 100", today=today) == (
        date(2026, 3, 1),
        "Squat 3x5 @ 100",
    )
    assert split_date("01.03.2026 Squat 3x5", today=today) == (date(2026, 3, 1), "Squat 3x5")
    assert split_date("yesterday Squat 3x5", today=today) == (date(2026, 3, 8), "Squat 3x5")
    assert split_date("Squat 3x5", today=today) == (None, "Squat 3x5")
    assert split_date("2026-02-30 Squat 3x5", today=today) == (
        DateError(DateErrorKind.NO_SUCH_DAY, "2026-02-30"),
        "Squat 3x5",
    )
    assert split_date("2026-03-10 Squat", today=today)[0] == DateError(
        DateErrorKind.FUTURE, "2026-03-10"
    )
    assert split_date("2024-03-10 Squat", today=today)[0] == DateError(
        DateErrorKind.TOO_OLD, "2024-03-10"
    )


@given(st.text(max_size=40))
def test_split_date_never_raises(text: str) -> None:
    found, rest = split_date(text, today=date(2026, 3, 9))
    assert found is None or isinstance(found, date | DateError)
    assert len(rest) <= len(text)
