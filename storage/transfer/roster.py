"""An athlete list from a spreadsheet: find its header, check every row like /addathlete does.

Pure: no database, no Telegram. Each cell goes through the same functions the /addathlete form
uses (`storage.validation`), and each valid row becomes the same `AthleteCreate` the form saves.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from pydantic import ValidationError

from storage import validation
from storage.errors import ErrorCode, FieldError
from storage.models.base import utcnow
from storage.models.enums import AthleteGender, AthleteStatus
from storage.schemas import AthleteCreate
from storage.transfer.cells import restore_text
from storage.transfer.reading import (
    CellValue,
    FileProblem,
    FileProblemKind,
    SheetRow,
    SheetSource,
    Spreadsheet,
    peek_rows,
    read_rows,
)


class RosterField(StrEnum):
    NAME = "name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    EMAIL = "email"
    PHONE = "phone"
    BIRTHDATE = "birthdate"
    GENDER = "gender"
    NOTES = "notes"
    STATUS = "status"


def fold_label(text: str) -> str:
    """'E-mail ', 'Date of Birth', 'Téléphone' -> 'email', 'dateofbirth', 'telephone'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


_HEADER_WORDS: dict[RosterField, tuple[str, ...]] = {
    RosterField.NAME: (
        "name",
        "fullname",
        "athlete",
        "athletename",
        "athletesname",
        "nameandsurname",
        "firstandlastname",
        "client",
        "clientname",
        "player",
        "playername",
        "member",
        "nombre",
        "nombrecompleto",
        "nom",
        "nomcomplet",
        "vollername",
        "nome",
        "nomecompleto",
    ),
    RosterField.FIRST_NAME: ("firstname", "givenname", "forename", "first", "prenom", "vorname"),
    RosterField.LAST_NAME: (
        "lastname",
        "surname",
        "familyname",
        "last",
        "apellido",
        "apellidos",
        "nomdefamille",
        "nachname",
        "sobrenome",
    ),
    RosterField.EMAIL: (
        "email",
        "emailaddress",
        "mail",
        "emailadresse",
        "correo",
        "correoelectronico",
        "courriel",
        "adressemail",
    ),
    RosterField.PHONE: (
        "phone",
        "phonenumber",
        "phoneno",
        "mobile",
        "mobilephone",
        "mobilenumber",
        "cell",
        "cellphone",
        "cellnumber",
        "tel",
        "telephone",
        "telephonenumber",
        "whatsapp",
        "telefono",
        "telefon",
        "telefone",
        "handy",
        "portable",
    ),
    RosterField.BIRTHDATE: (
        "dob",
        "dateofbirth",
        "birthdate",
        "birthday",
        "born",
        "birth",
        "fechadenacimiento",
        "datedenaissance",
        "geburtsdatum",
        "datadenascimento",
    ),
    RosterField.GENDER: ("sex", "gender", "sexo", "sexe", "genero", "geschlecht"),
    RosterField.NOTES: ("notes", "note", "comments", "comment", "remarks", "notas", "notizen"),
    RosterField.STATUS: ("status", "estado", "statut"),
}
HEADER_WORDS: dict[str, RosterField] = {
    word: roster_field for roster_field, words in _HEADER_WORDS.items() for word in words
}

_GENDER_WORDS: dict[str, AthleteGender] = {
    **dict.fromkeys(
        ("female", "f", "woman", "w", "women", "girl", "femenino", "femme"), AthleteGender.FEMALE
    ),
    **dict.fromkeys(("male", "m", "man", "men", "boy", "masculino", "homme"), AthleteGender.MALE),
    **dict.fromkeys(
        ("nonbinary", "nb", "x", "enby", "diverse", "divers"), AthleteGender.NON_BINARY
    ),
    **dict.fromkeys(
        ("undisclosed", "prefernottosay", "notsaid", "notdisclosed", "unknown", "u"),
        AthleteGender.UNDISCLOSED,
    ),
}
_STATUS_WORDS: dict[str, AthleteStatus] = {
    **dict.fromkeys(("active", "activo", "actif"), AthleteStatus.ACTIVE),
    **dict.fromkeys(("inactive", "inactivo", "paused", "onhold"), AthleteStatus.INACTIVE),
    **dict.fromkeys(("archived", "archivado", "former", "left"), AthleteStatus.ARCHIVED),
}
# Columns that make a sheet something other than an athlete list.
OTHER_TABLE_WORDS = frozenset(
    (
        "exercise",
        "kg",
        "lb",
        "lbs",
        "weight",
        "load",
        "reps",
        "sets",
        "week",
        "day",
        "weekday",
        "prescription",
        "e1rm",
        "max",
        "1rm",
        "setno",
        "rpe",
        "program",
        "session",
    )
)
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


@dataclass(frozen=True)
class HeaderMatch:
    row: int
    columns: dict[RosterField, int]
    labels: dict[RosterField, str]
    ignored: list[str]


