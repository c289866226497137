"""when a lead was qualified

leads.qualified_at: set when a lead becomes qualified (commands.qualify_lead), kept when
it is converted, disqualified or recycled; the funnel counts qualifications by it
(leads.reports). Nullable: a lead never qualified has none.

Existing leads: the only record of earlier qualifications is the outbox, where each one
wrote a `crm.lead.qualified.v1` row (subject: the lead's id; created_at: the business
clock's time in the qualifying transaction) that the relay keeps for 7 days after
publishing it (crmkit.relay.RETENTION). A lead gets the time of its latest such row; a
lead qualified before that (or never) keeps NULL. The statement is written out in SQL
with the names as they are today (a migration is frozen history: it must not read
today's code); both databases keep outbox.created_at and leads.qualified_at in the same
form (timestamptz on PostgreSQL, UTC text on SQLite), so the value is copied as it is.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

import crmkit.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE leads SET qualified_at = (
    SELECT max(outbox.created_at) FROM outbox
    WHERE outbox.type = 'crm.lead.qualified.v1' AND outbox.subject = leads.id)
WHERE leads.id IN (SELECT outbox.subject FROM outbox WHERE outbox.type = 'crm.lead.qualified.v1')
"""


def upgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qualified_at', crmkit.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_leads_qualified_at'), ['qualified_at'], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leads_qualified_at'))
        batch_op.drop_column('qualified_at')
