"""Column helpers shared by every table: text ids, UTC timestamps, enums stored by value."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

ID_LENGTH = 16


def new_id() -> str:
    """Short, random, URL-safe: fits in callback data next to a prefix."""
    return secrets.token_urlsafe(8)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC on both databases (SQLite keeps no offset, so restore it on read)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def id_column(**kwargs: Any) -> sa.Column[str]:
    return sa.Column(sa.String(ID_LENGTH), primary_key=True, default=new_id, **kwargs)


def time_column(*, nullable: bool = True, default_now: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable, default=utcnow if default_now else None)


def enum_type(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    # Stored by value ("active", not "ACTIVE"): a CHECK on SQLite, a native type on PostgreSQL.
    return sa.Enum(
        enum_class,
        name=name,
        values_callable=lambda members: [member.value for member in members],
        create_constraint=True,
        validate_strings=True,
    )
