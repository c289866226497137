"""indexes for the sales reports (deals.reports)

Two partial indexes, one per kind of deal the reports read:

- the open deals (pipeline by stage; forecast of open deals by expected close month),
  keyed by expected_close_date for the forecast's and the pipeline's date ranges;
- the closed deals (win rate; won deals in the forecast), keyed by stage (won or
  lost) and closed_at, so that either outcome in a date range is one index range.

On PostgreSQL each INCLUDEs every column those queries filter, group or add up, so a
report is an index-only scan of a fraction of the table instead of a scan of every
(wide) row: at 200,000 opportunities see bench/README.md. SQLite gets the same keys
and conditions without INCLUDE (it has none). The reports spell the open condition
exactly as written here (literal stage names) so that both databases can match it.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OPEN = sa.text("stage NOT IN ('closed_won', 'closed_lost')")
CLOSED = sa.text('closed_at IS NOT NULL')


def upgrade() -> None:
    op.create_index('ix_opportunities_open_by_close_date', 'opportunities', ['expected_close_date'],
                    postgresql_where=OPEN, sqlite_where=OPEN,
                    postgresql_include=['pipeline_id', 'stage', 'forecast_category', 'owner_id', 'team',
                                        'currency', 'amount', 'probability'])
    op.create_index('ix_opportunities_closed_by_stage', 'opportunities', ['stage', 'closed_at'],
                    postgresql_where=CLOSED, sqlite_where=CLOSED,
                    postgresql_include=['pipeline_id', 'owner_id', 'team', 'currency', 'amount', 'probability',
                                        'created_at'])


def downgrade() -> None:
    op.drop_index('ix_opportunities_closed_by_stage', 'opportunities')
    op.drop_index('ix_opportunities_open_by_close_date', 'opportunities')
