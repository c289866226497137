"""The billing reports: receivables aging, billed and collected by month, days sales
outstanding (DSO), and billing's steps of the sales funnel.

Each report is one function over a session: it validates its query (a dict, e.g. the
HTTP query string; a bad one raises ValidationFailed naming each bad field; an unknown
field is a bad field), aggregates in the database (GROUP BY; no invoice is loaded into
Python) and returns a JSON-safe dict: ``{"query": <the query with its defaults>, ...}``.

Common to receivables, billed_collected and dso:

- Money is never added across currencies: every figure is per currency (ordered by
  code), in the document's own currency (a payment's own ``currency``).
- Every money figure is exact until it is rounded once, on the total, half-up to the
  currency's minor units (``crmtotals.round_money``: 2 for EUR, 0 for JPY), and given as
  a decimal string.
- Dates are calendar dates (``issue_date``, ``due_date``, ``payment_date`` are DATE
  columns; no time zone is involved). Ranges are inclusive at both ends. "Today" is the
  UTC date of the business clock (``crmkit.db.utcnow``).
- ``organization_id`` (optional) keeps the documents of one organization (the
  customer snapshot on the invoice or credit note; payments count by their invoice's).

``receivables``: accounts receivable aging at ``as_of`` (a date, default today).

- The invoices counted are those issued on or before ``as_of`` (drafts never) that
  have a positive balance at ``as_of``:

  - ``as_of`` today or later: the stored ``balance_due`` of the open invoices (status
    issued, partially_paid or overdue). ``balance_basis`` says ``"stored"``.
  - ``as_of`` in the past: the balance as it was at the end of that day, whatever the
    invoice's status now: ``grand_total`` - its payments with ``payment_date`` <=
    ``as_of`` - its credit notes with ``issue_date`` <= ``as_of``. An invoice paid or
    credited since counts; one whose balance was not positive that day (paid, credited,
    or credited beyond its balance) does not. ``balance_basis`` says
    ``"reconstructed"``. Only the invoices open now and those with a payment or credit
    note dated after ``as_of`` are looked at: any other one is paid or credited now
    (nothing owed) and nothing was paid or credited on it since ``as_of``, so it owed
    nothing then either. (The two bases agree as long as no payment is dated after
    today; a payment recorded with a future ``payment_date`` counts in the stored
    balance at once.)

- Buckets by days past due at ``as_of`` (``as_of - due_date``): ``current`` (not yet
  due: 0 days or fewer, so an invoice due on ``as_of`` is current; also one without a
  due date), ``1-30``, ``31-60``, ``61-90``, ``over_90`` (91 days or more).
- Per currency: each bucket's ``count`` (invoices) and ``amount`` (their balances), and
  the ``total`` count and amount (the total is rounded on its own, not added up from
  the rounded buckets).
- ``group_by``: ``none`` (default): exactly one row. ``organization``: a row per
  ``organization_id`` (null for invoices without one) with an open balance, carrying
  ``organization_name``, the name on its most recently issued invoice counted (ties:
  the greatest name); rows ordered by name, then id, nulls last. A row's ``count`` is
  its invoices in every currency.

``billed_collected``: the months (``YYYY-MM``) of the range ``from`` .. ``to`` (required
dates, at most 36 months touched), each listed even when empty (a chart's axis). Only
the days inside the range count (a range starting mid-month gives a partial first
month). Per month and currency:

- ``invoiced``: the ``grand_total`` of the invoices issued in the month (by
  ``issue_date``; drafts have none), ``invoices`` their count;
- ``credited``: the ``grand_total`` of the credit notes issued in the month,
  ``credit_notes`` their count;
- ``billed`` = invoiced - credited (negative when the credits exceed the invoices);
- ``collected``: the payments by ``payment_date``, ``payments`` their count.

A month lists the currencies that have any of these; ``totals`` gives the same figures
over the whole range.

``dso``: days sales outstanding over the period ``from`` .. ``to`` (required dates),
per currency, the "simple" (countback-free) method::

    dso = receivables at `to` / billed in the period * days in the period

where *receivables* is the balance open at the end of ``to`` exactly as ``receivables``
computes it with ``as_of = to`` (reconstructed when ``to`` is in the past), *billed* is
invoiced - credited from ``from`` to ``to`` as in ``billed_collected``, and *days* is
``to - from + 1`` (both ends count). Computed exactly and rounded half-up to one decimal.
``dso`` is null when nothing was billed in the currency (billed zero or negative). A
currency is listed when it has receivables at ``to`` or invoices or credit notes in the
period.

``funnel``: billing's steps of the sales funnel (leads -> qualified -> opportunities ->
quotes sent -> won -> invoiced -> paid; the gateway adds the other services' steps), as
``crmkit.funnel`` defines the query (``from``, ``to``, ``view``, ``group_by``; nothing
else may be asked) and the views:

- ``view=cohort`` (default): the orders of the leads created in the range (by the lead's
  ``created_at``, which the order keeps as ``lead_created_at``), whenever they got
  there: ``invoiced`` orders with an invoice issued (drafts never count; one credited
  since still does), ``paid`` orders with an invoice paid in full (``paid_at``): each
  order once, so each step is a part of the one before. ``unattributed``: orders made on
  or after ``from`` whose lead is unknown (made before migration 0007, or of a deal
  converted before deals kept its lead's time): they are in no step. An order of a deal
  created directly has no lead and is in no cohort.
- ``view=activity``: each counted inside the range, whenever the deal began:
  ``invoiced``: orders with an invoice issued in the range (by ``issue_date``, the UTC
  date it was issued on), each order counted once however many of its invoices were
  issued then. Drafts never count: they have no issue date, and a discarded draft (a
  cancelled order's) is gone. An invoice credited since still counts: it was issued.
  ``paid``: invoices paid in full in the range (``paid_at``, a timestamp, on its UTC
  date), including those credited (refunded) since. An invoice settled by a credit note
  rather than payments has no ``paid_at`` and does not count. ``unattributed`` is null.

``group_by=source`` gives the same steps per lead source (the order's ``lead_source``;
null where unknown or for a deal created directly). The answer (``FunnelStepsOut``) is
``{"from", "to", "view", "group_by", "steps": {"invoiced", "paid"}, "by_source",
"unattributed"}``, plain integers, counted in one query (COUNT DISTINCT, COUNT grouped
by source); the business clock plays no part, so the same range always gives the same
figures for the same data.

Speed (PostgreSQL, 200,000 invoices, 300,000 payments, 6,000 credit notes; the figures
are in the migration 0004 docstring): migration 0004 adds a partial index over the open
invoices keyed by due date, and indexes by date over the invoices, the payments and the
credit notes, covering on PostgreSQL (INCLUDE of every column these queries read), so
a report reads a narrow index (an index-only scan where VACUUM has marked the pages
all-visible) instead of the wide rows. A past ``as_of`` costs a few index look-ups per
invoice looked at (its payments and credit notes up to ``as_of``): tens of thousands
for a recent date; for those the session turns JIT compilation off (``SET LOCAL``,
this transaction only), which PostgreSQL would otherwise start on the strength of the
planner's estimate and which alone takes longer than the query. On SQLite, which adds
stored decimals as floats, sums and differences are SQL functions of our own over
Decimals, still computed inside the query. The funnel's activity ``invoiced`` reads the
issue-date index; ``paid_at`` has none, so ``paid`` reads the invoices once. Its cohort
reads ``ix_orders_lead_cohort`` (migration 0007) and looks each order's issued and paid
invoices up in ``ix_invoices_issued_by_order`` and ``ix_invoices_paid_by_order``.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor

from marshmallow import Schema, fields, validate
from sqlalchemy import (
    Date,
    DateTime,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from crmkit import funnel as funnel_common
from crmkit.db import ExactDecimal, utcnow
from crmkit.schemas import CappedPeriod, Day, Period, load
from crmtotals import round_money

from .domain import DRAFT, PAYABLE_STATES
from .models import CreditNote, Invoice, Order, Payment

BUCKETS = ("current", "1-30", "31-60", "61-90", "over_90")
GROUP_BY = ("none", "organization")
# The open statuses, written inline (not as bound parameters) so that the query's
# condition is word for word the partial index's WHERE (migration 0004) on SQLite too.
OPEN_STATES = PAYABLE_STATES

_id = dict(validate=validate.Length(min=1, max=36))


# --- queries -------------------------------------------------------------------------------

class ReceivablesQuery(Schema):
    as_of = Day()  # default: today
    group_by = fields.String(load_default="none", validate=validate.OneOf(GROUP_BY))
    organization_id = fields.String(**_id)


class _PeriodQuery(Period):
    organization_id = fields.String(**_id)


class BilledCollectedQuery(_PeriodQuery, CappedPeriod):
    pass


class DsoQuery(_PeriodQuery):
    """A period, with no cap on its length (unlike the monthly figures)."""


class FunnelQuery(funnel_common.FunnelQuery):
    """A period, the view and the grouping: the funnel counts every order (no organization
    filter)."""


# --- answers -------------------------------------------------------------------------------

class BillingFunnelSteps(Schema):
    invoiced = fields.Integer(required=True, metadata={
        "description": "cohort: the orders of the leads created in the range with an invoice issued; activity: "
                       "orders with an invoice issued in the range, each counted once."})
    paid = fields.Integer(required=True, metadata={
        "description": "cohort: of those, the orders with an invoice paid in full; activity: invoices paid in full "
                       "in the range."})


class FunnelStepsOut(funnel_common.FunnelAnswer):
    """The answer of ``report_funnel``: the range and view as asked and billing's steps."""

    steps = fields.Nested(BillingFunnelSteps, required=True)
    by_source = funnel_common.source_rows(BillingFunnelSteps)
    unattributed = fields.Integer(required=True, allow_none=True, metadata={
        "description": "cohort: orders made on or after from whose lead is unknown, in no step; null in the "
                       "activity view."})


