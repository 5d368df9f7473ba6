from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.models.base import id_column, new_id, time_column, utcnow


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: str = Field(default_factory=new_id, sa_column=id_column())
    name: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
