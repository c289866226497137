"""The sales reports: pipeline by stage, forecast by month, win rate, and the deals' steps
of the sales funnel.

Each report is one function over a session: it validates its query (a dict, e.g. the
HTTP query string; a bad one raises ValidationFailed naming each bad field), aggregates
in the database (GROUP BY; no opportunity is loaded into Python) and returns a
JSON-safe dict: ``{"query": <the query with its defaults>, "rows": [...], ...}``.

Common to pipeline, forecast and win_rate:

- Filters: ``owner_id``, ``team``, ``pipeline_id`` (exact matches). ``group_by``:
  ``none`` (default), ``owner`` or ``team``: then each row carries ``owner_id`` or
  ``team`` (null for deals without one), and rows are ordered by it (nulls last).
- Money is never added across currencies. A row's ``count`` counts all its deals; its
  amounts are a list with one entry per currency (by code), each with its own
  ``count`` (deals in that currency). Deals without a currency are counted, in no
  currency's entry.
- Every money figure is exact until it is rounded once, on the total, half-up to the
  currency's minor units (``crmtotals.round_money``: 2 for EUR, 0 for JPY), and given as
  a decimal string.
- Dates are UTC calendar dates; ``closed_at`` (a timestamp) counts on its UTC date.
  Ranges are inclusive at both ends.
- An opportunity is open when its stage is not closed_won or closed_lost.

``pipeline``: open deals of one pipeline (``pipeline_id``, default the pipeline marked
default; an unknown one is a bad query) by stage, a row per stage in the pipeline's
order (per group with group_by, stages without deals included): count, amount and
weighted amount, the sum of ``amount * probability / 100`` with each deal's own
probability. ``expected_close_from`` / ``expected_close_to`` keep the deals expected to
close in that range (a deal without an expected close date then drops out).

``forecast``: months (``YYYY-MM``) of the range ``from`` .. ``to`` (required dates, at
most 36 months touched), per forecast category, in the order pipeline, best_case,
commit, closed: open deals in their own category (pipeline, best_case or commit; omitted
ones are left out) by the month of their expected close date (deals without one are
left out), and won deals as ``closed`` by the month of ``closed_at``. Lost deals are
left out. Count, amount and weighted amount as in the pipeline (a won deal's
probability is 100). Only months, groups and categories that have deals get a row;
``months`` lists every month of the range (a chart's axis).

``win_rate``: deals closed (``closed_at``) from ``from`` to ``to`` (required dates):
``won`` and ``lost`` counts; ``win_rate`` = won / (won + lost), rounded half-up to 4
places, null when none closed; per currency of the won deals: count, ``amount`` and
``average_deal_size`` (amount / won deals with an amount in it, in minor units);
``average_sales_cycle_days``: the mean of the won deals' ages, each the number of UTC
calendar days from ``created_at`` to ``closed_at`` (the usual CRM definition of a
closed deal's age), rounded half-up to one decimal, null when none was won. With
group_by none there is always exactly one row; otherwise a row per owner or team that
closed a deal in the range.

``funnel``: this service's steps of the sales funnel (leads -> qualified -> opportunities
-> quotes sent -> won -> invoiced -> paid; the gateway adds the leads' and billing's), as
``crmkit.funnel`` defines the query (``from``, ``to``, ``view``, ``group_by``; no filters)
and the views:

- ``view=cohort`` (default): the deals of the leads created in the range (by the lead's
  ``created_at``, which the opportunity keeps as ``lead_created_at``), whenever they got
  there: ``opportunities`` all of them; ``quotes_sent`` those with a quote sent (any
  quote, any revision) or won (a deal won without a quote passed that step too);
  ``won`` those won now (stage closed_won). Each step is a part of the one before.
  ``unattributed``: deals converted before migration 0009 kept their lead's creation
  time, created on or after ``from`` (so their lead may be of the cohort): they are in
  no step. A deal created directly has no lead and is in no cohort.
- ``view=activity``: each a count of the deals that reached the step inside the range,
  whenever they began: ``opportunities`` created (``created_at``) in the range;
  ``quotes_sent`` with a quote sent (``sent_at``) in the range, each counted once however
  many quotes or revisions (``-R2``, ...) of it were sent then; ``won``: won (stage
  closed_won) with ``closed_at`` in the range (a deal reopened since has no
  ``closed_at`` and no longer counts). ``unattributed`` is null.

``group_by=source`` gives the same steps per lead source (``lead_source``; null for deals
created directly or converted before migration 0009). The answer (``FunnelStepsOut``) is
``{"from", "to", "view", "group_by", "steps": {"opportunities", "quotes_sent", "won"},
"by_source", "unattributed"}``, plain integers, counted in one query (COUNT, COUNT
DISTINCT grouped by source); "now" plays no part, so the same range always gives the
same figures for the same data.

Speed (bench/README.md, 200,000 opportunities on PostgreSQL): migration 0003 adds a
partial index over the open deals keyed by expected close date, and one over the closed
deals keyed by stage and ``closed_at``, both covering on PostgreSQL (they INCLUDE every
column these queries read), so a report reads a narrow index, not the wide rows (an
index-only scan wherever VACUUM has marked the pages all-visible), and aggregates.
The funnel's activity ``won`` uses the closed deals' index, its ``quotes_sent`` the sent
quotes' (migration 0009); ``opportunities`` by ``created_at`` reads the table. The cohort
reads ``ix_opportunities_lead_cohort`` (the deals of leads created in the range, with
source and stage) and looks their sent quotes up in ``ix_quotes_sent``.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import Date, Integer, bindparam, cast, func, join, literal, literal_column, select, union_all
from sqlalchemy.orm import Session

from crmkit import funnel as funnel_common
from crmkit.db import ExactDecimal
from crmkit.errors import NotFound
from crmkit.schemas import CappedPeriod, Day, Period, load
from crmtotals import round_money

from .domain import CLOSED_STAGES, DEFAULT_PIPELINE_ID, LOST, WON
from .models import Opportunity, Pipeline, Quote

GROUP_BY = {"none": None, "owner": "owner_id", "team": "team"}
FORECAST_OPEN_CATEGORIES = ("pipeline", "best_case", "commit")
FORECAST_WON_CATEGORY = "closed"
WIN_RATE_PLACES = Decimal("0.0001")
CYCLE_PLACES = Decimal("0.1")

_id = dict(validate=validate.Length(min=1, max=64))


# --- queries -------------------------------------------------------------------------------

class _Filters(Schema):
    owner_id = fields.String(**_id)
    team = fields.String(**_id)
    pipeline_id = fields.String(**_id)
    group_by = fields.String(load_default="none", validate=validate.OneOf(list(GROUP_BY)))


class PipelineQuery(_Filters):
    # Default: the default pipeline; another is read, and 404 when there is none (apigen
    # documents the 404 of a query field that names a record).
    pipeline_id = fields.String(**_id, metadata={"names_a_record": True})
    expected_close_from = Day()
    expected_close_to = Day()

    @validates_schema
    def _range(self, data, **_kwargs):
        start, end = data.get("expected_close_from"), data.get("expected_close_to")
        if start and end and start > end:
            raise ValidationError("Must not be before expected_close_from.", "expected_close_to")


class _PeriodQuery(_Filters, Period):
    pass


class ForecastQuery(_PeriodQuery, CappedPeriod):
    pass


class WinRateQuery(_PeriodQuery):
    """The deals closed in a period, of any length."""


class FunnelQuery(funnel_common.FunnelQuery):
    """A period, the view and the grouping: the funnel counts every deal (no owner, team or
    pipeline filter)."""


# --- answers -------------------------------------------------------------------------------

class DealFunnelSteps(Schema):
    opportunities = fields.Integer(required=True, metadata={
        "description": "cohort: the deals of the leads created in the range; activity: opportunities created in it."})
    quotes_sent = fields.Integer(required=True, metadata={
        "description": "cohort: of those, the ones with a quote sent or won; activity: opportunities with a quote "
                       "(any revision) sent in the range, each counted once."})
    won = fields.Integer(required=True, metadata={
        "description": "cohort: of those, the ones won; activity: opportunities won (closed_at) in the range."})


class FunnelStepsOut(funnel_common.FunnelAnswer):
    """The answer of ``report_funnel``: the range and view as asked and this service's steps."""

    steps = fields.Nested(DealFunnelSteps, required=True)
    by_source = funnel_common.source_rows(DealFunnelSteps)
    unattributed = fields.Integer(required=True, allow_none=True, metadata={
        "description": "cohort: deals converted before their lead's creation time was kept, created on or after "
                       "from, in no step; null in the activity view."})


