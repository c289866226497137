"""the idempotency key that made a token

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:45:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('request_fingerprint', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_api_tokens_idempotency_key'), ['idempotency_key'])


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_api_tokens_idempotency_key'), type_='unique')
        batch_op.drop_column('request_fingerprint')
        batch_op.drop_column('idempotency_key')
