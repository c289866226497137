"""The leads service's figures for reports: its steps of the sales funnel.

``funnel``: the first two steps of the funnel (leads -> qualified -> opportunities ->
quotes sent -> won -> invoiced -> paid; the gateway adds the deals' and billing's steps)
as ``crmkit.funnel`` defines the query (``from``, ``to``, ``view``, ``group_by``; a bad or
unknown field raises ValidationFailed naming it) and the views:

- ``view=cohort`` (default), the leads created (``created_at``) in the range:
  ``leads`` all of them; ``qualified`` those that were ever qualified (``qualified_at``)
  or converted (a lead converts only from qualified, so this holds too for leads
  converted before migration 0013 gave them a ``qualified_at``), whenever that was.
- ``view=activity``, each step inside the range whenever the lead began: ``leads``
  created in the range; ``qualified`` that became qualified (``qualified_at``) in the
  range, whatever became of them since (converted, disqualified, recycled). A lead
  qualified again after a recycle counts on its latest qualification.

Leads qualified before migration 0013 have a ``qualified_at`` only where the outbox
still held their ``lead.qualified`` event; the others count as qualified only when they
were converted. Merged leads (status ``merged``: duplicates, which live on in the lead
they were merged into) count in no step, so one interest is one lead; a converted lead
cannot be merged.

``group_by=source`` gives the same steps per ``source`` (``by_source``). The answer
(``FunnelStepsOut``): ``{"from", "to", "view", "group_by", "steps": {"leads",
"qualified"}, "by_source"}``, plain integers, counted in one query (COUNT grouped by
source; no lead is loaded). The business clock plays no part, so the same range always
gives the same figures for the same data. Indexes: ``ix_leads_funnel_cohort`` (migration
0016: created_at, covering on PostgreSQL) and ``ix_leads_qualified_at``.
"""
from __future__ import annotations

from marshmallow import Schema, fields
from sqlalchemy import func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from crmkit import funnel as common
from crmkit.schemas import load

from .domain import CONVERTED, MERGED
from .models import Lead

STEPS = ("leads", "qualified")

# --- queries -------------------------------------------------------------------------------

class FunnelQuery(common.FunnelQuery):
    pass


# --- answers -------------------------------------------------------------------------------

class LeadFunnelSteps(Schema):
    leads = fields.Integer(required=True, metadata={"description": "Leads created in the range (not merged ones)."})
    qualified = fields.Integer(required=True, metadata={
        "description": "cohort: of those leads, the ones ever qualified or converted; "
                       "activity: leads that became qualified in the range (not merged ones)."})


class FunnelStepsOut(common.FunnelAnswer):
    """The answer of ``report_funnel``: the range and view as asked and the leads' steps."""

    steps = fields.Nested(LeadFunnelSteps, required=True)
    by_source = common.source_rows(LeadFunnelSteps, unknown_source=False)  # every lead has one


# --- the report ----------------------------------------------------------------------------

def funnel(session: Session, query: dict) -> dict:
    q = load(FunnelQuery, query)
    start, end = common.moments(q)
    lead = Lead
    created = (lead.created_at >= start, lead.created_at < end, lead.status != MERGED)
    if q["view"] == common.COHORT:
        reached = [created, (*created, or_(lead.qualified_at.is_not(None), lead.status == CONVERTED))]
    else:
        reached = [created, (lead.qualified_at >= start, lead.qualified_at < end, lead.status != MERGED)]
    counts = union_all(*(select(literal(step).label("step"), lead.source, func.count()).where(*conditions)
                         .group_by(lead.source) for step, conditions in zip(STEPS, reached, strict=True)))
    return common.answer(q, STEPS, session.execute(counts))