# What pipeline, forecast and win_rate answer. Their figures are decimal strings already
# (rounded once, by the report), so these are String fields, not Amounts.
_DECIMAL = validate.Regexp(r"^-?[0-9]+(\.[0-9]+)?$", error="Not a decimal number.")
_MONTH = validate.Regexp(r"^[0-9]{4}-(0[1-9]|1[0-2])$", error="Not a month (YYYY-MM).")


def _decimal_text(description: str, **kwargs) -> fields.String:
    return fields.String(required=True, validate=_DECIMAL, metadata={"description": description}, **kwargs)


class PipelineRefOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)


class _GroupKeyOut(Schema):
    """A row's group, only with group_by owner or team (null: deals without one)."""

    owner_id = fields.String(allow_none=True, metadata={"description": "Only with group_by owner."})
    team = fields.String(allow_none=True, metadata={"description": "Only with group_by team."})


class DealAmountOut(Schema):
    """A row's deals in one currency."""

    currency = fields.String(required=True)
    count = fields.Integer(required=True)
    amount = _decimal_text("Their amounts added up, in the currency's minor units.")
    weighted_amount = _decimal_text("The sum of amount * probability / 100, in the currency's minor units.")


class PipelineRowOut(_GroupKeyOut):
    stage = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "All its deals, with or without a currency."})
    amounts = fields.List(fields.Nested(DealAmountOut), required=True)


