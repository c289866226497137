"""Every event type the subscriptions service publishes: the published contract (crmkit.catalogue)."""
from crmkit.catalogue import Catalogue, changed

from .schemas import SubscriptionOut

CATALOGUE = Catalogue(
    "subscriptions",
    changed("subscription.disabled", SubscriptionOut,
            "A subscription's endpoint answered no 2xx for CRM_WEBHOOKS_DISABLE_AFTER_SECONDS: it is disabled "
            "(record.disabled_reason says why) until resumed.",
            # v2: positions of the events log are 64-bit (v1 said 32); the record is whole,
            # with where its delivery stands, as v1's schema said and its events lacked; and
            # it says its delivery (a webhook or a queue can be disabled). v3: delivery may
            # be queue, and the record has the queue's name and login (null otherwise).
            version=3),
)
