"""What the local console prints: bot messages, keyboards and answers as terminal lines.

Pure functions over the fake Bot API's records (fake_telegram), plus saving photos and files to
disk so a person can open them (an invite QR code, for example).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fake_telegram import CallbackQueryRecord, StoredMessage
from fake_telegram.html import (
    HTMLParseError,
    ParsedText,
    parse_html_entities,
    render_entities_console,
    strip_parsed,
)

JSONDict = dict[str, Any]
INDENT = "  "


def render_lines(first: str, body: str) -> list[str]:
    """``first`` then the body; a multi-line body continues indented under it."""
    lines = body.split("\n") if body else [""]
    return [f"{first}{lines[0]}".rstrip()] + [f"{INDENT}{line}".rstrip() for line in lines[1:]]


def speaker_prefix(bot_name: str, *, recipient: str | None, edited: bool) -> str:
    """``Spotter: `` or, for a message in someone else's chat, ``[to maya] Spotter: ``."""
    to = f"[to {recipient}] " if recipient else ""
    return f"{to}{bot_name}{' (edited)' if edited else ''}: "


def button_label(button: JSONDict) -> str:
    text = str(button.get("text", ""))
    # Buttons that leave the chat (links) are marked, like Telegram's little arrow.
    if any(key in button for key in ("url", "login_url", "web_app")):
        return f"{text} ↗"
    return text


def render_inline_keyboard(rows: Sequence[Sequence[JSONDict]]) -> list[str]:
    """One line per row, buttons numbered across rows: ``[1] Save  [2] Edit a field``."""
    lines: list[str] = []
    number = 0
    for row in rows:
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{number}] {button_label(button)}")
        if cells:
            lines.append(INDENT + "  ".join(cells))
    return lines


def reply_keyboard_rows(markup: JSONDict | None) -> list[list[str]] | None:
    """Button texts of a reply keyboard; [] if the markup removes it, None if it says nothing."""
    if not markup:
        return None
    if markup.get("remove_keyboard"):
        return []
    rows = markup.get("keyboard")
    if not isinstance(rows, list):
        return None
    return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]


def render_reply_keyboard(rows: list[list[str]]) -> list[str]:
    if not rows:
        return [f"{INDENT}(keyboard removed)"]
    flat = [text for row in rows for text in row]
    cells = "  ".join(f"[{number}] {text}" for number, text in enumerate(flat, 1))
    return [f"{INDENT}keyboard: {cells}"]


def media_extension(content: bytes, file_name: str | None, default: str) -> str:
    if file_name and "." in file_name:
        return file_name.rsplit(".", 1)[-1].lower()
    signatures = {
        b"\x89PNG\r\n\x1a\n": "png",
        b"\xff\xd8": "jpg",
        b"GIF8": "gif",
        b"BM": "bmp",
        b"%PDF": "pdf",
    }
    for signature, extension in signatures.items():
        if content.startswith(signature):
            return extension
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return "webp"
    return default


def media_path(message: StoredMessage, content: bytes, directory: Path) -> Path:
    """Where the console keeps a message's photo or file: one name per chat and message."""
    file_name = message.document.get("file_name") if message.document else None
    default = "jpg" if message.photo_file_id else "bin"
    extension = media_extension(content, str(file_name) if file_name else None, default)
    return directory / f"chat{message.chat_id}-message{message.message_id}.{extension}"


def save_media(message: StoredMessage, content: bytes | None, directory: Path) -> Path | None:
    """Write the photo or file to ``directory`` (once); None if there are no bytes to save."""
    if not content:
        return None
    path = media_path(message, content, directory)
    if not path.exists() or path.read_bytes() != content:
        directory.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return path


def media_note(message: StoredMessage, saved: Path | None, url: str | None) -> str | None:
    """``[photo saved to data/console/chat1-message5.png]``, or None for a text message."""
    if message.photo_file_id:
        kind = "photo"
    elif message.document is not None:
        name = message.document.get("file_name")
        kind = f"file {name}" if name else "file"
    else:
        return None
    if saved is not None:
        return f"[{kind} saved to {saved}]"
    if url:
        return f"[{kind}: {url}]"
    return f"[{kind}]"


def render_message(
    message: StoredMessage,
    *,
    bot_name: str,
    recipient: str | None,
    edited: bool,
    note: str | None = None,
) -> list[str]:
    """A bot message as it looks now: text (or media note and caption), then its buttons."""
    prefix = speaker_prefix(bot_name, recipient=recipient, edited=edited)
    text = message.console_text()
    body = "\n".join(part for part in (note, text) if part)
    lines = render_lines(prefix, body)
    lines += render_inline_keyboard(message.inline_keyboard)
    reply_rows = reply_keyboard_rows(message.reply_markup)
    if reply_rows is not None:
        lines += render_reply_keyboard(reply_rows)
    return lines


def render_deleted(message: StoredMessage, *, bot_name: str, recipient: str | None) -> list[str]:
    gist = message.display_text.split("\n", 1)[0]
    if len(gist) > 40:
        gist = gist[:39] + "…"
    what = f" “{gist}”" if gist else ""
    to = f"[to {recipient}] " if recipient else ""
    return [f"{to}{bot_name} deleted its message{what}"]


def render_callback_answer(record: CallbackQueryRecord) -> list[str]:
    """The answer to a button press: a toast or an alert (nothing if the answer was silent)."""
    lines: list[str] = []
    if record.text:
        kind = "alert" if record.show_alert else "toast"
        lines += render_lines(f"{INDENT}({kind}) ", record.text)
    if record.url:
        lines.append(f"{INDENT}(opens {record.url})")
    return lines


def render_inline_results(
    bot_username: str, query: str, results: Sequence[JSONDict], *, first: int, more: bool
) -> list[str]:
    """Inline results numbered for :pick from ``first``, each as ``[1] Title — description``."""
    head = f"@{bot_username} {query}".rstrip()
    if not results:
        return [f"{head}: no {'more ' if first > 1 else ''}results"]
    count = f"{len(results)} {'more ' if first > 1 else ''}result{'s' if len(results) != 1 else ''}"
    lines = [f"{head}: {count}"]
    for number, result in enumerate(results, first):
        title = str(result.get("title") or result.get("type") or "result")
        description = str(result.get("description") or "").replace("\n", " ")
        lines.append(f"{INDENT}[{number}] {title}" + (f" — {description}" if description else ""))
    if more:
        # Telegram loads the next page when the list is scrolled to its end.
        lines.append(f"{INDENT}(:more shows the next results)")
    return lines


def picked_content(content: JSONDict) -> ParsedText | None:
    """The text an inline result's input_message_content puts in the chat; None if not text."""
    text = content.get("message_text")
    if not isinstance(text, str):
        return None
    if str(content.get("parse_mode") or "").lower() == "html":
        try:
            return strip_parsed(parse_html_entities(text))
        except HTMLParseError:
            return ParsedText(text.strip())
    # Plain (or Markdown, which the fake keeps verbatim): shown as sent.
    return ParsedText(text.strip())


def render_picked(person: str, bot_username: str, parsed: ParsedText) -> list[str]:
    """A message the person sent via the bot: ``coach via @SpotterBot: …``."""
    return render_lines(f"{person} via @{bot_username}: ", render_entities_console(parsed))