class PipelineReportOut(Schema):
    """report_pipeline: open deals of one pipeline by stage, in the pipeline's order."""

    query = fields.Nested(PipelineQuery, required=True)
    pipeline = fields.Nested(PipelineRefOut, required=True)
    stages = fields.List(fields.String(), required=True)
    rows = fields.List(fields.Nested(PipelineRowOut), required=True)


class ForecastRowOut(_GroupKeyOut):
    month = fields.String(required=True, validate=_MONTH)
    forecast_category = fields.String(required=True, validate=validate.OneOf(
        (*FORECAST_OPEN_CATEGORIES, FORECAST_WON_CATEGORY)))
    count = fields.Integer(required=True)
    amounts = fields.List(fields.Nested(DealAmountOut), required=True)


class ForecastReportOut(Schema):
    """report_forecast: rows only for the months, groups and categories that have deals."""

    query = fields.Nested(ForecastQuery, required=True)
    months = fields.List(fields.String(validate=_MONTH), required=True)
    rows = fields.List(fields.Nested(ForecastRowOut), required=True)


class WonAmountOut(Schema):
    currency = fields.String(required=True)
    count = fields.Integer(required=True)
    amount = _decimal_text("The won deals' amounts added up, in the currency's minor units.")
    average_deal_size = _decimal_text("amount / the won deals with an amount; null when none had one.",
                                      allow_none=True)


class WinRateRowOut(_GroupKeyOut):
    won = fields.Integer(required=True)
    lost = fields.Integer(required=True)
    win_rate = _decimal_text("won / (won + lost), 4 places; null when none closed.", allow_none=True)
    won_amounts = fields.List(fields.Nested(WonAmountOut), required=True)
    average_sales_cycle_days = _decimal_text("The won deals' mean age in days, 1 place; null when none was won.",
                                             allow_none=True)


