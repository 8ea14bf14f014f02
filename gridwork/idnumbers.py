"""Citizen id numbers (GB 11643-1999), phones: validation, masking and the keyed hash.

An id number is 17 digits — a six-digit address code, the birth date (YYYYMMDD), a three-digit
sequence — and a check character computed mod 11 with the weights below. The plain number is
stored in its own column, never indexed; duplicates and exact searches go through `keyed_hash`
(HMAC-SHA256 with a key of its own, or one derived from SECRET_KEY), which is indexed: the
index never holds the number itself.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import random
import re
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
PHONE_PATTERN = re.compile(r"^1\d{10}$")


class InvalidIdNumber(ValueError):
    """Why an id number is not valid (the message is shown to the person)."""


def normalise(number: str) -> str:
    """Spaces dropped, a lower-case x raised: what people type and spreadsheets hold."""
    return re.sub(r"\s+", "", str(number or "")).upper()


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK[total % 11]


def embedded_birth_date(number: str) -> datetime.date:
    """The birth date in an 18-character id number; InvalidIdNumber if it is no real date."""
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(_("the birth date in the id number is not a real date")) from None


def validate_id_number(
    number: str, *, birth_date: datetime.date | None = None, today: datetime.date | None = None
) -> str:
    """The normalised id number, or InvalidIdNumber saying what is wrong with it.

    Checks the shape, the check character, the embedded birth date (a real date, not in the
    future, not before 1900) and, when `birth_date` is given, that the two agree.
    """
    number = normalise(number)
    if not ID_PATTERN.match(number):
        raise InvalidIdNumber(_("an id number is 17 digits and a check character (0-9 or X)"))
    born = embedded_birth_date(number)
    today = today or datetime.date.today()
    if born > today or born.year < 1900:
        raise InvalidIdNumber(_("the birth date in the id number is out of range"))
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber(_("the check character does not match"))
    if birth_date is not None and birth_date != born:
        raise InvalidIdNumber(_("the birth date does not match the id number"))
    return number


def is_valid_id_number(number: str) -> bool:
    try:
        validate_id_number(number)
    except InvalidIdNumber:
        return False
    return True


def normalise_phone(phone: str) -> str:
    """Digits only, a leading +86/86 dropped: "+86 138-0000-5678" → "13800005678"."""
    digits = re.sub(r"\D", "", str(phone or ""))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def mask_id_number(number: str) -> str:
    """ "110105194912310021" → "110105********0021" (the birth date and sequence hidden)."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """ "13812345678" → "138****5678"."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """ "张三丰" → "张**" (a contact's name, where it is personal data)."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def _key() -> bytes:
    return _derived_key(getattr(settings, "REGISTRY_HASH_KEY", ""), settings.SECRET_KEY)


@lru_cache(maxsize=4)
def _derived_key(explicit: str, secret: str) -> bytes:
    if explicit:
        return explicit.encode()
    return hashlib.sha256(b"gridwork.registry-hash:" + secret.encode()).digest()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value (hex): what the indexes hold instead of the value."""
    if not value:
        return ""
    return hmac.new(_key(), value.encode(), hashlib.sha256).hexdigest()


def id_hash(number: str) -> str:
    return keyed_hash(normalise(number))


def phone_hash(phone: str) -> str:
    return keyed_hash(normalise_phone(phone))


def fictitious_id_number(
    *,
    area_code: str = "110105",
    birth_date: datetime.date | None = None,
    sequence: int | None = None,
    rng: random.Random | None = None,
) -> str:
    """A valid id number for tests and the demo (a random birth date and sequence if not given).

    Real address codes make real-looking numbers; the demo uses its own city's codes."""
    rng = rng or random.Random()
    if birth_date is None:
        birth_date = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(0, 30000))
    if sequence is None:
        sequence = rng.randrange(0, 1000)
    first17 = f"{area_code[:6]:0<6}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
