"""a stage change keeps its lost reason and note

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lost_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
    # A deal closed now still has its reason and note: they belong to its last move.
    # (Those of deals already reopened were cleared before this revision.)
    op.execute("""
        UPDATE stage_changes SET
            lost_reason = (SELECT o.lost_reason FROM opportunities o WHERE o.id = stage_changes.opportunity_id),
            note = (SELECT o.closing_note FROM opportunities o WHERE o.id = stage_changes.opportunity_id)
        WHERE id IN (SELECT MAX(s.id) FROM stage_changes s GROUP BY s.opportunity_id)
          AND to_stage IN ('closed_won', 'closed_lost')
    """)


def downgrade() -> None:
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('lost_reason')
