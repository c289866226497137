"""The billing service's nameko entrypoints: a thin shell over the use cases."""

from crmkit import history
from crmkit.entrypoints import Call, event_handler, every, rpc
from crmkit.health import Health
from crmkit.unit_of_work import Database

from . import credit_notes, events, invoices, orders, reports
from .models import CreditNote, Invoice, Order
from .settings import settings

# How many invoices one pass of the overdue timer handles.
OVERDUE_BATCH = 500


class BillingService(Health):
    name = "billing"

    db = Database(events.CATALOGUE)
    call = Call()

    @event_handler("crm.quote.accepted.v1")
    def on_quote_accepted(self, event):
        orders.create_order_from_quote(self.db, {**event.data["record"], "lead": event.data["lead"]})

    # Orders
    @rpc
    def get_order(self, order_id):
        return orders.get_order(self.db, order_id)

    @rpc
    def list_orders(self, query):
        return orders.list_orders(self.db, query)

    @rpc
    def update_order(self, order_id, data, expected_version=None):
        return orders.update_order(self.db, order_id, data, expected_version)

    @rpc
    def start_order_fulfilment(self, order_id, expected_version=None):
        return orders.start_fulfilment(self.db, order_id, expected_version)

    @rpc
    def fulfil_order(self, order_id, expected_version=None):
        return orders.fulfil(self.db, order_id, expected_version)

    @rpc
    def cancel_order(self, order_id, data, expected_version=None):
        return orders.cancel(self.db, order_id, data, expected_version)

    # Invoices and payments
    @rpc
    def get_invoice(self, invoice_id):
        return invoices.get_invoice(self.db, invoice_id)

    @rpc
    def list_invoices(self, query):
        return invoices.list_invoices(self.db, query)

    @rpc
    def update_invoice(self, invoice_id, data, expected_version=None):
        return invoices.update_draft(self.db, invoice_id, data, expected_version)

    @rpc
    def issue_invoice(self, invoice_id, expected_version=None):
        return invoices.issue_invoice(self.db, invoice_id, expected_version)

    @rpc
    def record_payment(self, invoice_id, data, expected_version=None):
        return invoices.record_payment(self.db, invoice_id, data, expected_version)

    @every(interval=lambda: settings().overdue_every_seconds)
    def mark_overdue_invoices(self):
        invoices.mark_overdue(self.db, settings().dunning_days, OVERDUE_BATCH)

    # Credit notes
    @rpc
    def create_credit_note(self, invoice_id, data, expected_version=None):
        return credit_notes.create_credit_note(self.db, invoice_id, data, expected_version)

    @rpc
    def get_credit_note(self, credit_note_id):
        return credit_notes.get_credit_note(self.db, credit_note_id)

    @rpc
    def list_credit_notes(self, query):
        return credit_notes.list_credit_notes(self.db, query)

    # Reports
    @rpc
    def report_receivables(self, query):
        return reports.receivables(self.db.session, query)

    @rpc
    def report_billed_collected(self, query):
        return reports.billed_collected(self.db.session, query)

    @rpc
    def report_dso(self, query):
        return reports.dso(self.db.session, query)

    @rpc
    def report_funnel(self, query):
        return reports.funnel(self.db.session, query)

    # Who changed what (crmkit.history): a page of a record's changes, newest first by default
    @rpc
    def order_history(self, order_id, query):
        return history.read(self.db, Order, order_id, query)

    @rpc
    def invoice_history(self, invoice_id, query):
        return history.read(self.db, Invoice, invoice_id, query)

    @rpc
    def credit_note_history(self, credit_note_id, query):
        return history.read(self.db, CreditNote, credit_note_id, query)
