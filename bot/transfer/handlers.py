"""/export, /import, and spreadsheets a coach sends in the private chat.

A file is checked and previewed when it arrives; nothing is written until Import is pressed.
The pending import keeps only the file's Telegram id and SHA-256 (not its rows) in user_data:
Import downloads the file again, checks it is the same bytes, reads it again and imports in one
transaction, with the team read afresh, so a second press or a re-sent file adds nothing twice.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import logging
import re
import secrets
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from telegram import Document, InputFile, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bot.context import SpotterContext, transactional
from bot.core.actions import Coach, coach_action, load_caller, today
from bot.replies import answer, send, show
from bot.transfer import keyboards, texts
from storage.transfer import reading
from storage.transfer.cells import neutralize_text
from storage.transfer.detect import Parsed, importable_sheets, read_import
from storage.transfer.export import EXPORT_TABLES, export_team
from storage.transfer.maxes import ParsedMaxes, import_maxes, preview_maxes_import
from storage.transfer.programs import ParsedPrograms, import_programs, preview_programs_import
from storage.transfer.reading import FileProblem, FileProblemKind
from storage.transfer.roster import ParsedRoster
from storage.transfer.roster_import import import_roster, preview_roster_import
from storage.transfer.templates import TEMPLATE_FILE_NAME, roster_template

log = logging.getLogger(__name__)

PENDING_KEY = "transfer_pending_import"
TABLE_TITLES = {table.key: table.title for table in EXPORT_TABLES}


# Group chats never get here: bot.core.private stops them first (files and exports are private).


@coach_action()
async def import_command(update: Update, context: SpotterContext, coach: Coach) -> None:
    await send(update, context, texts.IMPORT_HELP)
    await send_file(update, context, roster_template(), TEMPLATE_FILE_NAME, texts.TEMPLATE_CAPTION)


@transactional
async def receive_document(update: Update, context: SpotterContext) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    caller = await load_caller(update, context)
    if caller.seat is None:
        await send(update, context, texts.NOT_A_COACH_FILE)
        return
    team = caller.seat.organization
    document = message.document
    file_name = document.file_name or "file"
    # Telegram says the size up front: refuse a big file without downloading it.
    if document.file_size is not None and document.file_size > reading.MAX_FILE_BYTES:
        problem = FileProblem(
            FileProblemKind.TOO_LARGE, found=document.file_size, limit=reading.MAX_FILE_BYTES
        )
        await send(update, context, texts.file_problem(problem))
        return
    await context.commit()  # nothing is written; don't hold a transaction over the download
    data = await download(update, context, document)
    if data is None:
        return
    parsed = await read_file(context, data, file_name, unit=team.weight_unit)
    if isinstance(parsed, FileProblem):
        await send(update, context, texts.file_problem(parsed))
        return
    assert context.user_data is not None
    token = secrets.token_urlsafe(6)
    sheet = parsed.sheet if data.startswith(b"PK") else None
    if isinstance(parsed, ParsedRoster):
        preview = await preview_roster_import(
            context.session, organization_id=team.id, roster=parsed
        )
        count, problems = len(preview.new), len(preview.problems)
        text = texts.import_preview(
            file_name=file_name,
            sheet=sheet,
            preview=preview,
            columns=parsed.header.labels,
            ignored=parsed.header.ignored,
            problems_file=problems > texts.PROBLEMS_SHOWN,
        )
        rows = [(p.row, p.column, texts.problem_reason(p)) for p in preview.problems]
        kind = "roster"
    elif isinstance(parsed, ParsedPrograms):
        plans = await preview_programs_import(
            context.session, organization_id=team.id, parsed=parsed
        )
        count, problems = len(plans.programs), len(plans.problems)
        text = texts.programs_preview(
            file_name=file_name,
            sheet=sheet,
            preview=plans,
            parsed=parsed,
            problems_file=problems > texts.PROBLEMS_SHOWN,
        )
        rows = [(p.row, p.column, texts.program_problem_reason(p)) for p in plans.problems]
        kind = "programs"
    else:
        maxes = await preview_maxes_import(context.session, organization_id=team.id, parsed=parsed)
        count, problems = len(maxes.new), len(maxes.problems)
        text = texts.maxes_preview(
            file_name=file_name,
            sheet=sheet,
            preview=maxes,
            parsed=parsed,
            problems_file=problems > texts.PROBLEMS_SHOWN,
        )
        rows = [(p.row, p.column, texts.max_problem_reason(p)) for p in maxes.problems]
        kind = "maxes"
    if sheet is not None:
        others = await asyncio.to_thread(importable_sheets, data, filename=file_name)
        text += texts.other_sheets([name for name in others if name != sheet])
    if count:
        context.user_data[PENDING_KEY] = {
            "token": token,
            "kind": kind,
            "file_id": document.file_id,
            "sha256": hashlib.sha256(data).hexdigest(),
            "file_name": file_name,
        }
    markup = keyboards.import_preview(token, count, kind) if count else None
    if problems > texts.PROBLEMS_SHOWN:
        # First, so that the preview and its buttons end up at the bottom of the chat.
        name = f"{Path(file_name).stem}-problems.csv"
        await send_file(update, context, problems_csv(rows), name, texts.PROBLEMS_CAPTION)
    await send(update, context, text, markup)


@coach_action(keyboards.ImportConfirm)
async def confirm_import(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.ImportConfirm
) -> None:
    assert context.user_data is not None
    pending: dict[str, Any] | None = context.user_data.get(PENDING_KEY)
    if not pending or pending.get("token") != data.token:
        await answer(update, context, texts.IMPORT_EXPIRED, alert=True)
        return
    await answer(update, context)
    content = await download_again(context, str(pending["file_id"]))
    parsed: Parsed | FileProblem | None = None
    if content is not None and hashlib.sha256(content).hexdigest() == pending["sha256"]:
        parsed = await read_file(
            context, content, str(pending["file_name"]), unit=coach.team.weight_unit
        )
    kind = pending.get("kind", "roster")
    if isinstance(parsed, ParsedRoster) and kind == "roster":
        result = await import_roster(context.session, organization_id=coach.team_id, roster=parsed)
        done = texts.import_done(result)
    elif isinstance(parsed, ParsedPrograms) and kind == "programs":
        created = await import_programs(
            context.session, organization_id=coach.team_id, parsed=parsed
        )
        done = texts.programs_done(created)
    elif isinstance(parsed, ParsedMaxes) and kind == "maxes":
        recorded = await import_maxes(
            context.session, organization_id=coach.team_id, parsed=parsed, created_by=coach.user.id
        )
        done = texts.maxes_done(recorded)
    else:
        context.user_data.pop(PENDING_KEY, None)
        await show(update, context, texts.IMPORT_FILE_CHANGED)
        return
    context.user_data.pop(PENDING_KEY, None)
    await show(update, context, done)


@coach_action(keyboards.ImportCancel)
async def cancel_import(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.ImportCancel
) -> None:
    assert context.user_data is not None
    pending: dict[str, Any] | None = context.user_data.get(PENDING_KEY)
    if not pending or pending.get("token") != data.token:
        await answer(update, context, texts.IMPORT_EXPIRED, alert=True)
        return
    context.user_data.pop(PENDING_KEY, None)
    await answer(update, context)
    await show(update, context, texts.IMPORT_CANCELLED)


@coach_action()
async def export_command(update: Update, context: SpotterContext, coach: Coach) -> None:
    chat = update.effective_chat
    assert chat is not None
    team = coach.team.name
    stem = f"{slug(team)}-{today(context).isoformat()}"
    await context.commit()  # nothing to write; on SQLite the export reads committed rows
    url = make_url(context.db.url)
    # SQLite: read from a connection of the export's own, not the bot's single pooled one.
    sqlite_file = url.database if url.get_backend_name() == "sqlite" else None
    with tempfile.TemporaryDirectory(prefix="spotter-export-") as folder:
        result = await export_team(
            context.session,
            organization_id=coach.team_id,
            directory=Path(folder),
            stem=stem,
            sqlite_file=sqlite_file if sqlite_file not in (None, "", ":memory:") else None,
        )
        try:
            await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
            for file in result.files:
                await send_path(
                    context,
                    chat.id,
                    file.path,
                    file.filename,
                    texts.export_caption(file, TABLE_TITLES),
                )
        except TelegramError as error:
            log.warning("export: sending a file failed: %s", type(error).__name__)
            await send(update, context, texts.EXPORT_SEND_FAILED)
            return
    await send(update, context, texts.export_done(team, result, TABLE_TITLES))


async def download(update: Update, context: SpotterContext, document: Document) -> bytes | None:
    """The file's bytes, or None after telling the coach why not."""
    try:
        telegram_file = await document.get_file()
        return bytes(await telegram_file.download_as_bytearray())
    except BadRequest as error:
        if "too big" in error.message.lower():
            problem = FileProblem(FileProblemKind.TOO_LARGE, limit=reading.MAX_FILE_BYTES)
            await send(update, context, texts.file_problem(problem))
            return None
        log.warning("import: getFile refused: %s", type(error).__name__)
    except TelegramError as error:
        log.warning("import: download failed: %s", type(error).__name__)
    await send(update, context, texts.DOWNLOAD_FAILED)
    return None


