from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from crmkit import platform_tables
from crmkit.db import ExactDecimal, UtcDateTime, new_metadata
from crmkit.records import Record


class Base(DeclarativeBase):
    metadata = new_metadata()


platform_tables.install(Base.metadata)


class Organization(Record, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200), index=True)
    domain: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))


class Contact(Record, Base):
    __tablename__ = "contacts"

    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(100))
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)


class Lead(Record, Base):
    __tablename__ = "leads"

    status: Mapped[str] = mapped_column(String(20), index=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    company: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(20))
    campaign: Mapped[str | None] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(64))
    budget_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    authority: Mapped[bool | None] = mapped_column(Boolean)
    need: Mapped[str | None] = mapped_column(Text)
    timeline: Mapped[date | None] = mapped_column(Date)
    disqualify_reason: Mapped[str | None] = mapped_column(Text)
    converted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    converted_organization_id: Mapped[str | None] = mapped_column(String(36))
    converted_contact_id: Mapped[str | None] = mapped_column(String(36))
    converted_opportunity_id: Mapped[str | None] = mapped_column(String(36))
