"""record history

record_changes (crmkit.history): one row per version of every record, who made it, when,
why, and each changed field before and after, written in the change's transaction and
kept as long as the record. History starts with this migration: records that exist
already have none until they next change.

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


def upgrade() -> None:
    op.create_table('record_changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('record_type', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=True),
    sa.Column('at', crmkit.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('correlation_id', sa.String(length=200), nullable=True),
    sa.Column('cause_kind', sa.String(length=10), nullable=True),
    sa.Column('cause', sa.String(length=200), nullable=True),
    sa.Column('causation_id', sa.String(length=200), nullable=True),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_changes'))
    )
    with op.batch_alter_table('record_changes', schema=None) as batch_op:
        batch_op.create_index('ix_record_changes_record', ['record_type', 'record_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('record_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_record_changes_record')

    op.drop_table('record_changes')
