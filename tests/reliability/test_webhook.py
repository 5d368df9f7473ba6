"""Webhook mode: registered with the secret; requests without it are refused."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import sqlalchemy as sa
from pydantic import SecretStr

from bot.app import build_application
from bot.inbox import MARK_DELAY
from bot.runner import webhook_options
from tests.bot.conftest import Harness


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_registers_the_secret_and_refuses_requests_without_it(
    harness: Harness,
) -> None:
    port = free_port()
    settings = harness.settings.model_copy(
        update={
            "webhook_url": "https://bot.example.com/hook/telegram",
            "webhook_secret": SecretStr("s3cret_value_0123456"),
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
        }
    )
    app = build_application(settings, request=harness.api, rate_limit=False)
    app.add_error_handler(harness.tg._record_error)  # the harness fails on any of them
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_webhook(**webhook_options(settings))
    await app.start()
    try:
        webhook = harness.api.webhook
        assert webhook.url == "https://bot.example.com/hook/telegram"
        assert webhook.secret_token == "s3cret_value_0123456"
        user = harness.tg.user("coach")
        update = harness.tg.message_update_data(user, "/help")
        url = f"http://127.0.0.1:{port}/hook/telegram"
        async with httpx.AsyncClient() as client:
            refused = await client.post(url, content=json.dumps(update))
            wrong = await client.post(
                url,
                content=json.dumps(update),
                headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
            )
            accepted = await client.post(
                url,
                content=json.dumps(update),
                headers={
                    "X-Telegram-Bot-Api-Secret-Token": "s3cret_value_0123456",
                    "Content-Type": "application/json",
                },
            )
        assert (refused.status_code, wrong.status_code, accepted.status_code) == (403, 403, 200)
        harness.tg.app = app
        await harness.tg.wait_idle()
        assert "Spotter helps strength coaches" in user.last_text()
        # Written to the inbox before the 200, and marked handled (its text dropped) after:
        # within MARK_DELAY when the update wrote nothing that marked it.
        for _ in range(int(MARK_DELAY * 20) + 20):
            async with app.bot_data["spotter.db"].engine.connect() as connection:
                row = (
                    await connection.execute(
                        sa.text(
                            "SELECT handled_at, payload FROM update_inbox WHERE update_id = :id"
                        ),
                        {"id": update["update_id"]},
                    )
                ).one()
            if row.handled_at is not None:
                break
            await asyncio.sleep(0.05)
        assert row.handled_at is not None and row.payload is None
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        harness.tg.app = harness.app
    # Stopping leaves the webhook in place: updates wait at Telegram until the bot is back.
    assert harness.api.webhook.url == "https://bot.example.com/hook/telegram"
