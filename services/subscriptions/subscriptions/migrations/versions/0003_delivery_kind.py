"""a subscription's delivery kind (webhook or stream); a stream subscription has no url

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        # Every subscription made before this was a webhook.
        batch_op.add_column(sa.Column('delivery', sa.String(length=20), server_default='webhook', nullable=False))
        batch_op.alter_column('url', existing_type=sa.String(length=2000), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM subscriptions WHERE delivery <> 'webhook'")
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.alter_column('url', existing_type=sa.String(length=2000), nullable=False)
        batch_op.drop_column('delivery')
