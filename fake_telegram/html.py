"""Telegram's HTML parse mode, as pure functions.

The parser follows tdlib's ``parse_html`` (the code behind the Bot API) closely: same tags,
same attribute rules, same error texts and byte offsets. It is deliberately stricter in three
places, because the bot always escapes its output and we want tests to catch slips:

* an ``&`` that does not start ``&lt;``/``&gt;``/``&amp;``/``&quot;``/``&#NN;``/``&#xHH;``
  (including the trailing ``;``) is an error (Telegram would keep it literally);
* ``<a>`` must carry a non-empty ``href`` (Telegram would silently drop the link);
* ``<tg-emoji>`` must carry ``emoji-id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Entity",
    "HTMLParseError",
    "ParsedText",
    "parse_html",
    "parse_html_entities",
    "render_console",
    "render_entities_console",
    "strip_parsed",
    "utf16_len",
]

_SPACES = frozenset(" \t\r\n\v\f")
_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HTMLParseError(ValueError):
    """Invalid HTML for Telegram; ``str(err)`` is the Bot API description minus "Bad Request: "."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"can't parse entities: {detail}")


@dataclass(frozen=True)
class Entity:
    """A message entity with offsets in Python characters (``start``/``end``)."""

    type: str
    start: int
    end: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_api(self, text: str) -> dict[str, Any]:
        """Return the Bot API MessageEntity dict (offsets in UTF-16 code units)."""
        data: dict[str, Any] = {
            "type": self.type,
            "offset": utf16_len(text[: self.start]),
            "length": utf16_len(text[self.start : self.end]),
        }
        if self.url is not None:
            data["url"] = self.url
        if self.language:
            data["language"] = self.language
        if self.custom_emoji_id is not None:
            data["custom_emoji_id"] = self.custom_emoji_id
        return data


@dataclass(frozen=True)
class ParsedText:
    """Plain text plus the entities Telegram would attach to it."""

    text: str
    entities: tuple[Entity, ...] = field(default_factory=tuple)

    def api_entities(self) -> list[dict[str, Any]]:
        return [entity.to_api(self.text) for entity in self.entities]


@dataclass
class _OpenTag:
    name: str
    start: int
    byte_offset: int
    argument: str = ""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, which is how Telegram measures text."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, pos: int) -> tuple[str, int]:
    """Decode the character reference at ``text[pos] == '&'``; return (char, next index)."""
    end = pos + 1
    size = len(text)
    if end < size and text[end] == "#":
        end += 1
        hexadecimal = end < size and text[end] in "xX"
        if hexadecimal:
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while end < size and text[end] in allowed:
            end += 1
        digits = text[digits_start:end]
        if digits and end < size and text[end] == ";" and end - pos < 10:
            code = int(digits, 16 if hexadecimal else 10)
            if 0 < code < 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code), end + 1
    else:
        while end < size and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name in _NAMED_ENTITIES and end < size and text[end] == ";":
            return _NAMED_ENTITIES[name], end + 1
    raise HTMLParseError(
        f'Unsupported character entity at byte offset {_byte_offset(text, pos)}: escape "&" as '
        '"&amp;" (only &lt; &gt; &amp; &quot; &#NN; &#xHH; are known)'
    )


