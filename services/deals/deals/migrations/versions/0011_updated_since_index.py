"""an index per record list for updated_since and sort=updated_at

A subscriber resyncs from the API by asking a list for what changed since a time
(``updated_since``, crmkit.listing.paginate), oldest change first (``sort=updated_at``):
one index keyed like the pages (updated_at, then id) per list (opportunities, quotes, products), so the
page starts at the time asked for instead of scanning and sorting the whole table.

Nothing to backfill: every column it holds is there already.

Revision ID: 0011
Revises: 0010
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ('opportunities', 'quotes', 'products')


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f'ix_{table}_updated_at', table, ['updated_at', 'id'])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f'ix_{table}_updated_at', table)
