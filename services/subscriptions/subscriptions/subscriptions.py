"""The subscriptions' use cases: make, read, change, pause, resume, delete, rotate the
secret, replay, and the delivery log and dead letters. Delivery itself is the
dispatcher's (dispatcher.py)."""
from __future__ import annotations

import functools
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crmkit.db import utcnow
from crmkit.errors import Conflict, InvalidTransition, ValidationFailed, check_version
from crmkit.ids import new_id
from crmkit.listing import paginate
from crmkit.schemas import load
from crmkit.settings import Settings

from . import queues, schemas, targets
from .models import ACTIVE, PAUSED, QUEUE, STREAM, WEBHOOK, Cursor, DeadLetter, Delivery, LogHead, Secret, Subscription
from .settings import QueueSettings, WebhookSettings

if TYPE_CHECKING:  # only a type here: this module runs outside nameko too (the relay, the dispatcher)
    from crmkit.unit_of_work import UnitOfWork

log = logging.getLogger("subscriptions")

subscription_out = schemas.SubscriptionOut()
delivery_out = schemas.DeliveryOut()
dead_letter_out = schemas.DeadLetterOut()


def parse_start(value: str) -> datetime | None:
    """``start``: now (its creation time), first (None: the oldest event kept), or an ISO time."""
    if value in ("now", "first"):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        # The pattern (schemas.START) let it through: a day the calendar has not (02-30).
        raise ValidationFailed({"start": [f"{value} is no time of the calendar."]}) from None
    if at.tzinfo is None:
        raise ValidationFailed({"start": ["A time needs its zone (2026-12-01T00:00:00Z)."]})
    return at.astimezone(UTC)


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    import base64

    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _check_url(url: str, field: str = "url") -> None:
    try:
        targets.check(url, WebhookSettings.from_env().allow_private_targets)
    except targets.TargetRefused as exc:
        raise ValidationFailed({field: [str(exc)]}) from None


@functools.cache
def broker() -> queues.Broker:
    """The broker's side of queue subscriptions, with the services' login (the
    settings are the process's, read once)."""
    return queues.Broker(Settings.for_service("subscriptions").amqp_uri, QueueSettings.from_env())


@functools.cache
def sweep() -> queues.Sweep:
    return queues.Sweep(broker())


def sweep_queues(unit: UnitOfWork) -> None:
    """Remove the broker's users and queues that no queue subscription owns any more (a
    delete whose clean-up failed, a create whose commit did): queues.Sweep."""
    if not broker().available:
        return
    try:
        sweep().run(lambda: set(unit.session.scalars(select(Subscription.id).where(Subscription.delivery == QUEUE))))
    except requests.RequestException as exc:
        log.warning("the broker's management API did not answer the sweep (%s); the next one tries again", exc)


def visible_to(role: str, envelope: dict) -> bool:
    """May a subscription made by ``role`` receive this event? The one rule, read by the
    dispatcher for every event: what the role could read through the API. Admin and
    integration read every record today; any other role is refused here until its reach
    over events is written (a sales rep's is its team's records: gateway ROLES.md)."""
    return role in ("admin", "integration")


def record(session: Session, subscription: Subscription) -> dict:
    """The subscription as the API shows it (and its events carry it): with where its
    delivery stands."""
    cursor = session.get(Cursor, subscription.id)
    head = session.get(LogHead, 1)
    out = subscription_out.dump(subscription)
    out.update({
        "queue": broker().connection(subscription.id) if subscription.delivery == QUEUE else None,
        "position": cursor.position, "delivered": cursor.delivered, "failed": cursor.failed,
        "dead_lettered": cursor.dead_lettered, "last_error": cursor.last_error,
        "last_error_at": subscription_out.fields["last_error_at"]._serialize(cursor.last_error_at, None, None),
        "last_delivered_at": subscription_out.fields["last_delivered_at"]._serialize(
            cursor.last_delivered_at, None, None),
        "lag": None if head is None else max(0, head.position - (cursor.position if cursor.position is not None
                                                                  else -1)),
    })
    return out


def create(unit: UnitOfWork, data: dict, owner_role: str, owner_id: str | None) -> dict:
    fields = load(schemas.SubscriptionIn, data)
    if fields["delivery"] == WEBHOOK:
        _check_url(fields["url"])
    if fields["delivery"] == QUEUE and not broker().available:
        raise ValidationFailed({"delivery": ["This installation offers no queue delivery: its operator has not set "
                                             "CRM_BROKER_MANAGEMENT_URL. Use a webhook or the stream."]})
    start = fields.pop("start")
    subscription = Subscription(**fields, owner_role=owner_role, owner_id=owner_id, status=ACTIVE)
    unit.session.add(subscription)
    unit.session.flush()
    start_time = utcnow() if start == "now" else parse_start(start)
    unit.session.add(Cursor(subscription_id=subscription.id, start_time=start_time, generation=0, delivered=0,
                            failed=0, dead_lettered=0))
    secret = None
    if subscription.delivery == WEBHOOK:  # only a webhook is signed
        secret = new_secret()
        unit.session.add(Secret(subscription_id=subscription.id, secret=secret))
    unit.session.flush()
    if subscription.delivery == QUEUE:
        # Last, once the row is written: a broker that fails here fails the request (the
        # row is rolled back); a commit that fails after it leaves parts for the sweep.
        secret = broker().provision(subscription.id)
    return {**record(unit.session, subscription), "secret": secret}


