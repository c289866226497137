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


class DocumentTotals:
    """The totals every billing document carries, exactly as the totals engine gave them."""

    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(ExactDecimal)
    discount_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    net_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    grand_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax_breakdown: Mapped[list] = mapped_column(JSON)
    document_discount_percent: Mapped[Decimal] = mapped_column(ExactDecimal)
    rounding: Mapped[str] = mapped_column(String(20))
    # Whether unit prices and line amounts include tax (the quote's choice).
    tax_mode: Mapped[str] = mapped_column(String(10), default="exclusive")


class CustomerSnapshot:
    """Who the customer was when the document was made; never a key to join on."""

    organization_id: Mapped[str | None] = mapped_column(String(36), index=True)
    organization_name: Mapped[str | None] = mapped_column(String(200))
    organization_vat_id: Mapped[str | None] = mapped_column(String(40))
    contact_id: Mapped[str | None] = mapped_column(String(36))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    billing_address: Mapped[dict | None] = mapped_column(JSON)


class Order(Record, DocumentTotals, CustomerSnapshot, Base):
    __tablename__ = "orders"
    __table_args__ = (
        changes_index("orders"),
        # The funnel's cohort: the orders of leads created in a range (migration 0007).
        Index("ix_orders_lead_cohort", "lead_created_at", "lead_source",
              postgresql_where=text("lead_created_at IS NOT NULL"), sqlite_where=text("lead_created_at IS NOT NULL")),
        # The funnel's unattributed orders (their lead unknown): a few, by created_at.
        Index("ix_orders_lead_unknown", "created_at",
              postgresql_where=text("lead_created_at IS NULL AND from_lead IS NOT false"),
              sqlite_where=text("lead_created_at IS NULL AND from_lead IS NOT false")),
    )

    number: Mapped[str] = mapped_column(String(30), unique=True)
    # Exactly one order per accepted quote, however often quote.accepted arrives.
    quote_id: Mapped[str] = mapped_column(String(36), unique=True)
    quote_number: Mapped[str] = mapped_column(String(30))
    opportunity_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    order_date: Mapped[date] = mapped_column(Date)
    shipping_address: Mapped[dict | None] = mapped_column(JSON)
    delivery_terms: Mapped[str | None] = mapped_column(String(500))
    internal_notes: Mapped[str | None] = mapped_column(Text)
    # What the customer's invoices will say (the quote's terms, else the default).
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    fulfilment_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    # The deal's lead, as quote.accepted told it, for the funnel's cohort: from_lead is
    # False for a deal created directly, True for one from a converted lead (whose time and
    # source are null when deals did not know them), null for an order made before
    # migration 0007 (unknown).
    from_lead: Mapped[bool | None] = mapped_column(Boolean)
    lead_created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lead_source: Mapped[str | None] = mapped_column(String(20))
    lines: Mapped[list[OrderLine]] = relationship(order_by="OrderLine.position", lazy="selectin",
                                                    cascade="all, delete-orphan")
    invoices: Mapped[list[Invoice]] = relationship(order_by="Invoice.created_at", lazy="selectin",
                                                     back_populates="order")


# The names every billing document copies, lines and totals, from the quote onwards.
LINE_FIELDS = ("position", "sku", "description", "quantity", "unit_price", "discount_percent", "tax_rate", "net")
TOTAL_FIELDS = ("subtotal", "discount_total", "net_total", "tax_total", "grand_total")


class LineFields:
    position: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal)
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    discount_percent: Mapped[Decimal] = mapped_column(ExactDecimal)
    tax_rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    net: Mapped[Decimal] = mapped_column(ExactDecimal)


class OrderLine(LineFields, Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)


class Invoice(Record, DocumentTotals, CustomerSnapshot, Base):
    __tablename__ = "invoices"
    # For the reports (billing.reports; migration 0004 says why each looks as it does).
    __table_args__ = (
        changes_index("invoices"),
        Index("ix_invoices_open_by_due_date", "due_date",
              postgresql_where=text("status IN ('issued', 'partially_paid', 'overdue')"),
              sqlite_where=text("status IN ('issued', 'partially_paid', 'overdue')"),
              postgresql_include=["issue_date", "currency", "balance_due", "organization_id", "organization_name",
                                  "id"]),
        Index("ix_invoices_issue_date", "issue_date", postgresql_include=["status", "currency", "grand_total"]),
        # The funnel's cohort: an order's issued and its paid invoices (migration 0007).
        Index("ix_invoices_issued_by_order", "order_id", postgresql_where=text("issue_date IS NOT NULL"),
              sqlite_where=text("issue_date IS NOT NULL"), postgresql_include=["status"]),
        Index("ix_invoices_paid_by_order", "order_id", postgresql_where=text("paid_at IS NOT NULL"),
              sqlite_where=text("paid_at IS NOT NULL")),
    )

    # Assigned when issued, gap-free per year; a draft has none.
    number: Mapped[str | None] = mapped_column(String(30), unique=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    issue_date: Mapped[date | None] = mapped_column(Date)
    payment_terms_days: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    balance_due: Mapped[Decimal] = mapped_column(ExactDecimal)
    credited_total: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The highest dunning level published for it (0: none yet), so each is sent once.
    dunning_level: Mapped[int] = mapped_column(Integer, default=0)

    order: Mapped[Order] = relationship(back_populates="invoices")
    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.position", lazy="selectin",
                                                      cascade="all, delete-orphan")
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.created_at", lazy="selectin")
    credit_notes: Mapped[list[CreditNote]] = relationship(order_by="CreditNote.created_at", lazy="selectin",
                                                          back_populates="invoice")


class InvoiceLine(LineFields, Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)


class Payment(Record, Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("invoice_id", "reference", name="uq_payments_invoice_reference"),
        Index("ix_payments_payment_date", "payment_date", postgresql_include=["currency", "amount", "invoice_id"]),
    )

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    payment_date: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class CreditNote(Record, DocumentTotals, CustomerSnapshot, Base):
    """A correction of an issued invoice, which itself never changes: CN-YYYY-NNNN."""

    __tablename__ = "credit_notes"
    __table_args__ = (
        changes_index("credit_notes"),
        Index("ix_credit_notes_issue_date", "issue_date", postgresql_include=["currency", "grand_total", "invoice_id"]),
    )

    number: Mapped[str] = mapped_column(String(30), unique=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    invoice_number: Mapped[str] = mapped_column(String(30))
    issue_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    # What the invoice's balance could not absorb: owed back to the customer.
    refund_due: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))

    invoice: Mapped[Invoice] = relationship(back_populates="credit_notes")
    lines: Mapped[list[CreditNoteLine]] = relationship(order_by="CreditNoteLine.position", lazy="selectin",
                                                         cascade="all, delete-orphan")


class CreditNoteLine(LineFields, Base):
    __tablename__ = "credit_note_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    credit_note_id: Mapped[str] = mapped_column(ForeignKey("credit_notes.id"), index=True)
