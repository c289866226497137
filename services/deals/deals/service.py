"""The deals service's nameko entrypoints: a thin shell over the use cases."""
import eventlet.tpool

from crmkit import history
from crmkit.entrypoints import Call, event_handler, every, rpc
from crmkit.health import Health
from crmkit.settings import seconds
from crmkit.unit_of_work import Database

from . import customers, events, opportunities, pipelines, products, quotes, reports
from .models import Opportunity, Pipeline, Product, Quote

# How many sent quotes past their validity one pass of the expiry timer expires (how
# often it runs: DEALS_EXPIRE_EVERY_SECONDS, 60, read when the service starts).
EXPIRE_BATCH = 200


class DealsService(Health):
    name = "deals"

    db = Database(events.CATALOGUE)
    call = Call()

    @event_handler("crm.lead.converted.v1", "crm.lead.conversion_retried.v1")
    def on_lead_converted(self, event):
        opportunities.create_opportunity_from_lead(self.db, event.data)

    @event_handler("crm.organization.created.v1", "crm.organization.updated.v1", "crm.organization.archived.v1")
    def on_organization_changed(self, event):
        customers.record_organization(self.db, event)

    @event_handler("crm.contact.created.v1", "crm.contact.updated.v1", "crm.contact.archived.v1")
    def on_contact_changed(self, event):
        customers.record_contact(self.db, event)

    # Pipelines
    @rpc
    def create_pipeline(self, data):
        return pipelines.create_pipeline(self.db, data)

    @rpc
    def update_pipeline(self, pipeline_id, data, expected_version=None):
        return pipelines.update_pipeline(self.db, pipeline_id, data, expected_version)

    @rpc
    def get_pipeline(self, pipeline_id):
        return pipelines.get_pipeline(self.db, pipeline_id)

    @rpc
    def list_pipelines(self):
        return pipelines.list_pipelines(self.db)

    # Opportunities
    @rpc
    def create_opportunity(self, data):
        return opportunities.create_opportunity(self.db, data)

    @rpc
    def get_opportunity(self, opportunity_id):
        return opportunities.get_opportunity(self.db, opportunity_id)

    @rpc
    def list_opportunities(self, query):
        return opportunities.list_opportunities(self.db, query)

    @rpc
    def update_opportunity(self, opportunity_id, data, expected_version=None):
        return opportunities.update_opportunity(self.db, opportunity_id, data, expected_version)

    @rpc
    def move_opportunity(self, opportunity_id, data, expected_version=None):
        return opportunities.move_stage(self.db, opportunity_id, data, expected_version)

    @rpc
    def win_opportunity(self, opportunity_id, data, expected_version=None):
        return opportunities.win(self.db, opportunity_id, data, expected_version)

    @rpc
    def lose_opportunity(self, opportunity_id, data, expected_version=None):
        return opportunities.lose(self.db, opportunity_id, data, expected_version)

    @rpc
    def reopen_opportunity(self, opportunity_id, data, expected_version=None):
        return opportunities.reopen(self.db, opportunity_id, data, expected_version)

    # Price book
    @rpc
    def create_product(self, data):
        return products.create_product(self.db, data)

    @rpc
    def update_product(self, product_id, data, expected_version=None):
        return products.update_product(self.db, product_id, data, expected_version)

    @rpc
    def get_product(self, product_id):
        return products.get_product(self.db, product_id)

    @rpc
    def list_products(self, query):
        return products.list_products(self.db, query)

    # Quotes
    @rpc
    def create_quote(self, data):
        return quotes.create_quote(self.db, data)

    @rpc
    def update_quote(self, quote_id, data, expected_version=None):
        return quotes.update_quote(self.db, quote_id, data, expected_version)

    @rpc
    def get_quote(self, quote_id):
        return quotes.get_quote(self.db, quote_id)

    @rpc
    def list_quotes(self, query):
        return quotes.list_quotes(self.db, query)

    @rpc
    def quote_pdf(self, quote_id):
        # In a real thread, not on the eventlet hub every other worker waits on.
        return quotes.quote_pdf(self.db, quote_id, render=eventlet.tpool.execute)

    @rpc
    def send_quote(self, quote_id, data=None, expected_version=None):
        return quotes.send_quote(self.db, quote_id, data, expected_version)

    @rpc
    def accept_quote(self, quote_id, expected_version=None):
        return quotes.accept_quote(self.db, quote_id, expected_version)

    @rpc
    def reject_quote(self, quote_id, data, expected_version=None):
        return quotes.reject_quote(self.db, quote_id, data, expected_version)

    @every(interval=lambda: seconds("DEALS_EXPIRE_EVERY_SECONDS", 60))
    def expire_quotes(self):
        quotes.expire_due(self.db, EXPIRE_BATCH)

    # Reports
    @rpc
    def report_pipeline(self, query):
        return reports.pipeline(self.db.session, query)

    @rpc
    def report_forecast(self, query):
        return reports.forecast(self.db.session, query)

    @rpc
    def report_win_rate(self, query):
        return reports.win_rate(self.db.session, query)

    @rpc
    def report_funnel(self, query):
        return reports.funnel(self.db.session, query)

    # Who changed what (crmkit.history): a page of a record's changes, newest first by default
    @rpc
    def pipeline_history(self, pipeline_id, query):
        return history.read(self.db, Pipeline, pipeline_id, query)

    @rpc
    def opportunity_history(self, opportunity_id, query):
        return history.read(self.db, Opportunity, opportunity_id, query)

    @rpc
    def product_history(self, product_id, query):
        return history.read(self.db, Product, product_id, query)

    @rpc
    def quote_history(self, quote_id, query):
        return history.read(self.db, Quote, quote_id, query)
