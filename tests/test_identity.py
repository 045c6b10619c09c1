import pytest
from django.core.exceptions import ValidationError

from onetrip.core.identity import (
    mask_mobile,
    mask_name,
    mask_resident_id,
    normalize_mobile,
    normalize_resident_id,
    normalize_uscc,
)
from onetrip.demo.people import resident_id, uscc


def test_a_resident_id_with_the_right_check_digit_is_accepted():
    number = resident_id("43070319900101123")
    assert normalize_resident_id(number.lower()) == number


@pytest.mark.parametrize("first17", ["43070319900101123", "43070319921212234", "43070319960606345", "11010519491231002"])
def test_made_up_numbers_get_a_valid_check_digit(first17):
    assert normalize_resident_id(resident_id(first17)) == resident_id(first17)


def test_the_gb_11643_worked_example():
    # The standard's own example number ends in X.
    assert resident_id("11010519491231002") == "11010519491231002X"


def test_a_resident_id_with_a_wrong_check_digit_is_refused():
    good = resident_id("43070319900101123")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="check (digit|character)"):
        normalize_resident_id(bad)


def test_an_impossible_birth_date_is_refused():
    with pytest.raises(ValidationError):
        normalize_resident_id(resident_id("43070319901301123"))


def test_uscc_check_character_is_validated():
    code = uscc("91430703MA4L00001")
    assert normalize_uscc(code) == code
    with pytest.raises(ValidationError, match="check (digit|character)"):
        normalize_uscc(code[:-1] + ("A" if code[-1] != "A" else "B"))


def test_mobile_numbers():
    assert normalize_mobile("+86 139-0736-0001") == "13907360001"
    with pytest.raises(ValidationError):
        normalize_mobile("12345")


def test_masking_keeps_only_what_identifies_the_record():
    assert mask_resident_id("43070319900101123X") == "430703********123X"
    assert mask_mobile("13907360001") == "139****0001"
    assert mask_name("张测试") == "张**"
