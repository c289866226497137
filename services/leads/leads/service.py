"""The leads service's nameko entrypoints: a thin shell over ``commands``."""
from crmkit.context import Call
from crmkit.entrypoints import rpc
from crmkit.health import Health
from crmkit.unit_of_work import Database

from . import commands


class LeadsService(Health):
    name = "leads"

    db = Database()
    call = Call()

    @rpc
    def create_lead(self, data):
        return commands.create_lead(self.db, data)

    @rpc
    def get_lead(self, lead_id):
        return commands.get_lead(self.db, lead_id)

    @rpc
    def list_leads(self, query):
        return commands.list_leads(self.db, query)

    @rpc
    def update_lead(self, lead_id, data):
        return commands.update_lead(self.db, lead_id, data)

    @rpc
    def contact_lead(self, lead_id):
        return commands.contact_lead(self.db, lead_id)

    @rpc
    def qualify_lead(self, lead_id):
        return commands.qualify_lead(self.db, lead_id)

    @rpc
    def disqualify_lead(self, lead_id, data):
        return commands.disqualify_lead(self.db, lead_id, data)

    @rpc
    def recycle_lead(self, lead_id):
        return commands.recycle_lead(self.db, lead_id)

    @rpc
    def convert_lead(self, lead_id, options=None):
        return commands.convert_lead(self.db, lead_id, options)

    @rpc
    def get_organization(self, organization_id):
        return commands.get_organization(self.db, organization_id)

    @rpc
    def get_contact(self, contact_id):
        return commands.get_contact(self.db, contact_id)
