import datetime
import random

import pytest

from gridwork.idnumbers import (
    InvalidIdNumber,
    check_character,
    fictitious_id_number,
    id_hash,
    is_valid_id_number,
    mask_id_number,
    mask_phone,
    normalise_phone,
    phone_hash,
    validate_id_number,
)

pytestmark = pytest.mark.usefixtures("english")

# The standard's own worked example (GB 11643-1999, appendix): check character X.
EXAMPLE = "11010519491231002X"


def test_the_standards_example_is_valid():
    assert check_character(EXAMPLE[:17]) == "X"
    assert validate_id_number(EXAMPLE.lower()) == EXAMPLE


def test_a_wrong_check_character_is_refused():
    with pytest.raises(InvalidIdNumber, match="check character"):
        validate_id_number(EXAMPLE[:17] + "1")


@pytest.mark.parametrize(
    "number",
    ["1101051949123100", "11010519491231002Y", "1101051949123100211", "abcdefghijklmnopqr"],
)
def test_the_shape_is_checked(number):
    with pytest.raises(InvalidIdNumber):
        validate_id_number(number)


@pytest.mark.parametrize("born", ["19490230", "19491301", "18991231", "29990101"])
def test_the_embedded_birth_date_must_be_real_and_in_range(born):
    first17 = "110105" + born + "002"
    with pytest.raises(InvalidIdNumber, match="birth date"):
        validate_id_number(first17 + check_character(first17))


def test_the_birth_date_field_must_match():
    validate_id_number(EXAMPLE, birth_date=datetime.date(1949, 12, 31))
    with pytest.raises(InvalidIdNumber, match="does not match"):
        validate_id_number(EXAMPLE, birth_date=datetime.date(1949, 12, 30))


def test_generated_numbers_are_valid():
    rng = random.Random(7)
    numbers = [fictitious_id_number(rng=rng) for _ in range(500)]
    assert all(is_valid_id_number(n) for n in numbers)
    assert fictitious_id_number(birth_date=datetime.date(1949, 12, 31), sequence=2) == EXAMPLE


def test_masking():
    assert mask_id_number("110105194912310021") == "110105********0021"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == mask_phone("") == ""


def test_keyed_hash_matches_spellings_and_hides_the_value(settings):
    assert id_hash(EXAMPLE) == id_hash(EXAMPLE.lower().replace("x", "x "))
    assert EXAMPLE not in id_hash(EXAMPLE) and len(id_hash(EXAMPLE)) == 64
    assert phone_hash("+86 138-1234-5678") == phone_hash("13812345678")
    assert normalise_phone("+86 138-1234-5678") == "13812345678"
    before = id_hash(EXAMPLE)
    settings.REGISTRY_HASH_KEY = "another key"
    assert id_hash(EXAMPLE) != before  # keyed: not a plain SHA-256 anyone can recompute
