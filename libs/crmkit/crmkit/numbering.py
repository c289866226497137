"""Gap-free number series (quotes, orders, invoices, credit notes).

The next number is taken by an atomic UPDATE in the caller's transaction: concurrent
callers queue on the row lock, and a rollback gives the number back, so a series has
neither gaps nor duplicates.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from .dialect import insert_ignoring_duplicates
from .platform_tables import number_series as series_table


def next_number(session: Session, series: str, period: int) -> int:
    insert_ignoring_duplicates(session, series_table, {"series": series, "period": period, "last_number": 0})
    return session.execute(
        update(series_table)
        .where(series_table.c.series == series, series_table.c.period == period)
        .values(last_number=series_table.c.last_number + 1)
        .returning(series_table.c.last_number)
    ).scalar_one()
