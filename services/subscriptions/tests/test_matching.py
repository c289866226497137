"""Which events go to a subscription: its types, its owner's role, its filters (each
reading one field of data.record, as schemas.SubscriptionIn documents)."""
from decimal import Decimal

import pytest

from crmkit.envelope import Envelope
from subscriptions.dispatcher import matches
from subscriptions.models import Subscription


def an_event(name: str, **record) -> Envelope:
    return Envelope.new(source="urn:crm:test:deals", type=f"crm.{name}.v1", subject="S1",
                        data={"record": {"id": "S1", **record}})


def a_subscription(**fields) -> Subscription:
    return Subscription(**{"types": ["#"], "owner_role": "integration", "team": None, "organization_id": None,
                           "min_amount": None, **fields})


@pytest.mark.parametrize(("types", "name", "expected"), [
    (["quote.*"], "quote.sent", True), (["quote.*"], "invoice.paid", False),
    (["crm.invoice.#"], "invoice.payment_recorded", True), (["#"], "lead.created", True),
    (["invoice.paid"], "invoice.paid", True), (["invoice.paid"], "invoice.issued", False),
])
def test_types_are_patterns_on_the_name_or_the_full_type(types, name, expected):
    assert matches(a_subscription(types=types), an_event(name)) is expected


def test_filters_read_the_record_and_an_event_without_the_field_does_not_match():
    north = a_subscription(team="north")
    assert matches(north, an_event("opportunity.won", team="north"))
    assert not matches(north, an_event("opportunity.won", team="south"))
    assert not matches(north, an_event("invoice.paid"))  # an invoice has no team
    org = a_subscription(organization_id="O1")
    assert matches(org, an_event("invoice.paid", organization_id="O1"))
    assert not matches(org, an_event("invoice.paid", organization_id="O2"))


@pytest.mark.parametrize(("record", "expected"), [
    ({"amount": "1000.00"}, True), ({"amount": "999.99"}, False),
    ({"grand_total": "1500"}, True), ({"budget_amount": "2000"}, True),
    ({"amount": None, "grand_total": "1200"}, True),  # the first field that is there
    ({}, False), ({"amount": "not a number"}, False),
])
def test_min_amount_reads_amount_then_grand_total_then_budget_amount(record, expected):
    assert matches(a_subscription(min_amount=Decimal("1000")), an_event("quote.sent", **record)) is expected


def test_a_subscription_sees_only_what_its_owners_role_may_read():
    assert matches(a_subscription(owner_role="admin"), an_event("lead.created"))
    assert matches(a_subscription(owner_role="integration"), an_event("lead.created"))
    # No other role may subscribe today; one that could would see nothing until its rule is written.
    assert not matches(a_subscription(owner_role="sales_rep"), an_event("lead.created"))
