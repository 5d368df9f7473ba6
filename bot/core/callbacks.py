"""Typed callback data: one class per button kind owns its format, its pattern and its fields.

A kind is a small frozen dataclass whose fields are typed::

    class AthleteCard(CallbackData, prefix="ac"):
        athlete: str                      # an id: 1-60 of A-Z a-z 0-9 _ . -

    class RosterPage(CallbackData, prefix="rs"):
        status: Annotated[AthleteStatus | None, NoneAs("all")]
        offset: Annotated[int, Range(0, 9_999_999)]
        query: bool                       # "0" / "1"

    AthleteCard(athlete=a.id).pack()      # "ac:Xy12..."
    AthleteCard.unpack(data)              # AthleteCard(athlete="Xy12..."), or raises BadCallback

Field types: `str` (an id or a short token), `int` (bounded: `Range`, default 0..9,999,999),
`bool`, an `Enum` (by value), a `Literal` of strings, and `X | None` with `NoneAs(token)`.
Data is `prefix:field:field...` and always fits Telegram's 64 bytes (checked when packing).
Every prefix is registered once (a duplicate raises at import): features declare their kinds in
their own package and the registry still sees them all.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    Self,
    cast,
    dataclass_transform,
    get_args,
)

MAX_BYTES = 64
SEPARATOR = ":"
TOKEN = re.compile(r"[A-Za-z0-9_.\-]{1,60}")

# Every kind, by prefix (typed kinds and the untyped CallbackKind alike).
REGISTRY: dict[str, Any] = {}


class BadCallback(ValueError):
    """Data that no button of ours could have produced (forged, or from an old version)."""


@dataclass(frozen=True)
class Range:
    """Bounds of an int field (inclusive)."""

    low: int
    high: int


@dataclass(frozen=True)
class NoneAs:
    """How `None` is written in an optional field (e.g. "all" for no status filter)."""

    token: str


@dataclass(frozen=True)
class Codec:
    encode: Callable[[Any], str]
    decode: Callable[[str], Any]  # raises ValueError


DEFAULT_RANGE = Range(0, 9_999_999)


def _register(prefix: str, kind: object) -> None:
    if not TOKEN.fullmatch(prefix):
        raise ValueError(f"bad callback prefix {prefix!r}")
    if prefix in REGISTRY:
        raise ValueError(f"callback prefix {prefix!r} defined twice")
    REGISTRY[prefix] = kind


def _token(value: str) -> str:
    if not TOKEN.fullmatch(value):
        raise ValueError(value)
    return value


def _codec_for(annotation: Any) -> Codec:
    metadata: tuple[Any, ...] = ()
    if typing.get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata = tuple(extra)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        none_as = next((m for m in metadata if isinstance(m, NoneAs)), None)
        if len(inner) != 1 or none_as is None:
            raise TypeError(f"optional callback field {annotation!r} needs NoneAs(token)")
        codec = _codec_for(Annotated[(inner[0], *metadata)] if metadata else inner[0])
        token = none_as.token

        def decode_optional(raw: str) -> Any:
            return None if raw == token else codec.decode(raw)

        return Codec(lambda v: token if v is None else codec.encode(v), decode_optional)
    if origin is Literal:
        choices = {str(arg) for arg in get_args(annotation)}

        def decode_choice(raw: str) -> str:
            if raw not in choices:
                raise ValueError(raw)
            return raw

        return Codec(str, decode_choice)
    if annotation is bool:

        def decode_bool(raw: str) -> bool:
            if raw not in ("0", "1"):
                raise ValueError(raw)
            return raw == "1"

        return Codec(lambda v: "1" if v else "0", decode_bool)
    if annotation is int:
        bounds = next((m for m in metadata if isinstance(m, Range)), DEFAULT_RANGE)
        digits = len(str(max(abs(bounds.low), abs(bounds.high))))

        def decode_int(raw: str) -> int:
            if not re.fullmatch(r"-?\d+", raw) or len(raw.lstrip("-")) > digits:
                raise ValueError(raw)
            value = int(raw)
            if not bounds.low <= value <= bounds.high:
                raise ValueError(raw)
            return value

        return Codec(lambda v: str(int(v)), decode_int)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        enum_type = annotation
        return Codec(lambda v: str(enum_type(v).value), lambda raw: enum_type(raw))
    if annotation is str:
        return Codec(_token, _token)
    raise TypeError(f"unsupported callback field type {annotation!r}")


@dataclass_transform(frozen_default=True)
class CallbackData:
    """Base of typed callback data kinds; see the module docstring."""

    prefix: ClassVar[str]
    pattern: ClassVar[re.Pattern[str]]
    _codecs: ClassVar[tuple[tuple[str, Codec], ...]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True)(cls)
        reserved = {"prefix", "pattern", "pack", "unpack", "matching"}
        clash = reserved & {f.name for f in dataclasses.fields(cast(Any, cls))}
        if clash:
            raise TypeError(f"{cls.__name__}: field name(s) {sorted(clash)} are reserved")
        hints = typing.get_type_hints(cls, include_extras=True)
        cls.prefix = prefix
        cls._codecs = tuple(
            (f.name, _codec_for(hints[f.name])) for f in dataclasses.fields(cast(Any, cls))
        )
        tail = "".join(rf"{SEPARATOR}[^{SEPARATOR}]*" for _ in cls._codecs)
        cls.pattern = re.compile(rf"^{re.escape(prefix)}{tail}$")
        _register(prefix, cls)

    def pack(self) -> str:
        parts = [self.prefix]
        for name, codec in self._codecs:
            text = codec.encode(getattr(self, name))
            if not text or SEPARATOR in text:
                raise ValueError(f"{self.prefix}.{name}: {text!r} can't go in callback data")
            parts.append(text)
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Self:
        if data is None or not cls.pattern.match(data):
            raise BadCallback(data)
        raw = data.split(SEPARATOR)[1:]
        try:
            values = {
                name: codec.decode(text)
                for (name, codec), text in zip(cls._codecs, raw, strict=True)
            }
        except ValueError:
            raise BadCallback(data) from None
        return cls(**values)

    @classmethod
    def matching(cls, **values: object | tuple[object, ...]) -> re.Pattern[str]:
        """A pattern for only some values of some fields (a tuple means any of them): routes one
        kind's values to different handlers, e.g. `Menu.matching(item=("athletes", "back"))`."""
        known = dict(cls._codecs)
        unknown = set(values) - set(known)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        parts = [re.escape(cls.prefix)]
        for name, codec in cls._codecs:
            if name not in values:
                parts.append(rf"[^{SEPARATOR}]*")
                continue
            wanted = values[name]
            options = wanted if isinstance(wanted, tuple) else (wanted,)
            parts.append("(?:" + "|".join(re.escape(codec.encode(o)) for o in options) + ")")
        return re.compile("^" + SEPARATOR.join(parts) + "$")


