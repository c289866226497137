"""The sales funnel's common part: what each service's ``report_funnel`` is asked, the
shape of its answer, and how its counts are folded into that answer. The steps are the
services' own (each counts those it owns); the gateway puts them together.

Two views of one range (``from`` .. ``to``, UTC days, both ends included, at most
``MAX_PERIOD_MONTHS`` months touched):

- ``cohort`` (the default): what became of the leads created in the range, whenever it
  happened (before the report is asked). Each step counts the leads of the cohort that
  reached it or a later step, so every step is a part of the one before it and no
  conversion exceeds 1. A record later than the lead (opportunity, order) carries its
  lead's creation time and source, copied from the events that made it.
- ``activity``: each step counts what reached it within the range, whichever lead it
  came from (a conversion may then exceed 1: the steps count different deals).

``group_by``: ``none`` (default) or ``source``: the same steps per lead source as well
(``by_source``; ``source`` null for the deals without a known lead source).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from marshmallow import Schema, fields, validate

from .schemas import CappedPeriod

COHORT, ACTIVITY = "cohort", "activity"
VIEWS = (COHORT, ACTIVITY)
GROUPINGS = ("none", "source")


class FunnelQuery(CappedPeriod):
    view = fields.String(load_default=COHORT, validate=validate.OneOf(VIEWS), metadata={
        "description": "cohort: what became of the leads created in the range; "
                       "activity: what reached each step within the range."})
    group_by = fields.String(load_default="none", validate=validate.OneOf(GROUPINGS), metadata={
        "description": "source: the same steps per lead source too (by_source)."})


class FunnelAnswer(Schema):
    """What every service's ``report_funnel`` answers; a service adds ``steps`` (and
    ``by_source`` of the same steps) with its own step names."""

    date_from = fields.Date(data_key="from", required=True)
    date_to = fields.Date(data_key="to", required=True)
    view = fields.String(required=True, validate=validate.OneOf(VIEWS))
    group_by = fields.String(required=True, validate=validate.OneOf(GROUPINGS))


def source_rows(steps: type[Schema], unknown_source: bool = True) -> fields.List:
    """``by_source`` of a service's answer: its steps per lead source (null for records
    whose lead source is not known, if it may be); the list is null unless asked."""
    row = type(f"{steps.__name__}BySource", (Schema,), {
        "source": fields.String(required=True, allow_none=unknown_source),
        "steps": fields.Nested(steps, required=True),
    })
    return fields.List(fields.Nested(row), required=True, allow_none=True)


def moments(q: dict) -> tuple[datetime, datetime]:
    """The range's dates as UTC timestamps: [from 00:00, the day after to 00:00)."""
    return (datetime.combine(q["date_from"], time(), UTC),
            datetime.combine(q["date_to"] + timedelta(days=1), time(), UTC))


def answer(q: dict, step_names: Iterable[str], counts: Iterable, **extra) -> dict:
    """The answer from ``counts``, rows of (step, source, count): the steps in total,
    and per source (ordered by source, the unknown one last) when grouped by source."""
    names = tuple(step_names)
    per_source: dict = {}
    for step, source, count in counts:
        per_source.setdefault(source, dict.fromkeys(names, 0))[step] += int(count)
    total = {name: sum(row[name] for row in per_source.values()) for name in names}
    by_source = None
    if q["group_by"] == "source":
        by_source = [{"source": source, "steps": per_source[source]}
                     for source in sorted(per_source, key=lambda source: (source is None, source or ""))]
    return {"from": q["date_from"].isoformat(), "to": q["date_to"].isoformat(), "view": q["view"],
            "group_by": q["group_by"], "steps": total, "by_source": by_source, **extra}
