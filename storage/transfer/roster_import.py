"""A checked roster against a team: what is new, what the team has already, and the import.

Rows are matched to the team's athletes by email (case-insensitive); a row without an email by
name. Matched rows are left as they are, so importing the same file twice adds nothing.
Keyword-only, scoped by organization_id, never commits: the caller's one transaction holds it all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Athlete, Organization
from storage.models.base import utcnow
from storage.transfer.roster import ParsedRoster, RosterRow, RowProblem, name_key


@dataclass(frozen=True)
class ExistingRow:
    row: int
    athlete_id: str
    name: str  # as the team has it


@dataclass
class RosterPreview:
    new: list[RosterRow]
    existing: list[ExistingRow]
    problems: list[RowProblem]

    @property
    def problem_rows(self) -> int:
        return len({problem.row for problem in self.problems})


@dataclass(frozen=True)
class RosterImportResult:
    added: list[str]  # ids of the new athletes, in file order
    existing: int
    problem_rows: int


async def preview_roster_import(
    session: AsyncSession, *, organization_id: str, roster: ParsedRoster
) -> RosterPreview:
    by_email, by_name = await _team_keys(session, organization_id=organization_id)
    new: list[RosterRow] = []
    existing: list[ExistingRow] = []
    for row in roster.rows:
        match = (
            by_email.get(row.athlete.email.casefold())
            if row.athlete.email
            else by_name.get(name_key(row.athlete.name))
        )
        if match is None:
            new.append(row)
        else:
            existing.append(ExistingRow(row.row, *match))
    return RosterPreview(new=new, existing=existing, problems=list(roster.problems))


async def import_roster(
    session: AsyncSession, *, organization_id: str, roster: ParsedRoster
) -> RosterImportResult:
    """Add every valid row the team doesn't have yet, in the caller's transaction."""
    # Two imports for one team at once queue here (PostgreSQL; SQLite has one writer anyway),
    # so the second sees the first one's athletes and adds nothing twice.
    await session.exec(
        select(col(Organization.id))
        .where(col(Organization.id) == organization_id)
        .with_for_update()
    )
    preview = await preview_roster_import(session, organization_id=organization_id, roster=roster)
    now = utcnow()
    athletes: list[Athlete] = []
    for row in preview.new:
        values: dict[str, Any] = row.athlete.model_dump()
        if row.status is not None:
            values["status"] = row.status
        athletes.append(
            Athlete(organization_id=organization_id, created_at=now, updated_at=now, **values)
        )
    session.add_all(athletes)
    await session.flush()
    return RosterImportResult(
        added=[athlete.id for athlete in athletes],
        existing=len(preview.existing),
        problem_rows=preview.problem_rows,
    )


async def _team_keys(
    session: AsyncSession, *, organization_id: str
) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """Email and name keys of every athlete of the team: one query, a few columns."""
    result = await session.exec(
        select(col(Athlete.id), col(Athlete.name), col(Athlete.email))
        .where(col(Athlete.organization_id) == organization_id)
        .order_by(col(Athlete.created_at), col(Athlete.id))
    )
    by_email: dict[str, tuple[str, str]] = {}
    by_name: dict[str, tuple[str, str]] = {}
    for athlete_id, name, email in result.all():
        if email:
            by_email.setdefault(email.casefold(), (athlete_id, name))
        by_name.setdefault(name_key(name), (athlete_id, name))
    return by_email, by_name
