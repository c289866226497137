"""the funnel's cohort: an opportunity keeps its lead's creation time and source

opportunities.lead_created_at and lead_source: copied from lead.converted when deals
creates the opportunity (deals.opportunities.create_opportunity_from_lead), so that the
funnel counts a deal in the cohort of the leads created in a range, and by lead source,
without asking the leads service for ids (deals.reports.funnel). quote.accepted carries
them on to billing.

Existing opportunities: the lead's creation time and source live only in the leads
service's database (and in its outbox's lead.converted rows, in that database too), so
nothing here can backfill them. A deal converted before this migration keeps both null:
the funnel leaves it out of every cohort and says how many such deals may belong to the
one asked (``unattributed``). A deal created directly has no lead and is in no cohort.

Indexes:

- ix_opportunities_lead_cohort: the deals of a cohort (a range of lead_created_at) with
  what the funnel counts them by (source, stage), partial (only deals with a lead);
- ix_opportunities_lead_unknown: the deals converted before this migration (their lead's
  time unknown) by created_at, partial: what ``unattributed`` counts, without reading the
  table (it was a sequential scan of it: 93 ms at 200,000 opportunities);
- ix_quotes_sent: which deals had a quote sent (and when: the activity view's range),
  partial (drafts never sent are left out), so "has a sent quote" is an index look-up.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

import crmkit.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

WITH_LEAD = sa.text('lead_created_at IS NOT NULL')
LEAD_UNKNOWN = sa.text('lead_id IS NOT NULL AND lead_created_at IS NULL')
SENT = sa.text('sent_at IS NOT NULL')


def upgrade() -> None:
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_created_at', crmkit.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lead_source', sa.String(length=20), nullable=True))
    op.create_index('ix_opportunities_lead_cohort', 'opportunities', ['lead_created_at', 'lead_source', 'stage'],
                    postgresql_where=WITH_LEAD, sqlite_where=WITH_LEAD)
    op.create_index('ix_opportunities_lead_unknown', 'opportunities', ['created_at'],
                    postgresql_where=LEAD_UNKNOWN, sqlite_where=LEAD_UNKNOWN)
    op.create_index('ix_quotes_sent', 'quotes', ['opportunity_id', 'sent_at'],
                    postgresql_where=SENT, sqlite_where=SENT)


def downgrade() -> None:
    op.drop_index('ix_quotes_sent', 'quotes')
    op.drop_index('ix_opportunities_lead_unknown', 'opportunities')
    op.drop_index('ix_opportunities_lead_cohort', 'opportunities')
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_column('lead_source')
        batch_op.drop_column('lead_created_at')