# What receivables, billed_collected and dso answer. Their figures are decimal strings
# already (rounded once, by the report), so these are String fields, not Amounts.
BALANCE_BASES = ("stored", "reconstructed")  # see receivables, above
_DECIMAL = validate.Regexp(r"^-?[0-9]+(\.[0-9]+)?$", error="Not a decimal number.")
_MONTH = validate.Regexp(r"^[0-9]{4}-(0[1-9]|1[0-2])$", error="Not a month (YYYY-MM).")


def _decimal_text(description: str, **kwargs) -> fields.String:
    return fields.String(required=True, validate=_DECIMAL, metadata={"description": description}, **kwargs)


class AgingBucketOut(Schema):
    bucket = fields.String(required=True, validate=validate.OneOf(BUCKETS))
    count = fields.Integer(required=True)
    amount = _decimal_text("The invoices' balances added up, in the currency's minor units.")


class AgingTotalOut(Schema):
    count = fields.Integer(required=True)
    amount = _decimal_text("Rounded on its own, not added up from the rounded buckets.")


class AgingAmountOut(Schema):
    """A row's open invoices in one currency, every bucket listed."""

    currency = fields.String(required=True)
    buckets = fields.List(fields.Nested(AgingBucketOut), required=True)
    total = fields.Nested(AgingTotalOut, required=True)