def _parse_attributes(text: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes after the tag name; return them and the index of the closing '>'."""
    size = len(text)
    attributes: dict[str, str] = {}
    offset = _byte_offset(text, begin)
    while True:
        while i < size and text[i] in _SPACES:
            i += 1
        if i >= size:
            raise HTMLParseError(f"Unclosed start tag at byte offset {offset}")
        if text[i] == ">":
            return attributes, i
        name_start = i
        while i < size and text[i] not in _SPACES and text[i] not in "=>":
            i += 1
        name = text[name_start:i].lower()
        while i < size and text[i] in _SPACES:
            i += 1
        if i >= size:
            raise HTMLParseError(f"Unclosed start tag at byte offset {offset}")
        if text[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attributes[name] = ""
                continue
            raise HTMLParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {offset}"
            )
        if not name:
            raise HTMLParseError(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
        i += 1
        while i < size and text[i] in _SPACES:
            i += 1
        if i >= size:
            raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {offset}')
        if text[i] in "'\"":
            quote = text[i]
            i += 1
            value: list[str] = []
            while i < size and text[i] != quote:
                if text[i] == "&":
                    char, i = _decode_entity(text, i)
                    value.append(char)
                else:
                    value.append(text[i])
                    i += 1
            if i >= size:
                raise HTMLParseError(f"Unclosed start tag at byte offset {offset}")
            i += 1
            attributes[name] = "".join(value)
        else:
            # An HTML "name token": letters, digits, periods and hyphens, case-insensitive.
            token_start = i
            while i < size and ((text[i].isascii() and text[i].isalnum()) or text[i] in ".-"):
                i += 1
            if i < size and text[i] not in _SPACES and text[i] != ">":
                raise HTMLParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, token_start)}"
                )
            attributes[name] = text[token_start:i].lower()


def _tag_argument(tag: str, attributes: dict[str, str], offset: int) -> str:
    """Validate tag-specific attributes and return the entity argument they carry."""
    if tag == "a":
        href = attributes.get("href", "")
        if not href:
            raise HTMLParseError(f'Tag "a" must have a non-empty "href" at byte offset {offset}')
        return href
    if tag == "span":
        if attributes.get("class") != "tg-spoiler":
            raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        return ""
    if tag == "tg-emoji":
        emoji_id = attributes.get("emoji-id", "")
        if not emoji_id.isdigit():
            raise HTMLParseError(
                f'Tag "tg-emoji" must have a numeric "emoji-id" at byte offset {offset}'
            )
        return emoji_id
    if tag == "code":
        css_class = attributes.get("class", "")
        return css_class.removeprefix("language-") if css_class.startswith("language-") else ""
    if tag == "blockquote":
        return "expandable" if "expandable" in attributes else ""
    return ""


def _close_entity(opened: _OpenTag, end: int, entities: list[Entity]) -> None:
    if end <= opened.start:
        # Telegram drops empty entities.
        return
    tag, start, argument = opened.name, opened.start, opened.argument
    if tag in _SIMPLE_TYPES:
        entities.append(Entity(_SIMPLE_TYPES[tag], start, end))
    elif tag == "a":
        entities.append(Entity("text_link", start, end, url=argument))
    elif tag == "tg-emoji":
        entities.append(Entity("custom_emoji", start, end, custom_emoji_id=argument))
    elif tag == "blockquote":
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append(Entity(kind, start, end))
    elif tag == "code":
        entities.append(Entity("code", start, end, language=argument or None))
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last.type == "code"
            and (last.start, last.end) == (start, end)
            and last.language
        ):
            # <pre><code class="language-x"> is a single pre entity with a language.
            entities[-1] = Entity("pre", start, end, language=last.language)
        else:
            entities.append(Entity("pre", start, end))


def parse_html_entities(text: str) -> ParsedText:
    """Parse Telegram HTML into plain text and entities; raise HTMLParseError if invalid."""
    size = len(text)
    out: list[str] = []
    length = 0  # characters emitted so far
    entities: list[Entity] = []
    stack: list[_OpenTag] = []
    i = 0
    while i < size:
        char = text[i]
        if char == "&":
            decoded, i = _decode_entity(text, i)
            out.append(decoded)
            length += 1
            continue
        if char != "<":
            out.append(char)
            length += 1
            i += 1
            continue
        begin = i
        offset = _byte_offset(text, begin)
        i += 1
        if i < size and text[i] == "/":
            if not stack:
                raise HTMLParseError(f"Unexpected end tag at byte offset {offset}")
            i += 1
            name_start = i
            while i < size and text[i] not in _SPACES and text[i] != ">":
                i += 1
            end_name = text[name_start:i]
            while i < size and text[i] in _SPACES:
                i += 1
            if i >= size or text[i] != ">":
                raise HTMLParseError(f"Unclosed end tag at byte offset {offset}")
            opened = stack[-1]
            if end_name and end_name != opened.name:
                raise HTMLParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{opened.name}>", '
                    f'found "</{end_name}>"'
                )
            stack.pop()
            _close_entity(opened, length, entities)
            i += 1
            continue
        name_start = i
        while i < size and text[i] not in _SPACES and text[i] != ">":
            i += 1
        if i >= size:
            raise HTMLParseError(f"Unclosed start tag at byte offset {offset}")
        tag = text[name_start:i].lower()
        if tag not in _SUPPORTED_TAGS:
            raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        attributes, i = _parse_attributes(text, i, tag, begin)
        argument = _tag_argument(tag, attributes, offset)
        stack.append(_OpenTag(tag, length, offset, argument))
        i += 1
    if stack:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    plain = "".join(out)
    # A lone code entity keeps no language (tdlib clears it); only pre carries one.
    cleaned = [
        Entity(e.type, e.start, e.end, e.url, None, e.custom_emoji_id) if e.type == "code" else e
        for e in entities
    ]
    cleaned.sort(key=lambda e: (e.start, -(e.end - e.start)))
    return ParsedText(plain, tuple(cleaned))


def parse_html(text: str) -> str:
    """Return the plain text Telegram shows for HTML ``text``; raise HTMLParseError if invalid."""
    return parse_html_entities(text).text


def strip_parsed(parsed: ParsedText) -> ParsedText:
    """Trim surrounding whitespace like Telegram does for message texts, keeping entities."""
    text = parsed.text
    left = len(text) - len(text.lstrip())
    stripped = text.strip()
    if left == 0 and len(stripped) == len(text):
        return parsed
    limit = len(stripped)
    entities = []
    for entity in parsed.entities:
        start = min(max(entity.start - left, 0), limit)
        end = min(max(entity.end - left, 0), limit)
        if end > start:
            entities.append(
                Entity(entity.type, start, end, entity.url, entity.language, entity.custom_emoji_id)
            )
    return ParsedText(stripped, tuple(entities))


def _console_markers(entity: Entity) -> tuple[str, str]:
    if entity.type == "bold":
        return "**", "**"
    if entity.type == "italic":
        return "_", "_"
    if entity.type == "code":
        return "`", "`"
    if entity.type == "pre":
        return "```\n", "\n```"
    if entity.type == "text_link":
        return "", f" ({entity.url})"
    return "", ""


def render_entities_console(parsed: ParsedText) -> str:
    """Render plain text + entities for a terminal: **bold**, _italic_, `code`, text (url)."""
    inserts: list[tuple[int, int, int, str]] = []
    for entity in parsed.entities:
        opening, closing = _console_markers(entity)
        if opening:
            # Openings after closings at the same spot; outer (longer) entities open first.
            inserts.append((entity.start, 1, -(entity.end - entity.start), opening))
        if closing:
            # Inner entities (which started later) close first.
            inserts.append((entity.end, 0, -entity.start, closing))
    inserts.sort(key=lambda item: (item[0], item[1], item[2]))
    pieces: list[str] = []
    cursor = 0
    for position, _, _, marker in inserts:
        pieces.append(parsed.text[cursor:position])
        pieces.append(marker)
        cursor = position
    pieces.append(parsed.text[cursor:])
    return "".join(pieces)


def render_console(text: str) -> str:
    """Render HTML message text for a terminal; invalid HTML is shown as-is."""
    try:
        parsed = parse_html_entities(text)
    except HTMLParseError:
        return text
    return render_entities_console(parsed)
