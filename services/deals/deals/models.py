from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crmkit import platform_tables
from crmkit.db import ExactDecimal, UtcDateTime, new_metadata
from crmkit.records import Record, changes_index


class Base(DeclarativeBase):
    metadata = new_metadata()


platform_tables.install(Base.metadata)


class Pipeline(Record, Base):
    """A sales process: its open stages in order, then closed_won and closed_lost."""

    __tablename__ = "pipelines"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    stages: Mapped[list[PipelineStage]] = relationship(order_by="PipelineStage.position", lazy="selectin",
                                                       cascade="all, delete-orphan")


class PipelineStage(Base):
    __tablename__ = "pipeline_stages"
    __table_args__ = (UniqueConstraint("pipeline_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pipeline_id: Mapped[str] = mapped_column(ForeignKey("pipelines.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # Every pipeline ends in closed_won and closed_lost (domain.CLOSED_STAGES), so
    # reports and rules can tell a closed deal by its stage alone.
    name: Mapped[str] = mapped_column(String(40))
    probability: Mapped[Decimal] = mapped_column(ExactDecimal)
    forecast_category: Mapped[str] = mapped_column(String(20))


class Opportunity(Record, Base):
    __tablename__ = "opportunities"
    # For the reports (deals.reports; migration 0003 says why each looks as it does).
    __table_args__ = (
        changes_index("opportunities"),
        Index("ix_opportunities_open_by_close_date", "expected_close_date",
              postgresql_where=text("stage NOT IN ('closed_won', 'closed_lost')"),
              sqlite_where=text("stage NOT IN ('closed_won', 'closed_lost')"),
              postgresql_include=["pipeline_id", "stage", "forecast_category", "owner_id", "team", "currency",
                                  "amount", "probability"]),
        Index("ix_opportunities_closed_by_stage", "stage", "closed_at",
              postgresql_where=text("closed_at IS NOT NULL"), sqlite_where=text("closed_at IS NOT NULL"),
              postgresql_include=["pipeline_id", "owner_id", "team", "currency", "amount", "probability",
                                  "created_at"]),
        # The funnel's cohort: the deals of leads created in a range (migration 0009).
        Index("ix_opportunities_lead_cohort", "lead_created_at", "lead_source", "stage",
              postgresql_where=text("lead_created_at IS NOT NULL"), sqlite_where=text("lead_created_at IS NOT NULL")),
        # The funnel's unattributed deals (converted before 0009 kept their lead's time): a few, by created_at.
        Index("ix_opportunities_lead_unknown", "created_at",
              postgresql_where=text("lead_id IS NOT NULL AND lead_created_at IS NULL"),
              sqlite_where=text("lead_id IS NOT NULL AND lead_created_at IS NULL")),
    )

    name: Mapped[str] = mapped_column(String(200))
    pipeline_id: Mapped[str] = mapped_column(ForeignKey("pipelines.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    lead_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    # The lead's creation time and source, copied from lead.converted, so that the funnel
    # counts the deal in its lead's cohort; null for a deal created directly, and for one
    # converted before migration 0009 (unknown: the funnel says how many).
    lead_created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lead_source: Mapped[str | None] = mapped_column(String(20))
    organization_id: Mapped[str | None] = mapped_column(String(36), index=True)
    organization_name: Mapped[str | None] = mapped_column(String(200))
    contact_id: Mapped[str | None] = mapped_column(String(36))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    currency: Mapped[str | None] = mapped_column(String(3))
    stage: Mapped[str] = mapped_column(String(40), index=True)
    probability: Mapped[Decimal] = mapped_column(ExactDecimal)
    forecast_category: Mapped[str] = mapped_column(String(20))
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    next_step: Mapped[str | None] = mapped_column(String(500))
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    closing_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    history: Mapped[list[StageChange]] = relationship(order_by="StageChange.id", lazy="selectin")


class StageChange(Base):
    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(40))
    to_stage: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    probability: Mapped[Decimal] = mapped_column(ExactDecimal)
    # Why, as the seller said it at this move: kept here because a reopen clears them on
    # the opportunity, and a deal may be lost, reopened and lost again.
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)


class KnownOrganization(Base):
    """The leads service's organization as its events last told it: what a quote
    snapshots (name, VAT id, billing address) without calling another service."""

    __tablename__ = "known_organizations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    vat_id: Mapped[str | None] = mapped_column(String(40))
    billing_address: Mapped[dict | None] = mapped_column(JSON)
    shipping_address: Mapped[dict | None] = mapped_column(JSON)
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # The sequence of the last event of the organization applied (the leads service's
    # events of one subject are numbered in order): an older event never overwrites a
    # newer one, whatever order they arrive in. (Its version, before leads migration 0017,
    # which started each counter there.)
    source_version: Mapped[int] = mapped_column(Integer)


class KnownContact(Base):
    """The leads service's contact as its events last told it."""

    __tablename__ = "known_contacts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    organization_id: Mapped[str | None] = mapped_column(String(36))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    source_version: Mapped[int] = mapped_column(Integer)


class Product(Record, Base):
    """An entry of the price book."""

    __tablename__ = "products"
    __table_args__ = (changes_index("products"),)

    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    tax_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class Quote(Record, Base):
    __tablename__ = "quotes"
    __table_args__ = (
        changes_index("quotes"),
        # Only one accepted quote per opportunity, whatever races the application loses.
        Index("uq_quotes_one_accepted", "opportunity_id", unique=True,
              postgresql_where=text("status = 'accepted'"), sqlite_where=text("status = 'accepted'")),
        # The funnel: which deals had a quote sent, and when (migration 0009).
        Index("ix_quotes_sent", "opportunity_id", "sent_at",
              postgresql_where=text("sent_at IS NOT NULL"), sqlite_where=text("sent_at IS NOT NULL")),
    )

    # Q-YYYY-NNNN, and -R2, -R3 ... for later revisions of the same quote.
    number: Mapped[str] = mapped_column(String(30), unique=True)
    base_number: Mapped[str] = mapped_column(String(30), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    revises_id: Mapped[str | None] = mapped_column(String(36))
    superseded_by_id: Mapped[str | None] = mapped_column(String(36))
    opportunity_id: Mapped[str] = mapped_column(ForeignKey("opportunities.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    organization_id: Mapped[str | None] = mapped_column(String(36))
    organization_name: Mapped[str | None] = mapped_column(String(200))
    contact_id: Mapped[str | None] = mapped_column(String(36))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    organization_vat_id: Mapped[str | None] = mapped_column(String(40))
    billing_address: Mapped[dict | None] = mapped_column(JSON)
    shipping_address: Mapped[dict | None] = mapped_column(JSON)
    # Net days the invoices of this deal give the customer: the organization's, unless the
    # quote says otherwise; none means the seller's default.
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    document_discount_percent: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax_mode: Mapped[str] = mapped_column(String(10), default="exclusive")
    rounding: Mapped[str] = mapped_column(String(20))
    terms: Mapped[str | None] = mapped_column(Text)
    # Chosen on sending (30 days later unless the seller says otherwise).
    valid_until: Mapped[date | None] = mapped_column(Date)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rejected_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    expired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    order_id: Mapped[str | None] = mapped_column(String(36))
    subtotal: Mapped[Decimal] = mapped_column(ExactDecimal)
    discount_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    net_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    grand_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    # [{"rate", "taxable", "tax"}] as decimal strings: derived from the lines, kept
    # so the document shows exactly what was sent.
    tax_breakdown: Mapped[list] = mapped_column(JSON)

    lines: Mapped[list[QuoteLine]] = relationship(order_by="QuoteLine.position", lazy="selectin",
                                                    cascade="all, delete-orphan")


class QuoteLine(Base):
    __tablename__ = "quote_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    quote_id: Mapped[str] = mapped_column(ForeignKey("quotes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str | None] = mapped_column(String(36))
    sku: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal)
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    discount_percent: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    # The line's amount after its discount, in the quote's price basis (tax included
    # when the quote's tax_mode is inclusive).
    net: Mapped[Decimal] = mapped_column(ExactDecimal)
