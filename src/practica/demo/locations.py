"""The company's offices: city, country, IANA time zone, and who tends to work there.

Each office has a mix of name locales (Faker locale codes), because a Redmond or London
office is staffed from everywhere, while Beijing or São Paulo mostly hire locally.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Office:
    city: str
    country: str
    time_zone: str
    local_language: str
    locales: tuple[tuple[str, int], ...]


_US_MIX = (
    ("en_US", 55),
    ("en_IN", 15),
    ("zh_CN", 12),
    ("es_MX", 5),
    ("en_GB", 3),
    ("de_DE", 3),
    ("fr_FR", 2),
    ("ja_JP", 2),
    ("pt_BR", 2),
    ("he_IL", 1),
)

OFFICES: dict[str, Office] = {
    office.city: office
    for office in (
        Office("Redmond", "US", "America/Los_Angeles", "English", _US_MIX),
        Office("Seattle", "US", "America/Los_Angeles", "English", _US_MIX),
        Office(
            "New York",
            "US",
            "America/New_York",
            "English",
            (("en_US", 60), ("en_IN", 10), ("zh_CN", 8), ("es_MX", 8), ("en_GB", 6), ("he_IL", 4)),
        ),
        Office(
            "Vancouver",
            "CA",
            "America/Vancouver",
            "English",
            (("en_CA", 60), ("zh_CN", 15), ("en_IN", 15), ("fr_FR", 5), ("en_GB", 5)),
        ),
        Office(
            "London",
            "GB",
            "Europe/London",
            "English",
            (
                ("en_GB", 65),
                ("en_IN", 12),
                ("zh_CN", 5),
                ("fr_FR", 5),
                ("de_DE", 4),
                ("es_ES", 4),
                ("he_IL", 3),
                ("pt_BR", 2),
            ),
        ),
        Office(
            "Cambridge",
            "GB",
            "Europe/London",
            "English",
            (
                ("en_GB", 55),
                ("zh_CN", 10),
                ("en_IN", 8),
                ("de_DE", 7),
                ("fr_FR", 7),
                ("es_ES", 5),
                ("en_US", 5),
                ("he_IL", 3),
            ),
        ),
        Office(
            "Dublin",
            "IE",
            "Europe/Dublin",
            "English",
            (("en_IE", 55), ("en_GB", 15), ("pl_PL", 8), ("pt_BR", 8), ("es_ES", 7), ("fr_FR", 7)),
        ),
        Office(
            "Berlin",
            "DE",
            "Europe/Berlin",
            "German",
            (("de_DE", 70), ("en_GB", 5), ("es_ES", 5), ("fr_FR", 5), ("pl_PL", 5), ("en_IN", 5)),
        ),
        Office(
            "Munich",
            "DE",
            "Europe/Berlin",
            "German",
            (("de_DE", 75), ("it_IT", 5), ("en_GB", 5), ("pl_PL", 5), ("en_IN", 5), ("fr_FR", 5)),
        ),
        Office(
            "Paris",
            "FR",
            "Europe/Paris",
            "French",
            (("fr_FR", 80), ("es_ES", 5), ("de_DE", 5), ("en_GB", 5), ("zh_CN", 5)),
        ),
        Office(
            "Zurich",
            "CH",
            "Europe/Zurich",
            "German",
            (("de_CH", 55), ("de_DE", 15), ("fr_FR", 10), ("it_IT", 10), ("en_GB", 10)),
        ),
        Office("Madrid", "ES", "Europe/Madrid", "Spanish", (("es_ES", 95), ("en_GB", 5))),
        Office(
            "Herzliya",
            "IL",
            "Asia/Jerusalem",
            "Hebrew",
            (("he_IL", 90), ("en_US", 5), ("fr_FR", 5)),
        ),
        Office("Bangalore", "IN", "Asia/Kolkata", "English", (("en_IN", 100),)),
        Office("Hyderabad", "IN", "Asia/Kolkata", "English", (("en_IN", 100),)),
        Office("Beijing", "CN", "Asia/Shanghai", "Mandarin Chinese", (("zh_CN", 100),)),
        Office("Shanghai", "CN", "Asia/Shanghai", "Mandarin Chinese", (("zh_CN", 100),)),
        Office("Tokyo", "JP", "Asia/Tokyo", "Japanese", (("ja_JP", 95), ("en_US", 5))),
        Office(
            "Sydney",
            "AU",
            "Australia/Sydney",
            "English",
            (("en_AU", 75), ("zh_CN", 10), ("en_IN", 10), ("en_GB", 5)),
        ),
        Office("São Paulo", "BR", "America/Sao_Paulo", "Portuguese", (("pt_BR", 100),)),
    )
}

NAME_LOCALES = sorted({locale for office in OFFICES.values() for locale, _w in office.locales})

# The first language a person with a name from this locale speaks natively.
NATIVE_LANGUAGE = {
    "en_US": "English",
    "en_GB": "English",
    "en_AU": "English",
    "en_CA": "English",
    "en_IE": "English",
    "en_IN": "English",
    "zh_CN": "Mandarin Chinese",
    "de_DE": "German",
    "de_CH": "German",
    "fr_FR": "French",
    "ja_JP": "Japanese",
    "pt_BR": "Portuguese",
    "es_ES": "Spanish",
    "es_MX": "Spanish",
    "he_IL": "Hebrew",
    "it_IT": "Italian",
    "pl_PL": "Polish",
}
INDIAN_LANGUAGES = ("Hindi", "Telugu", "Kannada", "Tamil", "Marathi", "Bengali", "Malayalam")
EXTRA_LANGUAGES = ("French", "Spanish", "German", "Mandarin Chinese", "Japanese", "Portuguese")

# Faker's he_IL names are in Hebrew script; a directory needs the romanised spelling too.
HEBREW_FIRST_NAMES = {
    "female": ("Noa", "Yael", "Tamar", "Maya", "Shira", "Michal", "Adi", "Roni", "Yarden", "Hila"),
    "male": ("Itai", "Omer", "Yonatan", "Ariel", "Eitan", "Noam", "Guy", "Amit", "Oren", "Yuval"),
}
HEBREW_LAST_NAMES = (
    "Cohen",
    "Levi",
    "Mizrahi",
    "Peretz",
    "Biton",
    "Friedman",
    "Shapiro",
    "Avraham",
    "Katz",
    "Ben-David",
    "Goldberg",
    "Rosen",
    "Azoulay",
    "Dahan",
    "Weiss",
)
