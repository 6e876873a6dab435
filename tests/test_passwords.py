import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


def test_demo_password_satisfies_the_handbook_policy():
    validate_password("AQBdemo#!2026")


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Ab1#", "mindestens 8 Zeichen"),
        ("ABcdefg#!1", "mindestens zwei Ziffern"),
        ("ABCDEFG#!12", "mindestens zwei Kleinbuchstaben"),
        ("Abcdefg#!12", "mindestens zwei Großbuchstaben"),
        ("ABcdefg#12", "mindestens zwei dieser Sonderzeichen"),
    ],
)
def test_password_policy_names_what_is_missing(password, missing):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert missing in " ".join(error.value.messages)