async def download_again(context: SpotterContext, file_id: str) -> bytes | None:
    try:
        telegram_file = await context.bot.get_file(file_id)
        return bytes(await telegram_file.download_as_bytearray())
    except TelegramError as error:
        log.warning("import: download at confirm failed: %s", type(error).__name__)
        return None


async def read_file(
    context: SpotterContext, data: bytes, file_name: str, *, unit: str
) -> Parsed | FileProblem:
    """Parsing thousands of rows is CPU work: a worker thread keeps other chats answered."""
    return await asyncio.to_thread(
        read_import,
        data,
        filename=file_name,
        phone_region=context.settings.default_phone_region,
        unit=unit,
        today=today(context),
    )


def problems_csv(rows: list[tuple[int, str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(texts.PROBLEMS_HEADERS)
    for row, column, reason in rows:
        writer.writerow([row, neutralize_text(column), neutralize_text(reason)])
    return out.getvalue().encode("utf-8-sig")


async def send_file(
    update: Update, context: SpotterContext, data: bytes, file_name: str, caption: str
) -> None:
    await context.commit()
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(chat.id, InputFile(data, filename=file_name), caption=caption)


async def send_path(
    context: SpotterContext, chat_id: int, path: Path, file_name: str, caption: str
) -> None:
    with path.open("rb") as handle:
        await context.bot.send_document(
            chat_id, InputFile(handle, filename=file_name), caption=caption
        )


def slug(name: str) -> str:
    """A file-name-safe ASCII form of the team name ("Équipe Nord" -> "equipe-nord")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "team"
