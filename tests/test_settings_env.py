import pytest
from django.core.exceptions import ImproperlyConfigured

from onetrip.core.env import env_bool, env_choice, env_int, env_list


def test_booleans_accept_the_usual_spellings_and_refuse_others():
    assert env_bool("X", False, {"X": "yes"}) is True
    assert env_bool("X", True, {"X": "0"}) is False
    assert env_bool("X", True, {}) is True
    with pytest.raises(ImproperlyConfigured, match="X must be one of"):
        env_bool("X", False, {"X": "maybe"})


def test_integers_are_checked():
    assert env_int("N", 5, {"N": "7"}) == 7
    with pytest.raises(ImproperlyConfigured, match="N must be an integer"):
        env_int("N", 5, {"N": "seven"})
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("N", 5, {"N": "0"}, minimum=1)


def test_lists_and_choices():
    assert env_list("H", ["a"], {"H": " x.gov.cn , y "}) == ["x.gov.cn", "y"]
    assert env_choice("B", "console", {"console": "c.Backend"}, {}) == "c.Backend"
    with pytest.raises(ImproperlyConfigured, match="B must be one of console"):
        env_choice("B", "console", {"console": "c.Backend"}, {"B": "carrier-pigeon"})
