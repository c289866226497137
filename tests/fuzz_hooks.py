"""Schemathesis hooks for tests/test_fuzz.py, loaded in the fuzzer's own process through
SCHEMATHESIS_HOOKS. They change no check; they keep the fuzzer from destroying what it
runs on, and say where a check's premise does not hold for this API.

- The fuzzer may revoke the tokens it makes (POST /tokens), never one it did not make.
  `CRM_FUZZ_PROTECTED_TOKEN_IDS` (comma separated) names the tokens there before the run:
  the one it runs on, the other roles' and the harness's. A `DELETE /tokens/{token_id}`
  naming one, whichever phase drew it (a stateful step takes ids from `GET /tokens`), is
  sent for an id no token has instead, which the document answers with 404.
- `Prefer: wait=N` is dropped from the cases: it makes a read of a missing record wait,
  which the fuzzer does thousands of times (tests/test_gateway.py tests the wait).
- An Idempotency-Key is a client's promise that a request is new: the same key with
  another request is refused (422, as the IETF draft says). The fuzzer draws a handful of
  short keys again and again for different requests, which no client may do; in a
  positive case a key is made unique per request (a negative case is left alone).
- `positive_data_acceptance` (ST202) assumes that what the document allows is accepted.
  A few refusals depend on what no schema can say, and are dropped here, each narrowly:
  only when every reason the answer gives is one of them (so a defect beside one still
  fails the run), and only for that check.
"""
from __future__ import annotations

import os
import re
import uuid

import schemathesis

from crmkit.schemas import MAX_PERIOD_MONTHS

PROTECTED = frozenset(filter(None, os.environ.get("CRM_FUZZ_PROTECTED_TOKEN_IDS", "").split(",")))
NO_SUCH_TOKEN = "not-a-token-of-this-gateway"
WELL_FORMED_KEY = re.compile(r"^[!-~]{1,200}$")


# The coverage phase sends a case for every member of an enum: for the ~150 ISO 4217 codes
# of every currency field that is most of a run. Each code is as valid as the next; these
# have each number of minor units there is (2, 0, 3, 4), so they take every path an
# amount's decimals can.
CURRENCIES = ["EUR", "JPY", "BHD", "CLF", "USD"]


@schemathesis.hook
def before_load_schema(context, raw_schema):
    def trim(node):
        if isinstance(node, dict):
            enum = node.get("enum")
            if isinstance(enum, list) and "EUR" in enum and len(enum) > 100:
                node["enum"] = CURRENCIES + [value for value in enum if value is None]
            for value in node.values():
                trim(value)
        elif isinstance(node, list):
            for value in node:
                trim(value)
    trim(raw_schema)


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.path == "/tokens/{token_id}" and (case.path_parameters or {}).get("token_id") in PROTECTED:
        case.path_parameters["token_id"] = NO_SUCH_TOKEN
    # Prefer: wait=N holds a read of a record not there yet for N seconds, and the fuzzer
    # reads thousands of ids that never come: its waits would only make the run hours
    # long (the wait itself is tested in tests/test_gateway.py). The document gives no
    # example value, so no phase sends wait=N by design; one drawn anyway is dropped from
    # a positive case, never from a negative one (see below).
    if case.meta is None or not case.meta.generation.mode.is_negative:
        for name in [n for n in (case.headers or {}) if n.lower() == "prefer"]:
            del case.headers[name]
    # Only a positive case's headers are touched: schemathesis revalidates a case whose
    # headers a hook changed, and a negative one (say, the one without Authorization)
    # would turn positive and be sent with the token after all.
    if case.meta is None or case.meta.generation.mode.is_negative:
        return
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and WELL_FORMED_KEY.match(str(headers[name])):
            headers[name] = f"fuzz-{uuid.uuid4()}"
        # The coverage phase's "required and optional If-Match" case sends it empty, which
        # the pattern it was drawn from refuses: the fuzzer's slip, not a request the
        # document allows. Without it the case is what it means to be.
        if name.lower() == "if-match" and headers[name] == "":
            del headers[name]


