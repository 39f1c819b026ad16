import pytest
from django.core.exceptions import ValidationError

from hub.organisations.validators import validate_charity_number, validate_company_number


@pytest.mark.parametrize("value", ["1123456", "223344", "1123456-1", "SC012345", "NIC100123", ""])
def test_it_accepts_real_charity_number_formats(value):
    validate_charity_number(value)


@pytest.mark.parametrize(
    "value", ["12345", "12345678", "SC12345", "charity", "1123456-123", "NIC1"]
)
def test_it_rejects_malformed_charity_numbers(value):
    with pytest.raises(ValidationError, match="registered charity number"):
        validate_charity_number(value)


@pytest.mark.parametrize("value", ["01234567", "SC123456", "NI012345", "OC301234", "sc123456"])
def test_it_accepts_real_company_number_formats(value):
    validate_company_number(value)


@pytest.mark.parametrize("value", ["1234567", "123456789", "XX123456", "SC12345", "SC1234567"])
def test_it_rejects_malformed_company_numbers(value):
    with pytest.raises(ValidationError, match="company number"):
        validate_company_number(value)
