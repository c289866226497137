"""the funnel's cohort: an order keeps its deal's lead (creation time and source)

orders.from_lead, lead_created_at and lead_source: copied from quote.accepted's "lead"
(deals copies it from lead.converted), so that the funnel counts an order in the cohort
of the leads created in a range, and by lead source, without asking other services for
ids (billing.reports.funnel).

Existing orders: billing's database holds nothing of the lead (nor does the deals
service's: its opportunities only keep it from deals migration 0009 on), so nothing
here can backfill it. Orders made before this migration keep from_lead null (unknown):
the funnel leaves them out of every cohort and says how many may belong to the one
asked (``unattributed``).

Index ix_orders_lead_cohort: the orders of a cohort (a range of lead_created_at) with
their source, partial (only orders whose lead is known); their invoices are looked up by
ix_invoices_order_id.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

import crmkit.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

WITH_LEAD = sa.text('lead_created_at IS NOT NULL')


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_lead', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('lead_created_at', crmkit.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lead_source', sa.String(length=20), nullable=True))
    op.create_index('ix_orders_lead_cohort', 'orders', ['lead_created_at', 'lead_source'],
                    postgresql_where=WITH_LEAD, sqlite_where=WITH_LEAD)


def downgrade() -> None:
    op.drop_index('ix_orders_lead_cohort', 'orders')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('lead_source')
        batch_op.drop_column('lead_created_at')
        batch_op.drop_column('from_lead')
