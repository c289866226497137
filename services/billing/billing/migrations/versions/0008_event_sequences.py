"""event sequences

event_sequences (crmkit.outbox): per subject, the last ``sequence`` its events were
given, advanced in the transaction of their outbox rows, so that a subscriber sees each
record's events numbered 1, 2, 3 ... without gaps. Events used to carry the record's
version instead; each record's counter starts at its current version, so the numbers a
consumer has seen stay below the ones it sees next (deals keeps the last one it saw of
each customer record to skip older news).

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

RECORD_TABLES = ('orders', 'invoices', 'credit_notes')


def upgrade() -> None:
    op.create_table('event_sequences',
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('last_sequence', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('subject', name=op.f('pk_event_sequences'))
    )
    for table in RECORD_TABLES:
        op.execute(f"INSERT INTO event_sequences (subject, last_sequence) SELECT id, version FROM {table}")


def downgrade() -> None:
    op.drop_table('event_sequences')