def get(unit: UnitOfWork, subscription_id: str) -> dict:
    return record(unit.session, unit.get(Subscription, subscription_id))


def list_(unit: UnitOfWork, query: dict) -> dict:
    params = load(schemas.SubscriptionListQuery, query)
    stmt = select(Subscription)
    if params.get("status"):
        stmt = stmt.where(Subscription.status == params["status"])
    page = paginate(unit.session, stmt, model=Subscription, params=params)
    return {"items": [record(unit.session, s) for s in page.items], "next_cursor": page.next_cursor}


def change(unit: UnitOfWork, subscription_id: str, data: dict, expected_version: int | None) -> dict:
    if isinstance(data, dict) and "delivery" in data:
        raise ValidationFailed({"delivery": ["Fixed once made: delete the subscription and subscribe again."]})
    fields = load(schemas.SubscriptionUpdate(partial=True), data)
    subscription = unit.get(Subscription, subscription_id)
    check_version("subscription", subscription, expected_version)
    if "url" in fields:
        if subscription.delivery != WEBHOOK:
            raise ValidationFailed({"url": [f"A {subscription.delivery} subscription has no url."]})
        _check_url(fields["url"])
    for name, value in fields.items():
        setattr(subscription, name, value)
    unit.session.flush()
    return record(unit.session, subscription)


def set_status(unit: UnitOfWork, subscription_id: str, status: str, expected_version: int | None) -> dict:
    subscription = unit.get(Subscription, subscription_id)
    check_version("subscription", subscription, expected_version)
    if subscription.status != status:
        subscription.status = status
        if status == ACTIVE:
            subscription.disabled_reason = None
            # A resumed endpoint starts a fresh count towards being disabled.
            unit.session.get(Cursor, subscription.id).failing_since = None
        unit.session.flush()
    return record(unit.session, subscription)


def pause(unit, subscription_id, expected_version=None):
    return set_status(unit, subscription_id, PAUSED, expected_version)


def resume(unit, subscription_id, expected_version=None):
    return set_status(unit, subscription_id, ACTIVE, expected_version)


def delete(unit: UnitOfWork, subscription_id: str, expected_version: int | None = None) -> dict:
    subscription = unit.get(Subscription, subscription_id)
    check_version("subscription", subscription, expected_version)
    out = record(unit.session, subscription)
    for model in (Delivery, DeadLetter, Secret, Cursor):
        unit.session.query(model).filter_by(subscription_id=subscription.id).delete()
    unit.session.delete(subscription)
    unit.session.flush()
    if subscription.delivery == QUEUE:
        # Its login and what its queue holds go with it; a broker that does not answer
        # now leaves them to the sweep, which finds no subscription for them.
        broker().remove(subscription.id)
    return out


def rotate_secret(unit: UnitOfWork, subscription_id: str, expected_version: int | None = None) -> dict:
    """A webhook's new secret signs from now on; the ones before keep signing for the
    overlap, so a receiver can switch to the new one without refusing a delivery. A
    queue's login gets a new password, and the old one ends at once (a broker user has
    one password), with the connections opened with it."""
    subscription = unit.get(Subscription, subscription_id)
    check_version("subscription", subscription, expected_version)
    if subscription.delivery == QUEUE:
        _changed(subscription)
        unit.session.flush()
        return {**record(unit.session, subscription), "secret": broker().new_password(subscription.id)}
    if subscription.delivery != WEBHOOK:
        raise Conflict(f"Subscription {subscription.id} is delivered by {subscription.delivery} and has no signing "
                       "secret.", {"delivery": subscription.delivery})
    _changed(subscription)
    overlap_until = utcnow() + timedelta(seconds=WebhookSettings.from_env().secret_overlap_seconds)
    unit.session.execute(update(Secret).where(Secret.subscription_id == subscription.id,
                                              Secret.expires_at.is_(None)).values(expires_at=overlap_until))
    secret = new_secret()
    unit.session.add(Secret(subscription_id=subscription.id, secret=secret))
    unit.session.flush()
    return {**record(unit.session, subscription), "secret": secret}


