"""The billing service's nameko entrypoints: a thin shell over ``commands``."""
from crmkit.context import Call
from crmkit.entrypoints import event_handler, rpc
from crmkit.health import Health
from crmkit.unit_of_work import Database

from . import commands


class BillingService(Health):
    name = "billing"

    db = Database()
    call = Call()

    @event_handler("crm.quote.accepted.v1")
    def on_quote_accepted(self, event):
        commands.create_order_from_quote(self.db, event.data)

    @rpc
    def get_order(self, order_id):
        return commands.get_order(self.db, order_id)

    @rpc
    def get_invoice(self, invoice_id):
        return commands.get_invoice(self.db, invoice_id)

    @rpc
    def record_payment(self, invoice_id, data):
        return commands.record_payment(self.db, invoice_id, data)
