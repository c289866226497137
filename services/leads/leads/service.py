"""The leads service's nameko entrypoints: a thin shell over the use cases."""
from crmkit import history
from crmkit.entrypoints import Call, event_handler, every, rpc
from crmkit.health import Health
from crmkit.settings import seconds
from crmkit.unit_of_work import Database

from . import assignment, commands, customers, events, imports, reports, scoring
from .models import Contact, Lead, Organization

# After a change of the scoring rules, leads are rescored this many at a time (every
# LEADS_RESCORE_EVERY_SECONDS, 2, read when the service starts).
RESCORE_BATCH = 500


class LeadsService(Health):
    name = "leads"

    db = Database(events.CATALOGUE)
    call = Call()

    @event_handler("crm.opportunity.created.v1")
    def on_opportunity_created(self, event):
        opportunity = event.data["record"]
        commands.record_opportunity_outcome(self.db, opportunity.get("lead_id"), opportunity["id"], None)

    @event_handler("crm.opportunity.creation_failed.v1")
    def on_opportunity_creation_failed(self, event):
        commands.record_opportunity_outcome(self.db, event.data.get("lead_id"), event.data.get("opportunity_id"),
                                            event.data.get("reasons") or {"_": ["refused"]})

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
    def update_lead(self, lead_id, data, expected_version=None):
        return commands.update_lead(self.db, lead_id, data, expected_version)

    @rpc
    def merge_leads(self, lead_id, data, expected_version=None):
        return commands.merge_leads(self.db, lead_id, data, expected_version)

    @rpc
    def contact_lead(self, lead_id, expected_version=None):
        return commands.contact_lead(self.db, lead_id, expected_version)

    @rpc
    def qualify_lead(self, lead_id, expected_version=None):
        return commands.qualify_lead(self.db, lead_id, expected_version)

    @rpc
    def disqualify_lead(self, lead_id, data, expected_version=None):
        return commands.disqualify_lead(self.db, lead_id, data, expected_version)

    @rpc
    def recycle_lead(self, lead_id, expected_version=None):
        return commands.recycle_lead(self.db, lead_id, expected_version)

    @rpc
    def convert_lead(self, lead_id, options=None, expected_version=None):
        return commands.convert_lead(self.db, lead_id, options, expected_version)

    @rpc
    def assign_lead(self, lead_id, data, expected_version=None):
        return assignment.reassign(self.db, lead_id, data, expected_version)

    @rpc
    def lead_assignments(self, lead_id):
        return assignment.history(self.db, lead_id)

    @rpc
    def create_assignment_rule(self, data):
        return assignment.create_rule(self.db, data)

    @rpc
    def update_assignment_rule(self, rule_id, data, expected_version=None):
        return assignment.update_rule(self.db, rule_id, data, expected_version)

    @rpc
    def list_assignment_rules(self):
        return assignment.list_rules(self.db)

    @rpc
    def set_team_members(self, team, data):
        return assignment.set_members(self.db, team, data)

    @rpc
    def get_team(self, team):
        return assignment.get_team(self.db, team)

    @rpc
    def import_leads(self, header, rows, first_row, policy="skip"):
        return imports.import_chunk(self.db, header, rows, first_row, policy)

    @rpc
    def export_leads_page(self, query):
        return imports.export_page(self.db, query)

    @rpc
    def get_scoring_model(self):
        return scoring.get_model(self.db)

    @rpc
    def set_scoring_model(self, data):
        return scoring.set_model(self.db, data)

    @every(interval=lambda: seconds("LEADS_RESCORE_EVERY_SECONDS", 2))
    def rescore_stale_leads(self):
        scoring.rescore_stale(self.db, RESCORE_BATCH)

    @rpc
    def create_organization(self, data):
        return customers.create_organization(self.db, data)

    @rpc
    def get_organization(self, organization_id):
        return customers.get_organization(self.db, organization_id)

    @rpc
    def update_organization(self, organization_id, data, expected_version=None):
        return customers.update_organization(self.db, organization_id, data, expected_version)

    @rpc
    def archive_organization(self, organization_id, expected_version=None):
        return customers.archive_organization(self.db, organization_id, expected_version)

    @rpc
    def list_organizations(self, query):
        return customers.list_organizations(self.db, query)

    @rpc
    def organization_contacts(self, organization_id, query):
        return customers.organization_contacts(self.db, organization_id, query)

    @rpc
    def organization_leads(self, organization_id, query):
        return commands.organization_leads(self.db, organization_id, query)

    @rpc
    def create_contact(self, data):
        return customers.create_contact(self.db, data)

    @rpc
    def get_contact(self, contact_id):
        return customers.get_contact(self.db, contact_id)

    @rpc
    def update_contact(self, contact_id, data, expected_version=None):
        return customers.update_contact(self.db, contact_id, data, expected_version)

    @rpc
    def archive_contact(self, contact_id, expected_version=None):
        return customers.archive_contact(self.db, contact_id, expected_version)

    @rpc
    def list_contacts(self, query):
        return customers.list_contacts(self.db, query)

    # Reports
    @rpc
    def report_funnel(self, query):
        return reports.funnel(self.db.session, query)

    # Who changed what (crmkit.history): a page of a record's changes, newest first by default
    @rpc
    def lead_history(self, lead_id, query):
        return history.read(self.db, Lead, lead_id, query)

    @rpc
    def organization_history(self, organization_id, query):
        return history.read(self.db, Organization, organization_id, query)

    @rpc
    def contact_history(self, contact_id, query):
        return history.read(self.db, Contact, contact_id, query)