class ReceivablesRowOut(Schema):
    organization_id = fields.String(allow_none=True, metadata={
        "description": "Only with group_by organization (null: invoices without one)."})
    organization_name = fields.String(allow_none=True, metadata={
        "description": "Only with group_by organization: the name on its latest invoice counted."})
    count = fields.Integer(required=True, metadata={"description": "Its invoices, in every currency."})
    amounts = fields.List(fields.Nested(AgingAmountOut), required=True)


class ReceivablesReportOut(Schema):
    """report_receivables: with group_by none always exactly one row."""

    query = fields.Nested(ReceivablesQuery, required=True)
    balance_basis = fields.String(required=True, validate=validate.OneOf(BALANCE_BASES))
    buckets = fields.List(fields.String(validate=validate.OneOf(BUCKETS)), required=True)
    rows = fields.List(fields.Nested(ReceivablesRowOut), required=True)


class FlowFiguresOut(Schema):
    """What was invoiced, credited and collected in one currency."""

    currency = fields.String(required=True)
    invoices = fields.Integer(required=True)
    invoiced = _decimal_text("The grand totals of the invoices issued.")
    credit_notes = fields.Integer(required=True)
    credited = _decimal_text("The grand totals of the credit notes issued.")
    billed = _decimal_text("invoiced - credited (negative when the credits exceed the invoices).")
    payments = fields.Integer(required=True)
    collected = _decimal_text("The payments received.")


