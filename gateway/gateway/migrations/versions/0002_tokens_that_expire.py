"""tokens that expire

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:06:41.919791
"""
import sqlalchemy as sa
from alembic import op

import crmkit.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', crmkit.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
