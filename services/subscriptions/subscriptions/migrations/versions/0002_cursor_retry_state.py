"""cursors: the retried event's position and attempts, so a restart goes on with the schedule

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 00:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cursors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retry_position', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('retry_attempts', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('cursors', schema=None) as batch_op:
        batch_op.drop_column('retry_attempts')
        batch_op.drop_column('retry_position')
