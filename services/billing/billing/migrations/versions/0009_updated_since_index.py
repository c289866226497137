"""an index per record list for updated_since and sort=updated_at

A subscriber resyncs from the API by asking a list for what changed since a time
(``updated_since``, crmkit.listing.paginate), oldest change first (``sort=updated_at``):
one index keyed like the pages (updated_at, then id) per list (orders, invoices, credit_notes), so the
page starts at the time asked for instead of scanning and sorting the whole table.

Nothing to backfill: every column it holds is there already.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = ('orders', 'invoices', 'credit_notes')


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f'ix_{table}_updated_at', table, ['updated_at', 'id'])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f'ix_{table}_updated_at', table)
