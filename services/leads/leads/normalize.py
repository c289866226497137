"""How contact data is compared when looking for duplicates. Pure functions."""
from __future__ import annotations

import re
import unicodedata

import phonenumbers

# Legal forms that say nothing about which company it is.
_LEGAL_FORMS = {
    "ag", "bv", "co", "company", "corp", "corporation", "gmbh", "inc", "incorporated", "kg", "limited", "llc",
    "llp", "ltd", "nv", "oy", "plc", "pty", "sa", "sarl", "sas", "se", "spa", "srl",
}


def email(value: str | None) -> str | None:
    """Case and blanks do not matter; plus-addressing does (a+crm@x is another inbox)."""
    return value.strip().lower() or None if value else None


def phone(value: str | None, default_region: str | None) -> str | None:
    """E.164 (``+442071234567``), reading a national number in ``default_region``;
    None when it is no phone number at all."""
    if not value or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, (default_region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# The length of the key columns. A key may grow past the name it comes from (a first and
# a last name of 100 each and a blank; "\ufb03", one ligature, spells "ffi"); names that
# agree that far are taken for the same.
KEY_LENGTH = 200


def _key(words: list[str]) -> str | None:
    return " ".join(words)[:KEY_LENGTH].rstrip() or None


def _words(value: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", plain)


def company(value: str | None) -> str | None:
    """``Analytical Engines, Ltd.`` and ``analytical engines`` are the same company."""
    if not value:
        return None
    return _key([w for w in _words(value) if w not in _LEGAL_FORMS])


def person(first_name: str | None, last_name: str | None) -> str | None:
    return _key(_words(f"{first_name or ''} {last_name or ''}"))