class WinRateReportOut(Schema):
    """report_win_rate: with group_by none always exactly one row."""

    query = fields.Nested(WinRateQuery, required=True)
    rows = fields.List(fields.Nested(WinRateRowOut), required=True)

# --- the reports -----------------------------------------------------------------------------

def pipeline(session: Session, query: dict) -> dict:
    schema = PipelineQuery()
    q = load(schema, query)
    if q.get("pipeline_id") is None:
        q["pipeline_id"] = session.scalar(select(Pipeline.id).where(Pipeline.is_default)) or DEFAULT_PIPELINE_ID
    found = session.get(Pipeline, q["pipeline_id"])
    if found is None:
        raise NotFound("pipeline", q["pipeline_id"])
    stages = [stage.name for stage in found.stages if stage.name not in CLOSED_STAGES]
    group = _group_column(q)
    o = Opportunity
    stmt = _aggregate(session, group, o.stage).where(_open(), *_filters(q))
    if "expected_close_from" in q:
        stmt = stmt.where(o.expected_close_date >= q["expected_close_from"])
    if "expected_close_to" in q:
        stmt = stmt.where(o.expected_close_date <= q["expected_close_to"])
    cells = _cells(session.execute(stmt))
    groups = sorted({key for key, _stage in cells}, key=_nulls_last) if group is not None else [None]
    rows = [{**_group_key(q, key), "stage": stage, **_figures(cells.get((key, stage)))}
            for key in groups for stage in stages]
    return {"query": schema.dump(q), "pipeline": {"id": found.id, "name": found.name}, "stages": stages,
            "rows": rows}


def forecast(session: Session, query: dict) -> dict:
    schema = ForecastQuery()
    q = load(schema, query)
    group = _group_column(q)
    o = Opportunity
    start, end = _moments(q)
    open_month = _month(session, o.expected_close_date)
    open_deals = _aggregate(session, group, open_month, o.forecast_category).where(
        _open(), o.forecast_category.in_(FORECAST_OPEN_CATEGORIES),
        o.expected_close_date >= q["date_from"], o.expected_close_date <= q["date_to"], *_filters(q))
    won_month = _month(session, o.closed_at)
    won_deals = _aggregate(session, group, won_month).where(
        o.stage == WON, o.closed_at >= start, o.closed_at < end, *_filters(q))
    cells = _cells(session.execute(open_deals))
    cells.update({(key, month, FORECAST_WON_CATEGORY): figures
                  for (key, month), figures in _cells(session.execute(won_deals)).items()})
    order = {category: i for i, category in enumerate((*FORECAST_OPEN_CATEGORIES, FORECAST_WON_CATEGORY))}
    rows = [{"month": month, **_group_key(q, key), "forecast_category": category, **_figures(figures)}
            for (key, month, category), figures in sorted(
                cells.items(), key=lambda item: (item[0][1], _nulls_last(item[0][0]), order[item[0][2]]))]
    return {"query": schema.dump(q), "months": _months(q["date_from"], q["date_to"]), "rows": rows}


def win_rate(session: Session, query: dict) -> dict:
    schema = WinRateQuery()
    q = load(schema, query)
    group = _group_column(q)
    o = Opportunity
    start, end = _moments(q)
    # Whole UTC calendar days from creation to closing (date - date is a day count).
    if session.get_bind().dialect.name == "postgresql":
        age = cast(func.timezone("UTC", o.closed_at), Date) - cast(func.timezone("UTC", o.created_at), Date)
    else:
        age = cast(func.julianday(func.date(o.closed_at)) - func.julianday(func.date(o.created_at)), Integer)
    stmt = _aggregate(session, group, o.stage, with_amount=func.count(o.amount),
                      age_days=func.sum(age, type_=Integer)).where(
        o.stage.in_(list(CLOSED_STAGES)), o.closed_at >= start, o.closed_at < end, *_filters(q))
    groups: dict = {}
    for row in session.execute(stmt):
        outcome = groups.setdefault(row._mapping.get("group_key"), {"won": 0, "lost": 0, "days": 0, "currencies": {}})
        if row.key_0 == LOST:
            outcome["lost"] += row.count
            continue
        outcome["won"] += row.count
        outcome["days"] += row.age_days
        if row.currency is not None:
            outcome["currencies"][row.currency] = (row.count, row.with_amount, row.amount or Decimal(0))
    if group is None:
        groups.setdefault(None, {"won": 0, "lost": 0, "days": 0, "currencies": {}})
    rows = [{**_group_key(q, key), **_outcome(groups[key])} for key in sorted(groups, key=_nulls_last)]
    return {"query": schema.dump(q), "rows": rows}