def family_pattern(*kinds: type[CallbackData] | CallbackKind) -> re.Pattern[str]:
    """Any data of the given kinds, whatever its fields: the buttons of one form, to answer
    "from an earlier step" while it is open and "closed" after it ended."""
    prefixes = sorted((re.escape(kind.prefix) for kind in kinds), key=len, reverse=True)
    return re.compile(rf"^(?:{'|'.join(prefixes)})(?:{SEPARATOR}|$)")


@dataclass(frozen=True)
class CallbackKind:
    """An untyped kind (fields are strings); being replaced by CallbackData subclasses."""

    prefix: str
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _register(self.prefix, self)

    @property
    def pattern(self) -> re.Pattern[str]:
        tail = "".join(rf"{SEPARATOR}[^{SEPARATOR}]*" for _ in self.fields)
        return re.compile(rf"^{re.escape(self.prefix)}{tail}$")

    def pack(self, *values: object) -> str:
        if len(values) != len(self.fields):
            raise ValueError(f"{self.prefix} takes {self.fields}, got {values!r}")
        parts = [self.prefix, *(str(value) for value in values)]
        if any(SEPARATOR in part for part in parts[1:]):
            raise ValueError(f"{SEPARATOR!r} inside callback field: {values!r}")
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    def unpack(self, data: str | None) -> dict[str, str]:
        if data is None or not self.pattern.match(data):
            raise BadCallback(data)
        values = data.split(SEPARATOR)[1:]
        return dict(zip(self.fields, values, strict=True))

    def int_field(self, data: str | None, name: str, *, minimum: int = 0) -> int:
        raw = self.unpack(data)[name]
        if not raw.isdigit() or int(raw) < minimum or len(raw) > 7:
            raise BadCallback(data)
        return int(raw)
