"""trigram indexes for the lead lists' free-text search (PostgreSQL)

A search for text inside names, emails and companies (`q=`, an ILIKE '%...%') cannot use
a b-tree: at 1,000,000 leads it read the whole table (about 1 s). GIN trigram indexes
answer it in milliseconds (bench/README.md). pg_trgm is a trusted extension (PostgreSQL
13+), so a database owner may create it. SQLite has no such index and keeps scanning.
These indexes are not in models.py (they are PostgreSQL-only); autogenerate against
PostgreSQL will offer to drop them: keep them.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

SEARCHED = ("first_name", "last_name", "email", "company")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_leads_{column}_trgm ON leads USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in SEARCHED:
        op.execute(f"DROP INDEX IF EXISTS ix_leads_{column}_trgm")
