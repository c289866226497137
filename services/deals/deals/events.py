"""Every event type the deals service publishes: the published contract (crmkit.catalogue).

The gateway's documents (``python -m gateway.eventdocs``: a JSON Schema per type, the
AsyncAPI document, GET /event-types) are generated from this list and these schemas.
"""
from marshmallow import fields

from crmkit.catalogue import Catalogue, changed, created, other

from .schemas import CreationFailedOut, OpportunityOut, PipelineOut, ProductOut, QuoteLeadOut, QuoteOut

CATALOGUE = Catalogue(
    "deals",
    created("pipeline.created", PipelineOut, "A sales pipeline was created."),
    changed("pipeline.updated", PipelineOut, "A pipeline changed (its name, stages, or whether it is the default)."),
    created("opportunity.created", OpportunityOut, "An opportunity (a deal) was created: by a person, or from a "
                                                   "converted lead (record.lead_id)."),
    changed("opportunity.updated", OpportunityOut, "An opportunity's fields changed."),
    changed("opportunity.stage_changed", OpportunityOut, "An opportunity moved to another stage (record.history "
                                                         "ends with the move)."),
    changed("opportunity.won", OpportunityOut, "An opportunity was won (it follows its stage_changed)."),
    changed("opportunity.lost", OpportunityOut, "An opportunity was lost (it follows its stage_changed)."),
    changed("opportunity.reopened", OpportunityOut, "A closed opportunity was reopened (it follows its "
                                                    "stage_changed)."),
    other("opportunity.creation_failed", CreationFailedOut, "The opportunity a converted lead asked for could "
                                                            "not be created; the lead shows why."),
    created("product.created", ProductOut, "A product was added to the price book."),
    changed("product.updated", ProductOut, "A product of the price book changed."),
    created("quote.created", QuoteOut, "A quote was created (a draft)."),
    changed("quote.updated", QuoteOut, "A draft quote changed (its lines, terms or customer)."),
    created("quote.revised", QuoteOut, "A sent quote was revised: this is the new draft revision.",
            supersedes=fields.Nested(QuoteOut, required=True, metadata={
                "description": "The revision it supersedes, now superseded."})),
    changed("quote.sent", QuoteOut, "A quote was sent to the customer; it is valid until record.valid_until."),
    changed("quote.accepted", QuoteOut, "A quote was accepted: its opportunity is won and billing makes the order "
                                        "(record.order_id).",
            opportunity_name=fields.String(required=True, metadata={"description": "The deal's name."}),
            lead=fields.Nested(QuoteLeadOut, required=True, allow_none=True, metadata={
                "description": "The lead the deal came from; null for a deal created directly."})),
    changed("quote.rejected", QuoteOut, "A quote was rejected by the customer, with a reason."),
    changed("quote.expired", QuoteOut, "A sent quote passed its last valid day unanswered."),
)
