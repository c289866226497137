"""The billing service's own settings (crmkit's are beside them), read once, when the
service starts (its timer asks first), not when a module is imported: a bad value
stops the service with a message naming the variable."""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from crmkit.settings import seconds

from .domain import INVOICING_POLICIES, ON_CONFIRMATION


@dataclass(frozen=True)
class BillingSettings:
    # When an order gets its invoice: on_confirmation (when it is created) or on_fulfilment.
    invoicing_policy: str = ON_CONFIRMATION
    # Issue that invoice at once; false leaves a draft for someone to check and issue.
    issue_automatically: bool = True
    # Days overdue at which each dunning level is reached (published once each).
    dunning_days: tuple[int, ...] = (1, 15, 30)
    # How often the overdue timer looks for invoices past their due date.
    overdue_every_seconds: float = 60.0

    @classmethod
    def from_env(cls) -> BillingSettings:
        policy = os.environ.get("BILLING_INVOICING_POLICY", ON_CONFIRMATION).strip()
        if policy not in INVOICING_POLICIES:
            raise ValueError(f"BILLING_INVOICING_POLICY must be one of {', '.join(INVOICING_POLICIES)}, "
                             f"got {policy!r}")
        issue = os.environ.get("BILLING_ISSUE_AUTOMATICALLY", "true").strip().lower()
        if issue not in ("true", "false"):
            raise ValueError(f"BILLING_ISSUE_AUTOMATICALLY must be true or false, got {issue!r}")
        raw_days = os.environ.get("BILLING_DUNNING_DAYS", "1,15,30")
        try:
            days = tuple(int(part) for part in raw_days.split(",") if part.strip())
        except ValueError:
            days = ()
        if not days or any(d < 1 for d in days) or list(days) != sorted(set(days)):
            raise ValueError(f"BILLING_DUNNING_DAYS must be ascending whole days >= 1, like 1,15,30; "
                             f"got {raw_days!r}")
        every = seconds("BILLING_OVERDUE_EVERY_SECONDS", 60)
        return cls(invoicing_policy=policy, issue_automatically=issue == "true", dunning_days=days,
                   overdue_every_seconds=every)


@functools.cache
def settings() -> BillingSettings:
    return BillingSettings.from_env()