FUNNEL_STEPS = ("opportunities", "quotes_sent", "won")


def funnel(session: Session, query: dict) -> dict:
    q = load(FunnelQuery, query)
    start, end = funnel_common.moments(q)
    o, quote = Opportunity, Quote
    source = o.lead_source

    def count(step: str, *conditions, counted=None, joined=None):
        stmt = select(literal(step).label("step"), source, func.count() if counted is None else counted)
        if joined is not None:
            stmt = stmt.select_from(joined)
        return stmt.where(*conditions).group_by(source)

    if q["view"] == funnel_common.COHORT:
        cohort = (o.lead_created_at >= start, o.lead_created_at < end)
        quoted = select(quote.opportunity_id).where(quote.opportunity_id == o.id, quote.sent_at.is_not(None)).exists()
        # quotes_sent: those with a sent quote, and those won without one, as two counts (a
        # semi- and an anti-join that look each deal's quotes up by index; an OR of the two
        # would make PostgreSQL read every quote).
        steps = [count("opportunities", *cohort),
                 count("quotes_sent", *cohort, quoted), count("quotes_sent", *cohort, o.stage == WON, ~quoted),
                 count("won", *cohort, o.stage == WON)]
        unattributed = session.scalar(select(func.count()).select_from(o).where(
            o.lead_id.is_not(None), o.lead_created_at.is_(None), o.created_at >= start))
    else:
        # Revisions of one quote, and several quotes of one deal, are one deal that got a quote.
        steps = [count("opportunities", o.created_at >= start, o.created_at < end),
                 count("quotes_sent", quote.sent_at >= start, quote.sent_at < end,
                       counted=func.count(quote.opportunity_id.distinct()), joined=join(quote, o)),
                 count("won", o.stage == WON, o.closed_at >= start, o.closed_at < end)]
        unattributed = None
    return funnel_common.answer(q, FUNNEL_STEPS, session.execute(union_all(*steps)), unattributed=unattributed)


# --- SQL pieces ------------------------------------------------------------------------------

def _open():
    # The closed stages inline, word for word as in the partial index's WHERE
    # (migration 0003): a bound parameter would keep SQLite from using that index.
    return Opportunity.stage.not_in(bindparam("closed_stages", list(CLOSED_STAGES), expanding=True,
                                              literal_execute=True))


def _filters(q: dict) -> list:
    return [getattr(Opportunity, name) == q[name] for name in ("owner_id", "team", "pipeline_id") if name in q]


def _group_column(q: dict):
    name = GROUP_BY[q["group_by"]]
    return getattr(Opportunity, name) if name else None


def _aggregate(session: Session, group, *keys, **extra):
    """SELECT [group_key,] key_0..., currency, count, amount, weighted_percent (the sum
    of amount * probability) and the ``extra`` aggregates by their names, GROUP BY the
    group (None: no group_by), the keys and the currency."""
    o = Opportunity
    grouped = [group, *keys] if group is not None else list(keys)
    columns = [group.label("group_key")] if group is not None else []
    columns += [key.label(f"key_{i}") for i, key in enumerate(keys)]
    columns += [o.currency, func.count().label("count"), _sum(session, o.amount).label("amount"),
                _sum(session, o.amount, o.probability).label("weighted_percent")]
    columns += [column.label(name) for name, column in extra.items()]
    return select(*columns).group_by(*grouped, o.currency)