def replay(unit: UnitOfWork, subscription_id: str, data: dict, expected_version: int | None = None) -> dict:
    """Deliver again from a position or a time: the cursor moves there under a new
    generation, so the dispatcher holding it reads again from there."""
    fields = load(schemas.Replay, data)
    if len(fields) != 1:
        raise ValidationFailed({"_schema": ["Give one of after or from_time."]})
    subscription = unit.get(Subscription, subscription_id)
    check_version("subscription", subscription, expected_version)
    _changed(subscription)
    cursor = unit.session.get(Cursor, subscription.id)
    cursor.position = fields.get("after")
    cursor.start_time = fields["from_time"].astimezone(UTC) if "from_time" in fields else None
    cursor.generation += 1
    # Each event is tried afresh from the replayed point: the count of the one that was
    # being retried does not carry over to its next delivery.
    cursor.retry_position, cursor.retry_attempts = None, 0
    unit.session.flush()
    return record(unit.session, subscription)


def _changed(subscription: Subscription) -> None:
    """A new secret or a moved position is a change of the subscription: its version
    moves, so a second rotation or replay based on the same read gets 412, not a
    silent overwrite of the first."""
    subscription.updated_at = utcnow()


def deliveries(unit: UnitOfWork, subscription_id: str, query: dict) -> dict:
    params = load(schemas.DeliveryListQuery, query)
    subscription = unit.get(Subscription, subscription_id)
    page = paginate(unit.session, select(Delivery).where(Delivery.subscription_id == subscription.id),
                    model=Delivery, params=params)
    return {"items": [delivery_out.dump(d) for d in page.items], "next_cursor": page.next_cursor}


def dead_letters(unit: UnitOfWork, subscription_id: str, query: dict) -> dict:
    params = load(schemas.DeadLetterListQuery, query)
    subscription = unit.get(Subscription, subscription_id)
    page = paginate(unit.session, select(DeadLetter).where(DeadLetter.subscription_id == subscription.id),
                    model=DeadLetter, params=params)
    return {"items": [dead_letter_out.dump(d) for d in page.items], "next_cursor": page.next_cursor}


def redeliver(unit: UnitOfWork, subscription_id: str, dead_letter_id: str) -> dict:
    """Ask the dispatcher to send a dead letter again (once, out of the log's order)."""
    letter = unit.get(DeadLetter, dead_letter_id)
    if letter.subscription_id != subscription_id:
        raise ValidationFailed({"dead_letter_id": [f"Not a dead letter of subscription {subscription_id}."]})
    if letter.status == "redelivering":
        raise Conflict(f"Dead letter {letter.id} is being redelivered already.", {"status": letter.status})
    letter.status = "redelivering"
    unit.session.flush()
    return dead_letter_out.dump(letter)


# A stream subscription: read through the gateway's gRPC Events/Subscribe, which asks
# where to start (open_stream) and tells how far it got (stream_progress).
def open_stream(unit: UnitOfWork, subscription_id: str) -> dict:
    """Where a stream naming this subscription starts, its filters, the replay
    generation its progress must name, and its ``holder``: one stream reads a
    subscription at a time, the newest (a client reconnecting after a network failure
    is not kept waiting for its old stream to be noticed dead), and the one it took the
    subscription from ends at its next progress. Only an active stream subscription opens."""
    subscription = unit.get(Subscription, subscription_id)
    if subscription.delivery != STREAM:
        raise InvalidTransition("subscription", f"delivered by {subscription.delivery}", "stream")
    if subscription.status != ACTIVE:
        raise InvalidTransition("subscription", subscription.status, "stream")
    cursor = unit.session.get(Cursor, subscription.id, with_for_update=True)
    if cursor.position is not None:
        start = {"after": cursor.position}
    else:
        start = {"from_time": cursor.start_time.isoformat()} if cursor.start_time else {}
    # A stream subscription's lease columns name the stream holding it (the dispatcher
    # never takes one); lease_until is left empty: a stream holds until another opens.
    holder = f"stream:{new_id()}"
    cursor.lease_owner, cursor.lease_until = holder, None
    return {"subscription": record(unit.session, subscription), "start": start, "generation": cursor.generation,
            "holder": holder}


def stream_progress(unit: UnitOfWork, subscription_id: str, generation: int, position: int | None,
                    delivered: int, holder: str | None = None) -> dict:
    """A stream read the log up to ``position`` and sent ``delivered`` events since it
    last said. ``go_on`` false: the subscription was deleted, paused, replayed (a new
    generation: its stream must start again from the new cursor) or taken by a newer
    stream (nothing of this one is written). ``holder`` None: a gateway of before
    holders, mid-deploy."""
    subscription = unit.session.get(Subscription, subscription_id)
    if subscription is None:
        return {"go_on": False, "why": "deleted"}
    cursor = unit.session.get(Cursor, subscription.id, with_for_update=True)
    if cursor.generation != generation:
        return {"go_on": False, "why": "replayed"}
    if holder is not None and cursor.lease_owner != holder:
        return {"go_on": False, "why": "taken"}
    if subscription.status != ACTIVE:
        return {"go_on": False, "why": subscription.status}
    if position is not None and (cursor.position is None or position > cursor.position):
        cursor.position, cursor.start_time = position, None
    if delivered:
        cursor.delivered += delivered
        cursor.last_delivered_at = utcnow()
    unit.session.flush()
    return {"go_on": True}
