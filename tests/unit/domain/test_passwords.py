"""Password rules: the common list (as shipped by zxcvbn), repetition, the email's name, the service's name."""

from __future__ import annotations

import pytest

from adapters.identity.common_passwords import ZxcvbnCommonPasswords
from domain.identity.passwords import check_password
from domain.shared.errors import InvalidValue

COMMON = ZxcvbnCommonPasswords()


def refusal(password: str, email: str = "ada@example.com") -> str:
    with pytest.raises(InvalidValue) as info:
        check_password(password, email=email, common=COMMON)
    assert info.value.field == "password"
    return info.value.message


def test_the_shipped_list_holds_the_30000_most_common_passwords():
    assert len(COMMON) == 30_000
    assert "password" in COMMON and "qwertyuiop" in COMMON and "correct horse battery" not in COMMON


@pytest.mark.parametrize("password", ["password12", "PASSWORD12", "qwertyuiop", "1234567890", "iloveyou2024!",
                                      "Summer2024!!", "!!letmein99", "dragon2023!!"])
def test_common_passwords_and_common_ones_with_digits_or_symbols_are_refused(password):
    assert "most commonly used passwords" in refusal(password)


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "zzzzzzzzzzzzzzzzzzzzzz", "abcabcabcabc", "1212121212", "!?!?!?!?!?"])
def test_a_character_or_a_few_repeated_are_refused(password):
    assert "repeats" in refusal(password)


def test_the_emails_name_or_a_piece_of_it_is_refused():
    assert "lovelace" in refusal("lovelace rocks!", "ada.lovelace@example.com")
    assert "ada.lovelace" in refusal("xx ada.lovelace xx", "ada.lovelace@example.com")
    # Pieces shorter than four characters are too common in words to refuse.
    check_password("radar station nine", email="ada.lovelace@example.com", common=COMMON)


def test_the_services_name_is_refused():
    assert "this service" in refusal("my PostWizard 2026")


def test_a_passphrase_passes():
    check_password("correct horse battery", email="ann-1234@example.com", common=COMMON)