def _sum(session: Session, *factors):
    """The exact sum of the product of decimal columns. PostgreSQL's NUMERIC is exact;
    SQLite stores our decimals as text and its SUM would add them as floats, so there
    the sum is an aggregate of our own over Decimals (still computed inside the GROUP
    BY: only the groups reach Python)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        product = factors[0]
        for factor in factors[1:]:
            product = product * factor
        return func.sum(product, type_=ExactDecimal())
    connection.connection.driver_connection.create_aggregate("crm_decimal_sum", -1, _DecimalSum)
    return func.crm_decimal_sum(*factors, type_=ExactDecimal())


class _DecimalSum:
    def __init__(self):
        self.total = None

    def step(self, *values):
        if any(value is None for value in values):
            return
        product = Decimal(1)
        for value in values:
            product *= Decimal(str(value))
        self.total = product if self.total is None else self.total + product

    def finalize(self):
        return None if self.total is None else str(self.total)


def _month(session: Session, column):
    """YYYY-MM of a date, or of a timestamp's UTC date."""
    if session.get_bind().dialect.name == "postgresql":
        if isinstance(column.type, Date):
            return func.to_char(column, literal_column("'YYYY-MM'"))
        return func.to_char(func.timezone("UTC", column), literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column)  # SQLite keeps UTC timestamps as text


def _cells(result) -> dict:
    """The rows of an _aggregate -> {(group key or None, key_0, ...): {currency: (count,
    amount, weighted percent)}}."""
    cells: dict = {}
    for row in result:
        mapping = row._mapping
        keys = (mapping.get("group_key"), *(value for name, value in mapping.items() if name.startswith("key_")))
        cells.setdefault(keys, {})[row.currency] = (row.count, row.amount, row.weighted_percent)
    return cells


# --- figures -------------------------------------------------------------------------------

def _figures(by_currency: dict | None) -> dict:
    by_currency = by_currency or {}
    amounts = [{"currency": currency, "count": count, "amount": _money(amount or 0, currency),
                "weighted_amount": _money((weighted or 0) / 100, currency)}
               for currency, (count, amount, weighted) in sorted(by_currency.items(), key=_currency_order)
               if currency is not None]
    return {"count": sum(count for count, _a, _w in by_currency.values()), "amounts": amounts}


def _outcome(outcome: dict) -> dict:
    won, lost = outcome["won"], outcome["lost"]
    amounts = [{"currency": currency, "count": count, "amount": _money(amount, currency),
                "average_deal_size": _money(amount / with_amount, currency) if with_amount else None}
               for currency, (count, with_amount, amount) in sorted(outcome["currencies"].items())]
    return {
        "won": won, "lost": lost,
        "win_rate": str((Decimal(won) / (won + lost)).quantize(WIN_RATE_PLACES, ROUND_HALF_UP)) if won + lost else None,
        "won_amounts": amounts,
        "average_sales_cycle_days":
            str((Decimal(outcome["days"]) / won).quantize(CYCLE_PLACES, ROUND_HALF_UP)) if won else None,
    }


def _money(amount, currency: str) -> str:
    return str(round_money(Decimal(amount), currency))


def _currency_order(item):
    return item[0] or ""


def _nulls_last(key):
    return (key is None, key or "")


def _group_key(q: dict, key) -> dict:
    name = GROUP_BY[q["group_by"]]
    return {name: key} if name else {}


def _moments(q: dict) -> tuple[datetime, datetime]:
    """The range's dates as UTC timestamps: [from 00:00, the day after to 00:00)."""
    return (datetime.combine(q["date_from"], time(), UTC),
            datetime.combine(q["date_to"] + timedelta(days=1), time(), UTC))


def _months(start: date, end: date) -> list[str]:
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]
