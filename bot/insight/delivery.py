"""The outbox sender: drains due rows within Telegram's limits, each message once.

Guarantees (see README, "Delivery"):
- a row is claimed (one conditional UPDATE) before it is sent, so two senders never send
  the same row, and marked sent right after Telegram accepts it;
- a sender that dies after claiming leaves the row pending: it comes due again when the
  claim's lease runs out, so a restart loses nothing;
- the only way to send a message twice is to lose Telegram's answer to a send that was
  delivered (a timeout, or a crash inside that one HTTP call): such a row is retried, because
  a repeated reminder is better than a lost one;
- transient failures (429, timeouts, network, 5xx) are retried with growing pauses; a 403
  (blocked, or never started the bot) is recorded and never retried; other refusals fail.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.context import CLOCK_KEY, DB_KEY, SpotterContext
from bot.core.keyboards import Keyboard
from bot.database import Database
from storage.db import transaction
from storage.models.base import utcnow
from storage.queries.outbox import (
    ClaimedMessage,
    claim_due_messages,
    give_up_message,
    mark_message_sent,
    retry_message_later,
)
from storage.queries.users import mark_user_blocked

log = logging.getLogger(__name__)

# Telegram allows about 30 messages a second per bot; the sender takes a little less, so
# that answers to people using the bot meanwhile still get through the same rate limiter.
SEND_RATE = 25
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
TICK_SECONDS = 1.0
OUTBOX_JOB = "spotter.outbox"

AnyApp = Application[Any, Any, Any, Any, Any, Any]


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    blocked: int = 0
    failed: int = 0
    batches: int = 0
    lost_claims: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.blocked + self.failed


def app_now(application: AnyApp) -> datetime:
    """The application's clock (tests move it through bot_data, as handlers' context.now())."""
    clock: Callable[[], datetime] | None = application.bot_data.get(CLOCK_KEY)
    return clock() if clock is not None else utcnow()


def retry_delay(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min ... at most an hour."""
    delay = FIRST_RETRY * (2 ** max(0, attempt - 1))
    return min(delay, LONGEST_RETRY)


def retry_after_of(error: RetryAfter) -> timedelta:
    """The pause Telegram asked for, whether PTB hands it over as seconds or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns that the int form is going away
        value: int | float | timedelta = error.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def markup_of(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    rows = payload.get("buttons")
    if not rows:
        return None
    return Keyboard(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def deliver_message(
    application: AnyApp, message: ClaimedMessage, report: DrainReport
) -> None:
    """Send one claimed row and record the outcome in its own short transaction."""
    database: Database = application.bot_data[DB_KEY]
    payload = message.payload
    try:
        await application.bot.send_message(
            message.chat_id, payload["text"], reply_markup=markup_of(payload)
        )
    except Forbidden as error:
        async with transaction(database.sessions) as session:
            owned = await give_up_message(
                session,
                message_id=message.id,
                attempt=message.attempt,
                blocked=True,
                error=error.message,
            )
            if message.chat_id > 0:  # a private chat's id is the user's id
                await mark_user_blocked(session, telegram_user_id=message.chat_id)
        report.blocked += 1
    except BadRequest as error:
        # Telegram refuses this message as it is (chat gone, bad markup): retrying can't help.
        async with transaction(database.sessions) as session:
            owned = await give_up_message(
                session,
                message_id=message.id,
                attempt=message.attempt,
                blocked=False,
                error=error.message,
            )
        report.failed += 1
        log.warning("outbox %s (%s) refused: %s", message.id, message.kind, error.message)
    except TelegramError as error:
        # 429 beyond the rate limiter's own retries, timeouts, network errors, 5xx.
        now = app_now(application)
        if message.attempt >= MAX_ATTEMPTS:
            async with transaction(database.sessions) as session:
                owned = await give_up_message(
                    session,
                    message_id=message.id,
                    attempt=message.attempt,
                    blocked=False,
                    error=f"gave up after {message.attempt} attempts: {error.message}",
                )
            report.failed += 1
        else:
            delay = retry_delay(message.attempt)
            if isinstance(error, RetryAfter):
                delay = max(delay, retry_after_of(error))
            async with transaction(database.sessions) as session:
                owned = await retry_message_later(
                    session,
                    message_id=message.id,
                    attempt=message.attempt,
                    at=now + delay,
                    error=f"{type(error).__name__}: {error.message}",
                )
            report.retried += 1
    else:
        async with transaction(database.sessions) as session:
            owned = await mark_message_sent(
                session, message_id=message.id, attempt=message.attempt, now=app_now(application)
            )
        report.sent += 1
    if not owned:
        # Only if one send outlasted the claim's lease and another sender took the row over.
        report.lost_claims.append(message.id)
        log.warning("outbox %s: claim lost before its outcome was recorded", message.id)


class Pacer:
    """Lets one send start every 1/rate seconds, counted from the previous send's start.

    Never catches up: after a pause (a slow database, a busy CPU) sending resumes at the same
    spacing instead of firing the backlog at once, so no second sees a burst.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at = 0.0

    async def wait(self) -> None:
        delay = self.next_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        self.next_at = time.monotonic() + self.interval


async def send_due_batch(
    application: AnyApp, report: DrainReport, *, limit: int, pacer: Pacer | None = None
) -> int:
    """Claim up to `limit` due rows and send them, paced; returns how many were claimed."""
    database: Database = application.bot_data[DB_KEY]
    async with transaction(database.sessions) as session:
        claimed = await claim_due_messages(session, now=app_now(application), limit=limit)
    if not claimed:
        return 0
    report.batches += 1
    pacer = pacer or Pacer(SEND_RATE)
    sending = []
    for message in claimed:
        await pacer.wait()
        # Started one by one, answered side by side: a slow answer doesn't slow the rate.
        sending.append(asyncio.create_task(deliver_message(application, message, report)))
    results = await asyncio.gather(*sending, return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        # A bug, not a Telegram answer: the rows stay claimed and come back after the lease.
        raise failures[0]
    return len(claimed)


async def drain_outbox(
    application: AnyApp,
    *,
    rate: float = SEND_RATE,
    batch: int | None = None,
    keep_going: Callable[[], bool] | None = None,
) -> DrainReport:
    """Send everything due now, `rate` messages a second, oldest first, claiming `batch` rows
    at a time (a second's worth by default, so a crash strands little)."""
    report = DrainReport()
    limit = batch or max(1, int(rate))
    pacer = Pacer(rate)
    while keep_going is None or keep_going():
        count = await send_due_batch(application, report, limit=limit, pacer=pacer)
        if count < limit:
            break
    return report


async def outbox_job(context: SpotterContext) -> None:
    """JobQueue tick: drain, then come back in a second (never two drains at once)."""
    application = context.application
    try:
        await drain_outbox(application, keep_going=lambda: application.running)
    finally:
        if application.running:
            schedule_delivery(application)


def schedule_delivery(application: AnyApp) -> None:
    """Start the sender with the application (jobs run once Application.start() runs)."""
    if application.job_queue is not None:
        application.job_queue.run_once(
            outbox_job,
            when=TICK_SECONDS,
            name=OUTBOX_JOB,
            # However late the scheduler starts, the first tick still runs.
            job_kwargs={"misfire_grace_time": None},
        )
