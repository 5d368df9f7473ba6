"""The programming shorthand (pure): examples, every error, and properties with hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.prescriptions import (
    MAX_ENTRIES,
    ErrorCode,
    LineError,
    ParsedEntry,
    ParsedSession,
    ParseErrors,
    Prescription,
    Progression,
    ProgressionKind,
    SetTarget,
    Unit,
    parse_line,
    parse_progression,
    parse_session,
    progress_prescription,
    render_prescription,
    render_progression,
    render_session,
    unit_to_kg,
)


def entry(text: str, unit: Unit = "kg") -> ParsedEntry:
    result = parse_line(text, unit=unit)
    assert isinstance(result, ParsedEntry), result
    return result


def error(text: str, unit: Unit = "kg") -> LineError:
    result = parse_line(text, unit=unit)
    assert isinstance(result, LineError), result
    return result


# --- examples from the issue ---------------------------------------------------------------

ISSUE_EXAMPLE = """A1. Back squat 5x5 @ 80%
A2. Pull-up 3 x 8-10 @ RPE 8, rest 90s
B. RDL 3x8 @ 100kg, tempo 31X1 -- slow eccentric
C. Plank 3x45s
Bench 5/3/1 @ 75/85/95%"""


def test_the_issue_example_reads_into_entries() -> None:
    session = parse_session(ISSUE_EXAMPLE)
    assert isinstance(session, ParsedSession)
    squat, pull_up, rdl, plank, bench = session.entries
    assert (squat.group_label, squat.exercise_name) == ("A1", "Back squat")
    assert squat.prescription.sets == (SetTarget(reps=5, percent=80.0),) * 5
    assert pull_up.prescription.sets == (SetTarget(reps=8, reps_max=10, rpe=8.0),) * 3
    assert pull_up.prescription.rest_seconds == 90
    assert rdl.group_label == "B"
    assert rdl.prescription.sets == (SetTarget(reps=8, kg=100.0),) * 3
    assert (rdl.prescription.tempo, rdl.prescription.note) == ("31X1", "slow eccentric")
    assert plank.prescription.sets == (SetTarget(seconds=45),) * 3
    assert bench.group_label is None
    assert [s.reps for s in bench.prescription.sets] == [5, 3, 1]
    assert [s.percent for s in bench.prescription.sets] == [75.0, 85.0, 95.0]
    assert [e.line_no for e in session.entries] == [1, 2, 3, 4, 5]


def test_render_gives_the_same_shorthand_back() -> None:
    session = parse_session(ISSUE_EXAMPLE)
    assert isinstance(session, ParsedSession)
    assert render_session(session.entries) == (
        "A1. Back squat 5x5 @ 80%\n"
        "A2. Pull-up 3x8-10 @ RPE 8, rest 90s\n"
        "B. RDL 3x8 @ 100kg, tempo 31X1 -- slow eccentric\n"
        "C. Plank 3x45s\n"
        "Bench 5/3/1 @ 75/85/95%"
    )


@pytest.mark.parametrize("scheme", ["5x5", "5 x 5", "5×5", "5X5", "5 X 5", "5*5", "5х5"])
def test_every_way_of_writing_sets_times_reps(scheme: str) -> None:
    assert entry(f"Back squat {scheme}").prescription.sets == (SetTarget(reps=5),) * 5


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("3x8-10", SetTarget(reps=8, reps_max=10)),
        ("3x8–10", SetTarget(reps=8, reps_max=10)),
        ("3x5+", SetTarget(reps=5, amrap=True)),
        ("3xAMRAP", SetTarget(amrap=True)),
        ("3xmax", SetTarget(amrap=True)),
        ("3x45s", SetTarget(seconds=45)),
        ("3x45 sec", SetTarget(seconds=45)),
        ("3x1:30", SetTarget(seconds=90)),
        ("3x2min", SetTarget(seconds=120)),
        ("4x30m", SetTarget(meters=30)),
        ("1x1.5km", SetTarget(meters=1500)),
    ],
)
def test_reps_time_and_distance(text: str, target: SetTarget) -> None:
    assert set(entry(f"Sled push {text}").prescription.sets) == {target}


@pytest.mark.parametrize(
    ("text", "kgs"),
    [
        ("@ 100kg", [100.0] * 3),
        ("@100 kg", [100.0] * 3),
        ("@ 102,5kg", [102.5] * 3),
        ("@ 102.5 kgs", [102.5] * 3),
        ("@ 100, 105, 110kg", [100.0, 105.0, 110.0]),
        ("@ 100/105/110kg", [100.0, 105.0, 110.0]),
        ("@ 100,105,110kg", [100.0, 105.0, 110.0]),
        ("@ 100,5/105/110kg", [100.5, 105.0, 110.0]),
        ("100kg", [100.0] * 3),
        ("100, 105, 110 kg", [100.0, 105.0, 110.0]),
    ],
)
def test_absolute_loads(text: str, kgs: list[float]) -> None:
    assert [s.kg for s in entry(f"Press 3x5 {text}").prescription.sets] == kgs


def test_loads_in_pounds_for_a_pound_team_are_kept_in_kg() -> None:
    press = entry("Press 3x5 @ 225lb", unit="lb")
    assert press.prescription.sets[0].kg == pytest.approx(102.058, abs=0.001)
    assert render_prescription(press.prescription, unit="lb") == "3x5 @ 225lb"


def test_a_unit_the_team_does_not_use_is_refused_with_the_converted_value() -> None:
    wrong = error("Press 3x5 @ 225lb")
    assert wrong.code is ErrorCode.WRONG_UNIT
    assert (wrong.fragment, wrong.example) == ("@ 225lb", "@ 102.1kg")
    assert error("Press 3x5 @ 100kg", unit="lb").example == "@ 220.5lb"
    assert error("Pull-up 3x5 @ BW+10lb").code is ErrorCode.WRONG_UNIT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@ RPE 8", SetTarget(reps=5, rpe=8.0)),
        ("@RPE8", SetTarget(reps=5, rpe=8.0)),
        ("RPE 7,5", SetTarget(reps=5, rpe=7.5)),
        ("@ RIR 2", SetTarget(reps=5, rir=2)),
        ("@ BW", SetTarget(reps=5, bodyweight=True)),
        ("BW", SetTarget(reps=5, bodyweight=True)),
        ("@ BW+10kg", SetTarget(reps=5, bodyweight=True, kg=10.0)),
        ("@ BW + 10 kg", SetTarget(reps=5, bodyweight=True, kg=10.0)),
        ("@ 80% @ RPE 8", SetTarget(reps=5, percent=80.0, rpe=8.0)),
        ("80% RPE 8", SetTarget(reps=5, percent=80.0, rpe=8.0)),
        ("@ 100kg, RIR 1", SetTarget(reps=5, kg=100.0, rir=1)),
    ],
)
def test_efforts_and_bodyweight(text: str, expected: SetTarget) -> None:
    assert set(entry(f"Chin-up 3x5 {text}").prescription.sets) == {expected}


def test_per_set_reps_and_loads() -> None:
    bench = entry("Bench 5/3/1+ @ 75/85/95% @ RPE 7/8/9")
    assert bench.prescription.sets == (
        SetTarget(reps=5, percent=75.0, rpe=7.0),
        SetTarget(reps=3, percent=85.0, rpe=8.0),
        SetTarget(reps=1, amrap=True, percent=95.0, rpe=9.0),
    )
    assert render_prescription(bench.prescription) == "5/3/1+ @ 75/85/95% @ RPE 7/8/9"


@pytest.mark.parametrize(
    ("text", "tempo", "rest"),
    [
        ("tempo 31X1, rest 90s", "31X1", 90),
        ("tempo 3-1-x-1; rest 2min", "31X1", 120),
        ("rest 2 min tempo 2020", "2020", 120),
        ("rest 1:30", None, 90),
        ("rest 1.5min", None, 90),
        ("rest 3m", None, 180),
    ],
)
def test_tempo_and_rest_in_any_order(text: str, tempo: str | None, rest: int) -> None:
    squat = entry(f"Squat 3x5 {text}")
    assert (squat.prescription.tempo, squat.prescription.rest_seconds) == (tempo, rest)


def test_names_may_hold_digits_slashes_and_accents() -> None:
    assert entry("90/90 hip switch 2x10").exercise_name == "90/90 hip switch"
    assert entry("Développé couché 3x5").exercise_name == "Développé couché"
    assert entry("Curl 21s 3x21").exercise_name == "Curl 21s"
    assert entry("a1) Squat 5x5").group_label == "A1"
    numbered = entry("1. Squat 5x5")
    assert (numbered.group_label, numbered.exercise_name) == (None, "Squat")


def test_note_after_double_dash_or_em_dash() -> None:
    assert entry("Squat 5x5 -- pause at the bottom").prescription.note == "pause at the bottom"
    assert entry("Squat 5x5 — belt on").prescription.note == "belt on"
    assert entry("Squat 5x5 --").prescription.note is None


def test_blank_lines_are_skipped_and_line_numbers_kept() -> None:
    result = parse_session("\n  \nSquat 5x5\n\nBench 3x5 @ 80\n")
    assert isinstance(result, ParseErrors)
    assert [(e.line_no, e.code) for e in result.errors] == [(5, ErrorCode.LOAD_UNIT_MISSING)]


# --- every error -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("Squat", ErrorCode.NO_SETS_REPS, "Squat"),
        ("Squat five by five", ErrorCode.NO_SETS_REPS, "Squat five by five"),
        ("5x5 @ 80%", ErrorCode.NO_NAME, "5x5 @ 80%"),
        ("Squat 3x5,5", ErrorCode.REPS_NOT_WHOLE, "5,5"),
        ("Squat 3x5.5", ErrorCode.REPS_NOT_WHOLE, "5.5"),
        ("Squat 50x5", ErrorCode.SETS_RANGE, "50x5"),
        ("Squat 0x5", ErrorCode.SETS_RANGE, "0x5"),
        ("Squat 3x0", ErrorCode.REPS_RANGE, "0"),
        ("Squat 3x10-8", ErrorCode.REPS_RANGE, "10-8"),
        ("Squat 3x500", ErrorCode.REPS_RANGE, "500"),
        ("Plank 3x0s", ErrorCode.TIME_RANGE, "0s"),
        ("Sled 3x0m", ErrorCode.DISTANCE_RANGE, "0m"),
        ("Squat 3x5 @ 1000kg", ErrorCode.LOAD_RANGE, "@ 1000kg"),
        ("Squat 3x5 @ 180%", ErrorCode.PERCENT_RANGE, "@ 180%"),
        ("Squat 3x5 @ RPE 11", ErrorCode.RPE_RANGE, "@ RPE 11"),
        ("Squat 3x5 @ RIR 1.5", ErrorCode.RIR_RANGE, "@ RIR 1.5"),
        ("Squat 3x5 @ 80", ErrorCode.LOAD_UNIT_MISSING, "@ 80"),
        ("Squat 3x5 @ 70/80%", ErrorCode.LOAD_COUNT, "@ 70/80%"),
        ("Squat 3x5 @ 80% @ 100kg", ErrorCode.TWO_LOADS, "@ 100kg"),
        ("Squat 3x5 @ RPE 8 @ RIR 2", ErrorCode.TWO_EFFORTS, "@ RIR 2"),
        ("Squat 3x5 tempo fast", ErrorCode.BAD_TEMPO, "tempo fast"),
        ("Squat 3x5 rest later", ErrorCode.BAD_REST, "rest later"),
        ("Squat 3x5 rest 0s", ErrorCode.BAD_REST, "rest 0s"),
        ("Squat 3x5, rest 90s, rest 2min", ErrorCode.REPEATED, "rest 2min"),
        ("Squat 3x5 with chains", ErrorCode.NOT_UNDERSTOOD, "with chains"),
        ("🏋️ Squat 3x5", ErrorCode.NAME_CHARACTERS, "🏋"),
        ("Squat 3x5 🔥", ErrorCode.NOT_UNDERSTOOD, "🔥"),
        ("Squat\x00 3x5", ErrorCode.NAME_CHARACTERS, "\x00"),
        ("S" * 120 + " 3x5", ErrorCode.NAME_TOO_LONG, "S" * 40 + "…"),
        ("Squat 3x5 -- " + "n" * 250, ErrorCode.NOTE_TOO_LONG, "n" * 40 + "…"),
        ("Squat 3x5 " + "@ 80% " * 200, ErrorCode.LINE_TOO_LONG, None),
    ],
)
def test_each_error_names_the_part_not_understood(
    text: str, code: ErrorCode, fragment: str | None
) -> None:
    problem = error(text)
    assert problem.code is code
    if fragment is not None:
        assert problem.fragment == fragment
    assert problem.example  # always an example of the right form
    if "…" not in problem.fragment:
        # The example itself is valid shorthand (in a line, where it is a fragment).
        fixed = text.replace(problem.fragment, problem.example.split(" or ")[0], 1)
        if code not in (ErrorCode.TWO_LOADS, ErrorCode.TWO_EFFORTS, ErrorCode.REPEATED):
            if code is ErrorCode.NO_SETS_REPS:
                fixed = problem.example
            assert isinstance(parse_line(fixed), ParsedEntry), fixed


def test_whole_text_errors() -> None:
    empty = parse_session(" \n\n ")
    assert isinstance(empty, ParseErrors) and empty.errors[0].code is ErrorCode.EMPTY
    assert empty.errors[0].line_no == 0
    long = parse_session("\n".join(["Squat 5x5"] * 200))
    assert isinstance(long, ParseErrors)
    assert [(e.code, e.limit) for e in long.errors] == [(ErrorCode.TOO_MANY_ENTRIES, MAX_ENTRIES)]
    fine = parse_session("\n".join(["Squat 5x5"] * MAX_ENTRIES))
    assert isinstance(fine, ParsedSession)


def test_every_bad_line_is_reported_not_just_the_first() -> None:
    result = parse_session("Squat 5x5\nBench 5x5 @ 80\nRow\nPress 3x5")
    assert isinstance(result, ParseErrors)
    assert [e.line_no for e in result.errors] == [2, 3]


# --- progression -----------------------------------------------------------------------------


def test_progressions_parse_and_render() -> None:
    assert parse_progression("+2.5kg") == Progression(ProgressionKind.KG, 2.5)
    assert parse_progression("+2,5 kg") == Progression(ProgressionKind.KG, 2.5)
    assert parse_progression("+5%") == Progression(ProgressionKind.PERCENT, 5.0)
    assert parse_progression("+1 rep") == Progression(ProgressionKind.REPS, 1.0)
    assert parse_progression("-10%") == Progression(ProgressionKind.PERCENT, -10.0)
    assert render_progression(Progression(ProgressionKind.KG, 2.5)) == "+2.5kg"
    assert render_progression(Progression(ProgressionKind.REPS, 2.0)) == "+2 reps"
    five_lb = parse_progression("+5lb", unit="lb")
    assert isinstance(five_lb, Progression)
    assert render_progression(five_lb, unit="lb") == "+5lb"
    for bad in ("", "faster", "+5lb", "+0kg", "+1.5 reps", "+80%", "+500kg"):
        assert isinstance(parse_progression(bad), LineError), bad


def test_progress_prescription_by_weeks() -> None:
    squat = entry("Squat 3x5 @ 100kg").prescription
    week_3 = progress_prescription(squat, Progression(ProgressionKind.KG, 2.5), steps=2)
    assert render_prescription(week_3) == "3x5 @ 105kg"
    percent = entry("Squat 3x5 @ 75/80/85%").prescription
    assert render_prescription(
        progress_prescription(percent, Progression(ProgressionKind.PERCENT, 5.0))
    ) == ("3x5 @ 80/85/90%")
    # %-raise on absolute loads rounds to the team's increment.
    assert render_prescription(
        progress_prescription(squat, Progression(ProgressionKind.PERCENT, 5.0), increment=2.5)
    ) == ("3x5 @ 105kg")
    ranged = entry("Row 3x8-10 @ BW+10kg").prescription
    assert render_prescription(
        progress_prescription(ranged, Progression(ProgressionKind.REPS, 1.0))
    ) == ("3x9-11 @ BW+10kg")
    assert render_prescription(
        progress_prescription(ranged, Progression(ProgressionKind.KG, 2.5))
    ) == ("3x8-10 @ BW+12.5kg")
    plank = entry("Plank 3x45s").prescription
    assert progress_prescription(plank, Progression(ProgressionKind.REPS, 1.0)) == plank


def test_json_round_trip() -> None:
    bench = entry("Bench 5/3/1+ @ 75/85/95%, tempo 31X1, rest 3min -- top set").prescription
    stored = bench.to_json()
    assert "note" not in stored
    assert Prescription.from_json(stored, note="top set") == bench


# --- properties ------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüñçÅøжш"
_word = st.text(alphabet=_LETTERS, min_size=1, max_size=10)
_name = st.builds(
    lambda first, rest, hyphen: " ".join([first, *rest]) + ("-up" if hyphen else ""),
    _word,
    st.lists(_word, max_size=4),
    st.booleans(),
).filter(lambda name: len(name) <= 100)
_label = st.one_of(
    st.none(),
    st.builds(
        lambda letter, number: f"{letter}{number}",
        st.sampled_from("ABCDEFGH"),
        st.sampled_from(["", "1", "2", "12"]),
    ),
)
_target = st.one_of(
    st.builds(lambda reps: SetTarget(reps=reps), st.integers(1, 100)),
    st.builds(
        lambda low, span: SetTarget(reps=low, reps_max=min(100, low + span)),
        st.integers(1, 99),
        st.integers(1, 20),
    ),
    st.builds(
        lambda reps: SetTarget(reps=reps, amrap=True), st.one_of(st.none(), st.integers(1, 100))
    ),
    st.builds(lambda seconds: SetTarget(seconds=seconds), st.integers(1, 3600)),
    st.builds(lambda meters: SetTarget(meters=meters), st.integers(1, 50_000)),
)
_hundredths = st.integers(1, 60_000).map(lambda n: n / 100)


@st.composite
def _prescriptions(draw: st.DrawFn, unit: Unit) -> Prescription:
    count = draw(st.integers(1, 20))
    if count > 1 and draw(st.booleans()):
        targets = draw(st.lists(_target, min_size=count, max_size=count))
    else:
        targets = [draw(_target)] * count

    def per_set(values: st.SearchStrategy[float]) -> list[float]:
        if draw(st.booleans()):
            return [draw(values)] * count
        return draw(st.lists(values, min_size=count, max_size=count))

    load = draw(st.sampled_from(["none", "kg", "percent", "bw", "bw+"]))
    effort = draw(st.sampled_from(["none", "rpe", "rir"]))
    max_typed = 600 if unit == "kg" else 1300
    typed_loads = st.integers(0, max_typed * 100).map(lambda n: n / 100)
    sets: list[SetTarget] = []
    kgs = [unit_to_kg(v, unit) for v in per_set(typed_loads)] if load == "kg" else None
    percent_values = st.integers(1, 15_000).map(lambda n: n / 100)
    percents = per_set(percent_values) if load == "percent" else None
    extra_values = _hundredths.filter(lambda v: v <= 100)
    extra = unit_to_kg(draw(extra_values), unit) if load == "bw+" else None
    rpes = per_set(st.integers(10, 100).map(lambda n: n / 10)) if effort == "rpe" else None
    rirs = per_set(st.integers(0, 10).map(float)) if effort == "rir" else None
    for index, target in enumerate(targets):
        sets.append(
            SetTarget(
                reps=target.reps,
                reps_max=target.reps_max,
                amrap=target.amrap,
                seconds=target.seconds,
                meters=target.meters,
                kg=kgs[index] if kgs else extra,
                percent=percents[index] if percents else None,
                bodyweight=load in ("bw", "bw+"),
                rpe=rpes[index] if rpes else None,
                rir=int(rirs[index]) if rirs else None,
            )
        )
    tempo = draw(st.one_of(st.none(), st.text(alphabet="0123456789X", min_size=4, max_size=4)))
    rest = draw(st.one_of(st.none(), st.integers(1, 3600)))
    note = draw(
        st.one_of(
            st.none(),
            st.text(
                alphabet=st.characters(
                    blacklist_categories=["Cc", "Cs", "Zl", "Zp"], blacklist_characters="—"
                ),
                min_size=1,
                max_size=200,
            )
            .map(lambda text: " ".join(text.replace("--", "-").split()))
            .filter(lambda text: bool(text) and "--" not in text),
        )
    )
    return Prescription(sets=tuple(sets), tempo=tempo, rest_seconds=rest, note=note)


@st.composite
def _sessions(draw: st.DrawFn, unit: Unit) -> ParsedSession:
    count = draw(st.integers(1, 8))
    entries = tuple(
        ParsedEntry(
            line_no=number,
            group_label=draw(_label),
            exercise_name=draw(_name),
            prescription=draw(_prescriptions(unit)),
        )
        for number in range(1, count + 1)
    )
    return ParsedSession(entries)


@pytest.mark.slow  # a property run of its own: `make test-all` and CI
@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["kg", "lb"]).flatmap(
        lambda unit: st.tuples(st.just(unit), _sessions(unit))  # type: ignore[arg-type]
    )
)
def test_render_then_parse_gives_the_session_back(case: tuple[Unit, ParsedSession]) -> None:
    unit, session = case
    text = render_session(session.entries, unit=unit)
    assert parse_session(text, unit=unit) == session
    assert render_session(session.entries, unit=unit) == text


_pieces = st.sampled_from(
    [
        "A1.", "B)", "Back", "squat", "5x5", "3 x 8-10", "5×5", "5/3/1+", "@", "80%", "@ 100kg",
        "100, 105, 110kg", "RPE", "8", "RIR 2", "BW+10kg", "tempo", "31X1", "rest", "90s", "2min",
        "--", "—", ",", "5,5", "lb", "1:30", "30m", "AMRAP", "🔥", "\x00", "/", "+", "x", "%",
        "kg", "-", "1", "  ", "\t", "é", "max", "km", "s", "999999999", "0", ".", "'",
    ]
)  # fmt: skip
_lines = st.lists(_pieces, max_size=14).map(" ".join)
_texts = st.one_of(
    st.text(max_size=400),
    st.lists(_lines, max_size=6).map("\n".join),
    st.lists(st.one_of(_lines, st.text(max_size=40)), max_size=5).map("\n".join),
)


@settings(max_examples=400, deadline=None)
@given(_texts, st.sampled_from(["kg", "lb"]))
def test_any_text_parses_or_gives_errors_and_never_raises(text: str, unit: Unit) -> None:
    result = parse_session(text, unit=unit)
    if isinstance(result, ParseErrors):
        assert result.errors
        for problem in result.errors:
            assert isinstance(problem.code, ErrorCode) and problem.example
    else:
        again = parse_session(render_session(result.entries, unit=unit), unit=unit)
        assert isinstance(again, ParsedSession)
        assert [e.prescription for e in again.entries] == [e.prescription for e in result.entries]
        assert [e.exercise_name for e in again.entries] == [e.exercise_name for e in result.entries]


@given(st.text(max_size=60), st.sampled_from(["kg", "lb"]))
def test_any_progression_text_parses_or_gives_an_error(text: str, unit: Unit) -> None:
    result = parse_progression(text, unit=unit)
    assert isinstance(result, Progression | LineError)


def test_a_hostile_line_is_refused_without_trying_every_place() -> None:
    # Telegram's longest message, made of sets-and-reps lookalikes: a bounded number of tries.
    text = "\n".join(["Squat " + "1/2 " * 240] * 4)[:4096]
    result = parse_session(text)
    assert isinstance(result, ParseErrors)
    assert {e.code for e in result.errors} == {ErrorCode.NOT_UNDERSTOOD}
