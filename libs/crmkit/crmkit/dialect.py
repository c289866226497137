"""The few statements whose spelling differs between PostgreSQL and SQLite."""
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(session: Session, table: Table, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    result = session.execute(module.insert(table).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1
