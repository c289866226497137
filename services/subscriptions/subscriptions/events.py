"""Every event type the subscriptions service publishes: the published contract (crmkit.catalogue)."""
from crmkit.catalogue import Catalogue, changed

from .schemas import DisabledSubscriptionOut

CATALOGUE = Catalogue(
    "subscriptions",
    changed("subscription.disabled", DisabledSubscriptionOut,
            "A subscription's endpoint answered no 2xx for CRM_WEBHOOKS_DISABLE_AFTER_SECONDS: it is disabled "
            "(record.disabled_reason says why) until resumed."),
)