class BilledCollectedRowOut(Schema):
    month = fields.String(required=True, validate=_MONTH)
    amounts = fields.List(fields.Nested(FlowFiguresOut), required=True)


class BilledCollectedReportOut(Schema):
    """report_billed_collected: every month of the range, and the totals over it."""

    query = fields.Nested(BilledCollectedQuery, required=True)
    months = fields.List(fields.String(validate=_MONTH), required=True)
    rows = fields.List(fields.Nested(BilledCollectedRowOut), required=True)
    totals = fields.List(fields.Nested(FlowFiguresOut), required=True)


class DsoRowOut(Schema):
    currency = fields.String(required=True)
    receivables = _decimal_text("The balance open at the end of to.")
    billed = _decimal_text("invoiced - credited in the period.")
    dso = _decimal_text("Days sales outstanding, 1 place; null when nothing was billed.", allow_none=True)


class DsoReportOut(Schema):
    query = fields.Nested(DsoQuery, required=True)
    days = fields.Integer(required=True, validate=validate.Range(min=1))
    balance_basis = fields.String(required=True, validate=validate.OneOf(BALANCE_BASES))
    rows = fields.List(fields.Nested(DsoRowOut), required=True)

# --- the reports -----------------------------------------------------------------------------

def receivables(session: Session, query: dict) -> dict:
    schema = ReceivablesQuery()
    q = load(schema, query)
    q.setdefault("as_of", utcnow().date())
    sql = _Sql(session)
    balances, basis = _open_balances(sql, q["as_of"], q.get("organization_id"))
    by_organization = q["group_by"] == "organization"
    keys = [balances.c.organization_id, balances.c.organization_name] if by_organization else []
    stmt = (select(*keys, balances.c.currency, balances.c.bucket, func.count().label("count"),
                   sql.sum(balances.c.balance).label("amount"), func.max(balances.c.issue_date).label("latest"))
            .where(sql.positive(balances.c.balance))
            .group_by(*keys, balances.c.currency, balances.c.bucket))
    cells: dict = {}  # {organization: {currency: {bucket: (count, amount)}}}
    names: dict = {}  # {organization: {name: latest issue date}}
    for *key, currency, bucket, count, amount, latest in session.execute(stmt):
        organization = key[0] if key else None
        cell = cells.setdefault(organization, {}).setdefault(currency, {})
        if bucket in cell:  # the same organization under another name
            count, amount = cell[bucket][0] + count, cell[bucket][1] + amount
        cell[bucket] = (count, amount)
        if key:
            seen = names.setdefault(organization, {})
            seen[key[1]] = max(latest, seen.get(key[1], latest))
    if not by_organization:
        rows = [_aging_row(cells.get(None, {}))]
    else:
        heads = []
        for organization, seen in names.items():
            # The name on its latest invoice: (latest issue date, name) is greatest.
            name = max(seen.items(), key=lambda item: (item[1], item[0] or ""))[0]
            heads.append((name is None, name or "", organization is None, organization or "", organization, name))
        rows = [{"organization_id": organization, "organization_name": name, **_aging_row(cells[organization])}
                for *_order, organization, name in sorted(heads)]
    return {"query": schema.dump(q), "balance_basis": basis, "buckets": list(BUCKETS), "rows": rows}


