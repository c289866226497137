"""an index for the funnel's cohort (leads.reports.funnel, view=cohort)

The cohort is the leads created in a range, counted by source and by whether each was
ever qualified or converted: one index keyed by created_at that also holds source,
status and qualified_at, so the count reads a range of a narrow index (index-only where
VACUUM has marked the pages all-visible) instead of the wide lead rows. A plain
composite index, so it covers on SQLite too (which has no INCLUDE).

Nothing to backfill: every column it holds is there already.

Revision ID: 0016
Revises: 0014
"""
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_leads_funnel_cohort', 'leads', ['created_at', 'source', 'status', 'qualified_at'])


def downgrade() -> None:
    op.drop_index('ix_leads_funnel_cohort', 'leads')
