"""What every record of every service has (DOMAIN.md): a time-ordered id, UTC
timestamps, a version that is the API's ETag, and an owner where it has one."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .db import UtcDateTime, utcnow
from .ids import new_id


class Record:
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    owner_id: Mapped[str | None] = mapped_column(String(64), index=True)

    # +1 on every UPDATE, and the UPDATE only matches the version that was read:
    # a concurrent writer gets a conflict instead of silently overwriting.
    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


def changes_index(table: str) -> Index:
    """The index a list's ``updated_since`` and ``sort=updated_at`` read (crmkit.listing):
    keyed like the pages, by time and then id."""
    return Index(f"ix_{table}_updated_at", "updated_at", "id")