def billed_collected(session: Session, query: dict) -> dict:
    schema = BilledCollectedQuery()
    q = load(schema, query)
    sql = _Sql(session)
    months = _months(q["date_from"], q["date_to"])
    cells = _period_figures(sql, q, by_month=True)
    rows = [{"month": month, "amounts": [_flow_figures(currency, figures)
                                         for (m, currency), figures in sorted(cells.items()) if m == month]}
            for month in months]
    totals: dict = {}
    for (_month, currency), figures in cells.items():
        total = totals.setdefault(currency, {})
        for name, (count, amount) in figures.items():
            before = total.get(name, (0, Decimal(0)))
            total[name] = (before[0] + count, before[1] + amount)
    return {"query": schema.dump(q), "months": months, "rows": rows,
            "totals": [_flow_figures(currency, totals[currency]) for currency in sorted(totals)]}


def dso(session: Session, query: dict) -> dict:
    schema = DsoQuery()
    q = load(schema, query)
    sql = _Sql(session)
    days = (q["date_to"] - q["date_from"]).days + 1
    balances, basis = _open_balances(sql, q["date_to"], q.get("organization_id"))
    open_amounts = {row.currency: row.amount for row in session.execute(
        select(balances.c.currency, sql.sum(balances.c.balance).label("amount"))
        .where(sql.positive(balances.c.balance)).group_by(balances.c.currency))}
    billed: dict = {}
    for (_key, currency), figures in _period_figures(sql, q, by_month=False, payments=False).items():
        billed[currency] = _amount(figures, "invoiced") - _amount(figures, "credited")
    rows = []
    for currency in sorted(set(open_amounts) | set(billed)):
        receivable, sales = open_amounts.get(currency, Decimal(0)), billed.get(currency, Decimal(0))
        rows.append({"currency": currency, "receivables": _money(receivable, currency),
                     "billed": _money(sales, currency),
                     "dso": _one_decimal(Fraction(receivable) / Fraction(sales) * days) if sales > 0 else None})
    return {"query": schema.dump(q), "days": days, "balance_basis": basis, "rows": rows}


FUNNEL_STEPS = ("invoiced", "paid")


def funnel(session: Session, query: dict) -> dict:
    q = load(FunnelQuery, query)
    start, end = funnel_common.moments(q)
    o, i = Order, Invoice
    source = o.lead_source

    def count(step: str, *conditions, counted=None):
        return (select(literal(step).label("step"), source, func.count() if counted is None else counted)
                .select_from(o).where(*conditions).group_by(source))

    if q["view"] == funnel_common.COHORT:
        cohort = (o.lead_created_at >= start, o.lead_created_at < end)
        issued = select(i.id).where(i.order_id == o.id, i.status != DRAFT, i.issue_date.is_not(None))
        paid = select(i.id).where(i.order_id == o.id, i.paid_at.is_not(None))
        steps = [count("invoiced", *cohort, issued.exists()), count("paid", *cohort, paid.exists())]
        # Unknown: made before 0007 (from_lead null), or of a lead deals had no time for;
        # word for word the partial index's WHERE (migration 0007).
        unattributed = session.scalar(select(func.count()).select_from(o).where(
            text("lead_created_at IS NULL AND from_lead IS NOT false"), o.created_at >= start))
    else:
        steps = [count("invoiced", i.status != DRAFT, i.issue_date >= q["date_from"], i.issue_date <= q["date_to"],
                       counted=func.count(i.order_id.distinct())).join(i, i.order_id == o.id),
                 count("paid", i.paid_at >= start, i.paid_at < end).join(i, i.order_id == o.id)]
        unattributed = None
    return funnel_common.answer(q, FUNNEL_STEPS, session.execute(union_all(*steps)), unattributed=unattributed)


# --- SQL pieces ------------------------------------------------------------------------------