def match_roster_header(row: SheetRow) -> HeaderMatch | None:
    """The columns of an athlete list, when this row names them (a name column at least)."""
    columns: dict[RosterField, int] = {}
    labels: dict[RosterField, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(row.cells):
        label = "" if cell is None else str(cell).strip()
        if not label:
            continue
        roster_field = HEADER_WORDS.get(fold_label(label))
        if roster_field is None or roster_field in columns:
            ignored.append(label)
            continue
        columns[roster_field] = index
        labels[roster_field] = label
    if RosterField.NAME not in columns and RosterField.FIRST_NAME not in columns:
        return None
    if any(fold_label(label) in OTHER_TABLE_WORDS for label in ignored):
        return None  # maxes, programs or logs that also name the athlete
    return HeaderMatch(row=row.number, columns=columns, labels=labels, ignored=ignored)


class RowProblemCode(StrEnum):
    INVALID = "invalid"  # `cause` says why (validation's own code, as in /addathlete)
    UNKNOWN_GENDER = "unknown_gender"
    UNKNOWN_STATUS = "unknown_status"
    DUPLICATE_EMAIL = "duplicate_email"  # the same email as an earlier row of the file
    DUPLICATE_NAME = "duplicate_name"  # no email, and the same name as an earlier row


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: RosterField
    column: str  # the header as the file writes it
    code: RowProblemCode
    cause: FieldError | None = None
    other_row: int | None = None


@dataclass(frozen=True)
class RosterRow:
    row: int
    athlete: AthleteCreate
    status: AthleteStatus | None = None


@dataclass
class ParsedRoster:
    sheet: str
    header: HeaderMatch
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def problem_rows(self) -> int:
        return len({problem.row for problem in self.problems})

    @property
    def data_rows(self) -> int:
        return len(self.rows) + self.problem_rows


def name_key(name: str) -> str:
    """Two spellings of one name match: case and spacing don't count."""
    return validation.collapse_spaces(name).casefold()


def parse_roster(
    spreadsheet: Spreadsheet, *, phone_region: str | None = None, today: date | None = None
) -> ParsedRoster | FileProblem:
    """The first sheet that is an athlete list, every row checked; or why there is none."""
    for source in spreadsheet.sheets:
        peeked = peek_rows(source)
        if isinstance(peeked, FileProblem):
            return peeked
        header = next((m for row in peeked if (m := match_roster_header(row)) is not None), None)
        if header is None:
            continue
        return parse_roster_sheet(source, header, phone_region=phone_region, today=today)
    return FileProblem(FileProblemKind.NO_HEADER)


def parse_roster_sheet(
    source: SheetSource,
    header: HeaderMatch,
    *,
    phone_region: str | None = None,
    today: date | None = None,
) -> ParsedRoster | FileProblem:
    rows = read_rows(source)
    if isinstance(rows, FileProblem):
        return rows
    data = [row for row in rows if row.number > header.row]
    if not data:
        return FileProblem(FileProblemKind.NO_ROWS)
    return check_rows(source.name, header, data, phone_region=phone_region, today=today)


def check_rows(
    sheet: str,
    header: HeaderMatch,
    rows: list[SheetRow],
    *,
    phone_region: str | None = None,
    today: date | None = None,
) -> ParsedRoster:
    roster = ParsedRoster(sheet=sheet, header=header)
    email_rows: dict[str, int] = {}
    name_rows: dict[str, int] = {}
    for row in rows:
        checked = _check_row(row, header, phone_region=phone_region, today=today)
        if isinstance(checked, list):
            roster.problems.extend(checked)
            continue
        athlete = checked.athlete
        if athlete.email:
            key = athlete.email.casefold()
            if key in email_rows:
                roster.problems.append(
                    _problem(
                        row,
                        header,
                        RosterField.EMAIL,
                        RowProblemCode.DUPLICATE_EMAIL,
                        other_row=email_rows[key],
                    )
                )
                continue
            email_rows[key] = row.number
        else:
            key = name_key(athlete.name)
            if key in name_rows:
                roster.problems.append(
                    _problem(
                        row,
                        header,
                        _name_field(header),
                        RowProblemCode.DUPLICATE_NAME,
                        other_row=name_rows[key],
                    )
                )
                continue
            name_rows[key] = row.number
        roster.rows.append(checked)
    return roster


def _name_field(header: HeaderMatch) -> RosterField:
    return RosterField.NAME if RosterField.NAME in header.columns else RosterField.FIRST_NAME


def _problem(
    row: SheetRow,
    header: HeaderMatch,
    roster_field: RosterField,
    code: RowProblemCode,
    *,
    cause: FieldError | None = None,
    other_row: int | None = None,
) -> RowProblem:
    column = header.labels.get(roster_field, roster_field.value)
    return RowProblem(row.number, roster_field, column, code, cause, other_row)


def _cell(row: SheetRow, header: HeaderMatch, roster_field: RosterField) -> CellValue:
    index = header.columns.get(roster_field)
    if index is None or index >= len(row.cells):
        return None
    value = row.cells[index]
    if isinstance(value, str):
        value = restore_text(value).strip()
        return value or None
    return value


def cell_text(value: CellValue) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        # A phone number typed into a number cell comes back as 4155550123.0.
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _check_row(
    row: SheetRow, header: HeaderMatch, *, phone_region: str | None, today: date | None
) -> RosterRow | list[RowProblem]:
    """One row through AthleteCreate, the model /addathlete saves: its validators (the
    `storage.validation` rules) run once and report every field that is wrong, not just the
    first. Only what a form step does before the model is done here: a phone number read in the
    team's region, a birthdate read from text or a date cell, gender and status words."""
    problems: list[RowProblem] = []
    name_field = _name_field(header)
    if RosterField.NAME in header.columns:
        name = cell_text(_cell(row, header, RosterField.NAME)) or ""
    else:
        parts = (
            _cell(row, header, RosterField.FIRST_NAME),
            _cell(row, header, RosterField.LAST_NAME),
        )
        name = " ".join(text for part in parts if (text := cell_text(part)))
    values: dict[str, object] = {
        "name": name,
        "email": cell_text(_cell(row, header, RosterField.EMAIL)),
        "notes": cell_text(_cell(row, header, RosterField.NOTES)),
    }
    phone = cell_text(_cell(row, header, RosterField.PHONE))
    if phone is not None:
        try:
            values["phone"] = validation.clean_phone(phone, region=phone_region)
        except FieldError as error:
            problems.append(_invalid(row, header, RosterField.PHONE, error))
    born = _cell(row, header, RosterField.BIRTHDATE)
    if born is not None:
        try:
            values["birthdate"] = _birthdate(born, today=today)
        except FieldError as error:
            problems.append(_invalid(row, header, RosterField.BIRTHDATE, error))
    gender_text = cell_text(_cell(row, header, RosterField.GENDER))
    if gender_text is not None:
        gender = _GENDER_WORDS.get(fold_label(gender_text))
        if gender is None:
            problems.append(
                _problem(row, header, RosterField.GENDER, RowProblemCode.UNKNOWN_GENDER)
            )
        values["gender"] = gender
    status: AthleteStatus | None = None
    status_text = cell_text(_cell(row, header, RosterField.STATUS))
    if status_text is not None:
        status = _STATUS_WORDS.get(fold_label(status_text))
        if status is None:
            problems.append(
                _problem(row, header, RosterField.STATUS, RowProblemCode.UNKNOWN_STATUS)
            )
    try:
        athlete = AthleteCreate.model_validate(values, context={"today": today})
    except ValidationError as error:
        for item in error.errors():
            key = str(item["loc"][0]) if item["loc"] else "name"
            roster_field = _SCHEMA_FIELDS.get(key, name_field)
            if roster_field is RosterField.NAME:
                roster_field = name_field
            cause = item.get("ctx", {}).get("error")
            if not isinstance(cause, FieldError):
                cause = FieldError(ErrorCode.INPUT_INVALID, detail=item["msg"])
            problems.append(_invalid(row, header, roster_field, cause))
        problems.sort(key=lambda problem: _FIELD_ORDER.index(problem.field))
        return problems
    if problems:
        problems.sort(key=lambda problem: _FIELD_ORDER.index(problem.field))
        return problems
    return RosterRow(row=row.number, athlete=athlete, status=status)


def _invalid(
    row: SheetRow, header: HeaderMatch, roster_field: RosterField, cause: FieldError
) -> RowProblem:
    return _problem(row, header, roster_field, RowProblemCode.INVALID, cause=cause)


_SCHEMA_FIELDS = {
    "name": RosterField.NAME,
    "email": RosterField.EMAIL,
    "phone": RosterField.PHONE,
    "birthdate": RosterField.BIRTHDATE,
    "gender": RosterField.GENDER,
    "notes": RosterField.NOTES,
}
# Problems of a row in the order of the form's steps.
_FIELD_ORDER = [
    RosterField.NAME,
    RosterField.FIRST_NAME,
    RosterField.LAST_NAME,
    RosterField.EMAIL,
    RosterField.PHONE,
    RosterField.BIRTHDATE,
    RosterField.GENDER,
    RosterField.NOTES,
    RosterField.STATUS,
]


def _birthdate(value: CellValue, *, today: date | None) -> date:
    today = today or utcnow().date()
    if isinstance(value, datetime):
        return validation.check_birthdate(value.date(), today=today)
    if isinstance(value, date):
        return validation.check_birthdate(value, today=today)
    text = cell_text(value) or ""
    match = _ISO_DATETIME.match(text)
    parsed = validation.parse_birthdate(match.group(1) if match else text, today=today)
    if isinstance(parsed, validation.AmbiguousDate):
        # A file can't be asked which reading it meant: the documented DD/MM/YYYY (as before).
        return parsed.day_first
    return parsed
