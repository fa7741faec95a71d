"""Country names and aliases resolve to the 13 APT ISO3 codes."""

import pytest

from etl.plan.countries import ASEAN, COUNTRIES, PLUS_THREE, country_code


def test_thirteen_countries_in_two_groups():
    assert len(COUNTRIES) == 13
    assert [c.iso3 for c in COUNTRIES if c.group == PLUS_THREE] == ["CHN", "JPN", "KOR"]
    assert sum(c.group == ASEAN for c in COUNTRIES) == 10


@pytest.mark.parametrize(
    ("typed", "iso3"),
    [
        ("Viet Nam", "VNM"), ("vietnam", "VNM"), ("Lao PDR", "LAO"), ("Laos", "LAO"), ("ROK", "KOR"),
        ("South Korea", "KOR"), ("Korea", "KOR"), ("PRC", "CHN"), ("the Philippines", "PHL"), ("khm", "KHM"),
        (" Brunei ", "BRN"), ("Lao People's Democratic Republic", "LAO"),
    ],
)  # fmt: skip
def test_aliases(typed, iso3):
    assert country_code(typed) == iso3


@pytest.mark.parametrize("typed", ["France", "", None, "DPRK"])
def test_non_apt_countries_are_unknown(typed):
    assert country_code(typed) is None
