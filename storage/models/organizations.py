from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import id_column, new_id, time_column, utcnow


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"
    __table_args__ = (
        sa.CheckConstraint("weight_unit IN ('kg', 'lb')", name="ck_organizations_weight_unit"),
        sa.CheckConstraint(
            "rounding_increment > 0 AND rounding_increment <= 50",
            name="ck_organizations_rounding_increment",
        ),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    name: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
    # Team settings: loads are stored in kg; the unit and increment only shape input and display.
    timezone: str = Field(
        default="UTC",
        sa_column=sa.Column(sa.String(64), nullable=False, server_default="UTC", default="UTC"),
    )
    weight_unit: str = Field(
        default="kg",
        sa_column=sa.Column(sa.String(2), nullable=False, server_default="kg", default="kg"),
    )
    rounding_increment: float = Field(
        default=2.5,
        sa_column=sa.Column(sa.Float, nullable=False, server_default="2.5", default=2.5),
    )
