"""The 13 ASEAN Plus Three countries: ISO3 codes, names, groups and the aliases people type."""

from __future__ import annotations

import re
from dataclasses import dataclass

ASEAN = "ASEAN"
PLUS_THREE = "Plus Three"


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str
    group: str
    aliases: tuple[str, ...] = ()


COUNTRIES: tuple[Country, ...] = (
    Country("BRN", "Brunei Darussalam", ASEAN, ("Brunei", "BN", "Negara Brunei Darussalam")),
    Country("KHM", "Cambodia", ASEAN, ("Kingdom of Cambodia", "KH", "Kampuchea")),
    Country("IDN", "Indonesia", ASEAN, ("Republic of Indonesia", "ID", "RI")),
    Country("LAO", "Lao PDR", ASEAN, ("Laos", "Lao", "Lao People's Democratic Republic", "LA")),
    Country("MYS", "Malaysia", ASEAN, ("MY",)),
    Country("MMR", "Myanmar", ASEAN, ("Burma", "Republic of the Union of Myanmar", "MM")),
    Country("PHL", "Philippines", ASEAN, ("The Philippines", "Republic of the Philippines", "PH", "RP")),
    Country("SGP", "Singapore", ASEAN, ("Republic of Singapore", "SG")),
    Country("THA", "Thailand", ASEAN, ("Kingdom of Thailand", "TH", "Siam")),
    Country("VNM", "Viet Nam", ASEAN, ("Vietnam", "Socialist Republic of Viet Nam", "VN")),
    Country("CHN", "China", PLUS_THREE, ("People's Republic of China", "PRC", "P.R. China", "CN")),
    Country("JPN", "Japan", PLUS_THREE, ("JP", "Nippon")),
    Country("KOR", "Republic of Korea", PLUS_THREE, ("Korea", "South Korea", "ROK", "Korea, Republic of", "KR")),
)

ISO3_CODES: tuple[str, ...] = tuple(c.iso3 for c in COUNTRIES)
BY_ISO3: dict[str, Country] = {c.iso3: c for c in COUNTRIES}


def _key(name: str) -> str:
    # Case, spacing, punctuation and a leading "the" never change which country is meant.
    return re.sub(r"[^a-z0-9]", "", re.sub(r"^\s*the\s+", "", name.lower()))


_LOOKUP: dict[str, str] = {_key(text): c.iso3 for c in COUNTRIES for text in (c.iso3, c.name, *c.aliases)}


def country_code(name: object) -> str | None:
    """The ISO3 code for a country name, code or alias, or None when it is not an APT country."""
    if name is None:
        return None
    return _LOOKUP.get(_key(str(name)))


def country_name(iso3: str) -> str:
    """The display name of an ISO3 code."""
    return BY_ISO3[iso3].name
