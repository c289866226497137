"""The deals service's nameko entrypoints: a thin shell over ``commands``."""
from crmkit.context import Call
from crmkit.entrypoints import event_handler, rpc
from crmkit.health import Health
from crmkit.unit_of_work import Database

from . import commands


class DealsService(Health):
    name = "deals"

    db = Database()
    call = Call()

    @event_handler("crm.lead.converted.v1")
    def on_lead_converted(self, event):
        commands.create_opportunity_from_lead(self.db, event.data)

    @rpc
    def get_opportunity(self, opportunity_id):
        return commands.get_opportunity(self.db, opportunity_id)

    @rpc
    def create_quote(self, data):
        return commands.create_quote(self.db, data)

    @rpc
    def get_quote(self, quote_id):
        return commands.get_quote(self.db, quote_id)

    @rpc
    def send_quote(self, quote_id):
        return commands.send_quote(self.db, quote_id)

    @rpc
    def accept_quote(self, quote_id):
        return commands.accept_quote(self.db, quote_id)
