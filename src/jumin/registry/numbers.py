"""Numbers of the register: 宛名番号/世帯番号/異動番号 serials, the sealed 個人番号, and the
random pick of a spare 住民票コード.

* 個人番号 is stored AES-256-GCM encrypted (associated data: the 宛名番号, so a ciphertext
  cannot be moved to another person) plus HMAC-SHA256 with a separate key for exact look-up.
  Neither the number nor the ciphertext ever goes to a log.
* 宛名番号 and 世帯番号 are serials with an M11W2-7 check digit (spec 1.1.13), never reused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction

from jumin.conf.domain import m11_remainder_one_policy
from jumin.core.check_digits import validate_individual_number, with_m11_check_digit
from jumin.core.errors import DomainError
from jumin.registry.models import NumberSequence, SpareResidentCode


def individual_number_lookup(number: str) -> str:
    key: bytes = settings.SECRETS.lookup_key
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def seal_individual_number(number: str, atena_no: str) -> tuple[str, str]:
    """(ciphertext for storage, lookup hash) of a validated 個人番号."""
    validate_individual_number(number)
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(settings.SECRETS.data_key).encrypt(nonce, number.encode(), atena_no.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode(), individual_number_lookup(number)


def open_individual_number(ciphertext: str, atena_no: str) -> str:
    raw = base64.urlsafe_b64decode(ciphertext.encode())
    return AESGCM(settings.SECRETS.data_key).decrypt(raw[:12], raw[12:], atena_no.encode()).decode()


@transaction.atomic
def next_serial(name: str) -> int:
    sequence, _ = NumberSequence.objects.select_for_update().get_or_create(name=name)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def next_m11_number(name: str) -> str:
    """The next 宛名番号 or 世帯番号 (skipping serials the remainder-1 policy cannot number)."""
    width = settings.JUMIN_ATENA_NO_DIGITS
    while True:
        number = with_m11_check_digit(next_serial(name), width, m11_remainder_one_policy())
        if number is not None:
            return number


def next_movement_no() -> str:
    return f"M{next_serial('movement'):09d}"


@transaction.atomic
def take_spare_resident_code(atena_no: str) -> str:
    """Assign a random code from the spare-code stock (4.3.1)."""
    stock = SpareResidentCode.objects.select_for_update().filter(assigned_to="")
    count = stock.count()
    if count == 0:
        raise DomainError(
            "resident_code.no_stock", "住民票コードの空きコードがありません。CSから空きコードを取り込んでください。"
        )
    spare = stock.order_by("id")[secrets.randbelow(count)]
    spare.assigned_to = atena_no
    spare.save(update_fields=["assigned_to"])
    return spare.code
