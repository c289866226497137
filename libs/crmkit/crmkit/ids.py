"""Record ids: UUIDv7, time-ordered so that indexes stay compact and ids sort by age."""
import uuid

import uuid6


def new_id() -> str:
    return str(uuid6.uuid7())


def parse_id(value: object) -> str | None:
    """The canonical form of a UUID given as text, or None when it is not one."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None