def _open_balances(sql: _Sql, as_of: date, organization_id: str | None):
    """A subquery of the invoices issued on or before ``as_of`` with what they owed on
    that day (not yet only the positive ones): currency, organization, issue_date,
    bucket, balance; and the basis of the balance (stored or reconstructed)."""
    i, p, c = Invoice, Payment, CreditNote
    is_open = i.status.in_(bindparam("open_states", list(OPEN_STATES), expanding=True, literal_execute=True))
    if as_of >= utcnow().date():
        basis, balance, conditions = "stored", type_coerce(i.balance_due, ExactDecimal()), [is_open]
    else:
        basis = "reconstructed"
        paid = select(sql.sum(p.amount)).where(p.invoice_id == i.id, p.payment_date <= as_of).scalar_subquery()
        credited = select(sql.sum(c.grand_total)).where(c.invoice_id == i.id, c.issue_date <= as_of).scalar_subquery()
        balance = sql.minus(i.grand_total, paid, credited)
        # Only these can have owed anything at as_of: an invoice paid or credited now
        # owes nothing now, and if nothing was paid or credited on it after as_of, it
        # owed nothing then either. So a recent as_of reads a few invoices, not all.
        candidates = union_all(
            select(i.id).where(is_open, i.issue_date <= as_of),
            select(p.invoice_id).where(p.payment_date > as_of),
            select(c.invoice_id).where(c.issue_date > as_of),
        )
        conditions = [i.id.in_(candidates), i.status != DRAFT]
    stmt = select(i.currency, i.organization_id, i.organization_name, i.issue_date,
                  _bucket(i.due_date, as_of).label("bucket"), balance.label("balance")).where(
        *conditions, i.issue_date <= as_of)
    if organization_id is not None:
        stmt = stmt.where(i.organization_id == organization_id)
    if basis == "stored":
        return stmt.subquery("balances"), basis
    if not sql.sqlite:
        # The planner's cost estimate of the per-invoice look-ups is far above what they
        # cost, enough to start JIT compilation, which alone takes longer (about half a
        # second) than the whole query. Only for this transaction.
        sql.session.execute(text("SET LOCAL jit = off"))
    # Materialized, so that each balance is worked out once, not again in the outer
    # query's filter and sum.
    return stmt.cte("balances").prefix_with("MATERIALIZED"), basis


def _bucket(due_date, as_of: date):
    """The aging bucket of ``as_of - due_date`` days past due, as date comparisons."""
    def day(days_before: int):
        return bindparam(None, as_of - timedelta(days=days_before), type_=Date)

    return case(
        (due_date < day(90), literal_column("'over_90'")),
        (due_date < day(60), literal_column("'61-90'")),
        (due_date < day(30), literal_column("'31-60'")),
        (due_date < day(0), literal_column("'1-30'")),
        else_=literal_column("'current'"))


def _period_figures(sql: _Sql, q: dict, by_month: bool, payments: bool = True) -> dict:
    """{(month or None, currency): {"invoiced" | "credited" | "collected": (count, exact amount)}}."""
    start, end, organization_id = q["date_from"], q["date_to"], q.get("organization_id")
    i, c, p = Invoice, CreditNote, Payment
    parts = [
        ("invoiced", i.issue_date, i.currency, i.grand_total, [i.status != DRAFT], i.organization_id),
        ("credited", c.issue_date, c.currency, c.grand_total, [], c.organization_id),
    ]
    if payments:
        parts.append(("collected", p.payment_date, p.currency, p.amount, [], None))
    cells: dict = {}
    for name, day, currency, amount, conditions, organization in parts:
        keys = [sql.month(day), currency] if by_month else [currency]
        stmt = select(*keys, func.count(), sql.sum(amount)).where(*conditions, day >= start, day <= end)
        if organization_id is not None:
            if organization is None:  # a payment counts by its invoice's organization
                stmt = stmt.join(i, i.id == p.invoice_id)
                organization = i.organization_id
            stmt = stmt.where(organization == organization_id)
        for *key, count, total in sql.session.execute(stmt.group_by(*keys)):
            month, code = key if by_month else (None, key[0])
            cells.setdefault((month, code), {})[name] = (count, total)
    return cells


