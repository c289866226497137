"""The leads service's figures for reports: its steps of the sales funnel.

``funnel``: the first two steps of the funnel (leads -> qualified -> opportunities ->
quotes sent -> won -> invoiced -> paid; the gateway adds the deals' and billing's steps)
over ``from`` .. ``to``: required dates, UTC calendar days, inclusive at both ends (a
timestamp counts on its UTC date), at most 36 months touched, as the deals' and billing's
period reports; nothing else may be asked (a bad or unknown field raises ValidationFailed
naming it). Each step is counted inside the range, whenever the lead began:

- ``leads``: leads created (``created_at``) in the range;
- ``qualified``: leads that became qualified (``qualified_at``) in the range, whatever
  became of them since (converted, disqualified, recycled). A lead qualified again after
  a recycle counts on its latest qualification. Leads qualified before migration 0013
  have a ``qualified_at`` only where the outbox still held their ``lead.qualified``
  event; the others do not count.

Merged leads (status ``merged``: duplicates, which live on in the lead they were merged
into) count in neither step, so one interest is one lead.

The answer (``FunnelStepsOut``) is ``{"from", "to", "steps": {"leads", "qualified"}}``,
plain integers, counted in one query (COUNT; no lead is loaded). The business clock plays
no part, so the same range always gives the same figures for the same data. Indexes:
``ix_leads_created`` and ``ix_leads_qualified_at``.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from marshmallow import Schema, fields
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crmkit.schemas import CappedPeriod, load

from .domain import MERGED
from .models import Lead

# --- queries -------------------------------------------------------------------------------

class FunnelQuery(CappedPeriod):
    pass


# --- answers -------------------------------------------------------------------------------

class LeadFunnelSteps(Schema):
    leads = fields.Integer(required=True, metadata={"description": "Leads created in the range (not merged ones)."})
    qualified = fields.Integer(required=True, metadata={
        "description": "Leads that became qualified in the range (not merged ones)."})


class FunnelStepsOut(Schema):
    """The answer of ``report_funnel``: the range as asked and the leads' steps."""

    date_from = fields.Date(data_key="from", required=True)
    date_to = fields.Date(data_key="to", required=True)
    steps = fields.Nested(LeadFunnelSteps, required=True)


# --- the report ----------------------------------------------------------------------------

def funnel(session: Session, query: dict) -> dict:
    q = load(FunnelQuery(), query)
    start, end = _moments(q)
    lead = Lead
    created = select(func.count()).select_from(lead).where(
        lead.created_at >= start, lead.created_at < end, lead.status != MERGED)
    qualified = select(func.count()).select_from(lead).where(
        lead.qualified_at >= start, lead.qualified_at < end, lead.status != MERGED)
    steps = session.execute(select(created.scalar_subquery().label("leads"),
                                   qualified.scalar_subquery().label("qualified"))).one()
    return FunnelStepsOut().dump({"date_from": q["date_from"], "date_to": q["date_to"],
                                  "steps": {name: int(value) for name, value in steps._mapping.items()}})


def _moments(q: dict) -> tuple[datetime, datetime]:
    """The range's dates as UTC timestamps: [from 00:00, the day after to 00:00)."""
    return (datetime.combine(q["date_from"], time(), UTC),
            datetime.combine(q["date_to"] + timedelta(days=1), time(), UTC))

