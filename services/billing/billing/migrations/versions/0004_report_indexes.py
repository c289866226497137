"""indexes for the billing reports (billing.reports)

- the open invoices (status issued, partially_paid, overdue; a partial index) keyed by
  due date: receivables aging today, and DSO ending today;
- the invoices, the credit notes and the payments keyed by their date (issue_date,
  issue_date, payment_date): billed and collected by month, DSO's billed, and the
  balances reconstructed for a past date.

On PostgreSQL each INCLUDEs every column those queries filter, group or add up, so a
report is an index-only scan of a narrow index instead of a scan of the wide rows
(JSON tax breakdown and addresses). SQLite gets the same keys and conditions without
INCLUDE (it has none). The reports spell the open condition exactly as written here
(literal statuses) so that both databases can match it.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('issued', 'partially_paid', 'overdue')")


def upgrade() -> None:
    op.create_index('ix_invoices_open_by_due_date', 'invoices', ['due_date'],
                    postgresql_where=OPEN, sqlite_where=OPEN,
                    postgresql_include=['issue_date', 'currency', 'balance_due', 'organization_id',
                                        'organization_name'])
    op.create_index('ix_invoices_issue_date', 'invoices', ['issue_date'],
                    postgresql_include=['status', 'currency', 'grand_total', 'due_date', 'organization_id',
                                        'organization_name', 'id'])
    op.create_index('ix_payments_payment_date', 'payments', ['payment_date'],
                    postgresql_include=['currency', 'amount', 'invoice_id'])
    op.create_index('ix_credit_notes_issue_date', 'credit_notes', ['issue_date'],
                    postgresql_include=['currency', 'grand_total', 'invoice_id', 'organization_id'])


def downgrade() -> None:
    op.drop_index('ix_credit_notes_issue_date', 'credit_notes')
    op.drop_index('ix_payments_payment_date', 'payments')
    op.drop_index('ix_invoices_issue_date', 'invoices')
    op.drop_index('ix_invoices_open_by_due_date', 'invoices')