class _Sql:
    """The few expressions that differ by database. PostgreSQL's NUMERIC is exact;
    SQLite stores our decimals as text and its SUM or minus would treat them as floats,
    so there they are functions of our own over Decimals, registered on the connection
    and still computed inside the query (only the groups reach Python)."""

    def __init__(self, session: Session):
        self.session = session
        connection = session.connection()
        self.sqlite = connection.dialect.name == "sqlite"
        if self.sqlite:
            raw = connection.connection.driver_connection
            raw.create_aggregate("crm_decimal_sum", 1, _DecimalSum)
            raw.create_function("crm_decimal_minus", -1, _decimal_minus, deterministic=True)
            raw.create_function("crm_decimal_sign", 1, _decimal_sign, deterministic=True)

    def sum(self, column):
        if self.sqlite:
            return func.crm_decimal_sum(column, type_=ExactDecimal())
        return func.sum(column, type_=ExactDecimal())

    def minus(self, value, *subtracted):
        """value - each of subtracted, a NULL subtrahend counting as 0."""
        if self.sqlite:
            return func.crm_decimal_minus(value, *subtracted, type_=ExactDecimal())
        result = value
        for term in subtracted:
            result = result - func.coalesce(term, 0)
        return type_coerce(result, ExactDecimal())

    def positive(self, value):
        if self.sqlite:
            return func.crm_decimal_sign(value) > 0
        return value > 0

    def month(self, column):
        """YYYY-MM of a DATE column (on PostgreSQL as a timestamp without time zone:
        to_char of a date would go through the session's time zone)."""
        if self.sqlite:
            return func.strftime(literal_column("'%Y-%m'"), column)
        return func.to_char(cast(column, DateTime()), literal_column("'YYYY-MM'"))


class _DecimalSum:
    def __init__(self):
        self.total = None

    def step(self, value):
        if value is not None:
            self.total = Decimal(str(value)) if self.total is None else self.total + Decimal(str(value))

    def finalize(self):
        return None if self.total is None else str(self.total)


def _decimal_minus(value, *subtracted):
    if value is None:
        return None
    result = Decimal(str(value))
    for term in subtracted:
        if term is not None:
            result -= Decimal(str(term))
    return str(result)


def _decimal_sign(value):
    if value is None:
        return None
    number = Decimal(str(value))
    return (number > 0) - (number < 0)


# --- figures -------------------------------------------------------------------------------

def _aging_row(cells: dict) -> dict:
    """{currency: {bucket: (count, exact amount)}} -> a row's count and amounts."""
    amounts, invoices = [], 0
    for currency in sorted(cells):
        buckets, count, total, zero = cells[currency], 0, Decimal(0), _money(0, currency)
        figures = []
        for bucket in BUCKETS:
            if bucket in buckets:
                n, amount = buckets[bucket]
                count, total = count + n, total + amount
                figures.append({"bucket": bucket, "count": n, "amount": _money(amount, currency)})
            else:
                figures.append({"bucket": bucket, "count": 0, "amount": zero})
        invoices += count
        amounts.append({"currency": currency, "buckets": figures,
                        "total": {"count": count, "amount": _money(total, currency)}})
    return {"count": invoices, "amounts": amounts}


def _flow_figures(currency: str, figures: dict) -> dict:
    invoiced, credited = _amount(figures, "invoiced"), _amount(figures, "credited")
    return {
        "currency": currency,
        "invoices": figures.get("invoiced", (0, 0))[0], "invoiced": _money(invoiced, currency),
        "credit_notes": figures.get("credited", (0, 0))[0], "credited": _money(credited, currency),
        "billed": _money(invoiced - credited, currency),
        "payments": figures.get("collected", (0, 0))[0], "collected": _money(_amount(figures, "collected"), currency),
    }


def _amount(figures: dict, name: str) -> Decimal:
    return figures.get(name, (0, Decimal(0)))[1] or Decimal(0)


def _money(amount, currency: str) -> str:
    return str(round_money(Decimal(amount), currency))


def _one_decimal(value: Fraction) -> str:
    """Half-up (away from zero) to one decimal place, exactly."""
    tenths = floor(abs(value) * 10 + Fraction(1, 2))
    return str(Decimal(tenths if value >= 0 else -tenths).scaleb(-1))


def _months(start: date, end: date) -> list[str]:
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]
