"""The subscriptions API's wire formats (the gateway's document is made from them)."""
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from crmkit.errors import ValidationFailed
from crmkit.eventlog import _pattern_words
from crmkit.listing import ListQuery, Sort
from crmkit.schemas import Amount, HealthOut, Position, Timestamp  # noqa: F401 (HealthOut: by name, RPC_OUTPUTS)

from .models import DELIVERIES, STATUSES, WEBHOOK


class TypePattern(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            _pattern_words(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return text


_FILTERS = {
    "team": "Only events whose data.record.team is this team.",
    "organization_id": "Only events whose data.record.organization_id is this organization.",
    "min_amount": "Only events whose record's amount is at least this: data.record.amount (opportunities, "
                  "payments), else data.record.grand_total (quotes, orders, invoices, credit notes), else "
                  "data.record.budget_amount (leads). An event whose record has none of them does not match.",
}


# What targets.check takes before it resolves the host: http(s), a host in ASCII (an
# international name as punycode) or an IPv4 address, no user or password, maybe
# a port and a path of printable ASCII (RFC 3986: anything else percent-encoded); said
# here too so that the API document states it.
TARGET_URL = r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!-~]*)?$"
_target_url = [validate.Length(min=1, max=2000),
               validate.Regexp(TARGET_URL, error="Must be an http or https URL with a host.")]


# now, first, or an ISO 8601 time with its zone (subscriptions.parse_start reads it).
START = (r"^(?:now|first|[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]"
         r"(?::[0-5][0-9](?:\.[0-9]{1,6})?)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]))$")


class SubscriptionIn(Schema):
    # What _a_url_for_a_webhook_only says, for the API document (gateway.apigen).
    JSON_SCHEMA = {"if": {"properties": {"delivery": {"const": WEBHOOK}}},
                   "then": {"required": ["url"]}, "else": {"not": {"required": ["url"]}}}

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    types = fields.List(TypePattern(validate=validate.Length(min=1, max=200)), required=True,
                        validate=validate.Length(min=1, max=50), metadata={
                            "description": "Event type patterns (quote.*, invoice.paid, # for all): * is one word, "
                                           "# any number; matched against the name and the full type."})
    delivery = fields.String(load_default=WEBHOOK, validate=validate.OneOf(DELIVERIES), metadata={
        "description": "webhook (the default): each event is POSTed to url. stream: no url; the subscriber reads "
                       "the gRPC Events/Subscribe stream naming this subscription. queue: no url; each event is "
                       "published into a queue of the subscriber's own on the broker, read with a login that may "
                       "read that queue only (queue, and the password in secret). Fixed once made."})
    url = fields.String(validate=_target_url, metadata={
        "description": "A webhook's only, and required there: where each event is POSTed (http or https, a public "
                       "address; redirects are not followed)."})
    team = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1, max=64),
                         metadata={"description": _FILTERS["team"]})
    organization_id = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1, max=36),
                                    metadata={"description": _FILTERS["organization_id"]})
    min_amount = Amount(allow_none=True, load_default=None, metadata={"description": _FILTERS["min_amount"]})
    start = fields.String(load_default="now", validate=validate.Regexp(
        START, error="now, first or an ISO 8601 time with its zone."), metadata={
        "description": "Where delivery starts: now (the events from its creation on), first (the oldest kept), "
                       "or a time (ISO 8601 with its zone)."})

    @validates("start")
    def _a_start(self, value, **_kwargs):
        from .subscriptions import parse_start

        try:
            parse_start(value)
        except ValidationFailed as exc:  # named beside the other bad fields
            raise ValidationError(exc.details["start"]) from None

    @validates_schema
    def _a_url_for_a_webhook_only(self, data, **_kwargs):
        if data.get("delivery") not in DELIVERIES:
            return  # the delivery's own error says it
        if data["delivery"] == WEBHOOK and "url" not in data:
            raise ValidationError("A webhook needs its url.", "url")
        if data["delivery"] != WEBHOOK and "url" in data:
            raise ValidationError(f"A {data['delivery']} subscription has no url; leave it out.", "url")


class SubscriptionUpdate(Schema):
    """Only the fields given change; null clears a filter. The delivery kind is fixed
    (delete and subscribe again); url is a webhook's only (subscriptions.change)."""
    name = fields.String(validate=validate.Length(min=1, max=100))
    types = fields.List(TypePattern(validate=validate.Length(min=1, max=200)), validate=validate.Length(min=1, max=50))
    url = fields.String(validate=_target_url)
    team = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    organization_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    min_amount = Amount(allow_none=True)


class QueueOut(Schema):
    name = fields.String(required=True, metadata={"description": "The queue to consume (crm.subscriber.<id>)."})
    user = fields.String(required=True, metadata={
        "description": "The broker user that may read this queue and nothing else; its password is the secret."})
    amqp_uri = fields.String(required=True, metadata={
        "description": "The broker as subscribers reach it, with the user and without the password."})


class SubscriptionOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "active; paused (by a user); disabled (its endpoint failed for too long: resume it)."})
    disabled_reason = fields.String(required=True, allow_none=True)
    types = fields.List(fields.String(), required=True)
    delivery = fields.String(required=True, validate=validate.OneOf(DELIVERIES))
    url = fields.String(required=True, allow_none=True, metadata={"description": "A webhook's; null otherwise."})
    queue = fields.Nested(QueueOut, required=True, allow_none=True, metadata={
        "description": "A queue subscription's queue and login; null otherwise."})
    team = fields.String(required=True, allow_none=True)
    organization_id = fields.String(required=True, allow_none=True)
    min_amount = Amount(required=True, allow_none=True)
    owner_id = fields.String(required=True, allow_none=True)
    owner_role = fields.String(required=True)
    position = Position(required=True, allow_none=True, metadata={
        "description": "The last position of the events log delivered (or dead-lettered); null before the first."})
    lag = Position(required=True, allow_none=True, metadata={
        "description": "Positions of the events log behind the newest one a dispatcher has seen; null when unknown."})
    delivered = fields.Integer(required=True)
    failed = fields.Integer(required=True, metadata={"description": "Failed attempts."})
    dead_lettered = fields.Integer(required=True)
    last_error = fields.String(required=True, allow_none=True)
    last_error_at = Timestamp(required=True, allow_none=True)
    last_delivered_at = Timestamp(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    version = fields.Integer(required=True)


class NewSubscriptionOut(SubscriptionOut):
    secret = fields.String(required=True, allow_none=True, metadata={
        "description": "Shown in this answer only: a webhook's signing secret (whsec_...), a queue's broker "
                       "password; null for a stream."})


class SubscriptionListQuery(ListQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))


class Replay(Schema):
    # What subscriptions.replay says, for the API document (gateway.apigen): exactly one.
    JSON_SCHEMA = {"oneOf": [{"required": ["after"]}, {"required": ["from_time"]}]}

    after = Position(metadata={
        "description": "Deliver again the events after this position."})
    from_time = fields.AwareDateTime(metadata={"description": "Deliver again the events from this time on."})


class DeliveryOut(Schema):
    id = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    subject = fields.String(required=True)
    position = Position(required=True)
    attempt = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("delivered", "failed")))
    http_status = fields.Integer(required=True, allow_none=True)
    latency_ms = fields.Integer(required=True)
    error = fields.String(required=True, allow_none=True)
    at = Timestamp(required=True)


class DeadLetterOut(Schema):
    id = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    subject = fields.String(required=True)
    position = Position(required=True)
    attempts = fields.Integer(required=True)
    last_error = fields.String(required=True, allow_none=True)
    dead_at = Timestamp(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("dead", "redelivering", "redelivered")))
    redelivered_at = Timestamp(required=True, allow_none=True)


class DeliveryListQuery(ListQuery):
    sort = Sort("at", default="-at")


class DeadLetterListQuery(ListQuery):
    sort = Sort("dead_at", default="-dead_at")


# The gateway's stream of a stream subscription (subscriptions.open_stream, stream_progress)
class StreamStartOut(Schema):
    """Where a stream starts: after a position, from a time, or (neither) from now."""
    after = Position(metadata={"description": "Read the events after this position."})
    from_time = Timestamp(metadata={"description": "Read the events from this time on."})


class OpenStreamOut(Schema):
    subscription = fields.Nested(SubscriptionOut, required=True)
    start = fields.Nested(StreamStartOut, required=True)
    generation = fields.Integer(required=True, metadata={"description": "The replay generation progress names."})
    holder = fields.String(required=True, metadata={"description": "This stream's hold on the subscription."})


class StreamProgressOut(Schema):
    go_on = fields.Boolean(required=True)
    why = fields.String(validate=validate.OneOf(("deleted", "replayed", "taken", "paused", "disabled")),
                        metadata={"description": "Why the stream must end (only when go_on is false)."})



# The answer of every RPC of the service: (shape, output schema by name, in this module).
# "one": the schema; "page": {"items": [it, ...], "next_cursor": a string, null on the
# last page} (crmkit.listing).
RPC_OUTPUTS = {
    "create_subscription": ("one", "NewSubscriptionOut"),
    "list_subscriptions": ("page", "SubscriptionOut"),
    "get_subscription": ("one", "SubscriptionOut"),
    "update_subscription": ("one", "SubscriptionOut"),
    "pause_subscription": ("one", "SubscriptionOut"),
    "resume_subscription": ("one", "SubscriptionOut"),
    "delete_subscription": ("one", "SubscriptionOut"),
    "rotate_subscription_secret": ("one", "NewSubscriptionOut"),
    "replay_subscription": ("one", "SubscriptionOut"),
    "subscription_deliveries": ("page", "DeliveryOut"),
    "subscription_dead_letters": ("page", "DeadLetterOut"),
    "redeliver_dead_letter": ("one", "DeadLetterOut"),
    "open_stream": ("one", "OpenStreamOut"),
    "stream_progress": ("one", "StreamProgressOut"),
    "health": ("one", "HealthOut"),
}
