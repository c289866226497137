"""JSON text of our values as they are stored: decimals, dates and ids as exact text.
Free of eventlet, so the gateway uses it as the services do."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID


def json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# Values JSON gives back as they were (exactly these types: a subclass, an enum say, is
# not): no round trip for them. History compares every column of every record it writes.
_AS_THEY_ARE = frozenset({str, int, bool, type(None)})


def json_safe(data):
    """Data as it will be read back from JSON: Decimals, dates and ids become strings."""
    if type(data) in _AS_THEY_ARE:
        return data
    return json.loads(json.dumps(data, default=json_default))


def digest(value) -> str:
    """A request's fingerprint: the SHA-256 of its canonical JSON (keys sorted)."""
    raw = json.dumps(value, sort_keys=True, default=json_default, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()