# Why a request the document allows may still be refused, when the document cannot say
# it: (status, error code) -> what `details` may hold, as {field: patterns of its
# messages} (a field anywhere in details: a line's or a stage's too); None: anything.
NOT_IN_ANY_SCHEMA = {
    # If-Match in the form the document gives, naming a version that is not the current
    # one: it depends on the record's state (as a 409 does, which the check allows).
    (412, "stale_version"): None,
    (422, "validation_failed"): {
        # A cursor is opaque: only one the API gave out is one.
        "cursor": [r"Not a cursor this API gave out\."],
        # Rules across two fields that compare them (JSON Schema compares a value with
        # constants only); the document says each in words, on the field named.
        "to": [r"Must not be before from\.", rf"At most {MAX_PERIOD_MONTHS} months from from\."],
        "expected_close_to": [r"Must not be before expected_close_from\."],
        "warm_from": [r"warm_from must not be above hot_from\."],
        # Names unique within a list: uniqueItems compares whole items, not one field.
        "name": [r"Stage .* is listed twice\."],
        "position": [r"Line .* is listed twice\."],
        # What the stored records say: the pipeline's stages, the lead's qualification,
        # an opportunity's stored amount or currency beside a change of the other.
        "stage": [r"Not a stage of pipeline .*"],
        "budget_amount": [r"Conversion needs the lead's budget .*"],
        "timeline": [r"Conversion needs the lead's timeline .*"],
        "currency": [r"An amount needs its currency\."],
        "annual_revenue_currency": [r"An amount needs its currency\."],
        "budget_currency": [r"An amount needs its currency\."],
        "product": [r"Product .* is no longer sold\.", r"No product .* in the price book\.",
                    r"Product .* is priced in [A-Z]{3}, the quote in [A-Z]{3}\."],
        "owner_id": [r".* is not a member of team .*\."],
        # An amount's decimals in its currency's minor unit: a rule across the two
        # fields, one per currency (the document gives the most any currency has).
        "*": [r"At most \d+ decimals in [A-Z]{3}\.", r"No decimals in [A-Z]{3}\."],
        # Against the clock: a time that is in the future when drawn is not when sent.
        "expires_at": [r"Must be in the future\."],
        "valid_until": [r"Must be today \(.*\) or later\."],
        # Where the host resolves, here and now (services/subscriptions/targets.py):
        # no document can say which names exist or are public.
        # A pattern cannot know how many days each month has.
        "start": [r".* is no time of the calendar\."],
        # Where the host resolves (see above), and what the stored subscription is: a
        # stream's has no url to change.
        "url": [r"The host .* does not resolve .*",
                r"The host .* resolves to .*; webhooks go to public addresses only\.",
                r"A (stream|queue) subscription has no url\."],
    },
}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but a positive_data_acceptance one whose every reason is one
    of NOT_IN_ANY_SCHEMA's."""
    if failure.code != "ST202":
        return True
    # The import's body is a CSV file: which columns and rows it may have is the
    # import's own (its answer names each bad one); the document can only say "a string".
    if case.operation.label == "POST /leads/import":
        return False
    try:
        error = response.json()["error"]
    except Exception:
        return True
    reasons = NOT_IN_ANY_SCHEMA.get((response.status_code, error.get("code")), False)
    if reasons is False:
        return True
    if reasons is None:
        return False
    leaves = list(_leaves(error.get("details") or {}))
    explained = all(any(re.fullmatch(pattern, message, re.S) for pattern in [*reasons.get(field, ()), *reasons["*"]])
                    for field, message in leaves)
    return not (leaves and explained)


def _leaves(details, field=None):
    """(field, message) for every message in details, however deep (lines, stages)."""
    if isinstance(details, dict):
        for key, inner in details.items():
            yield from _leaves(inner, key)
    elif isinstance(details, list) and all(isinstance(item, str) for item in details):
        for message in details:
            yield field, message
    else:
        yield field, repr(details)
