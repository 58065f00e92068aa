# provisional shim until the registry lands
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    name_nb: str
    name_en: str
    direction: str = "ltr"

LANGUAGES = {l.code: l for l in [
    Language("nb", "norsk bokmål", "norsk", "Norwegian"), Language("en", "English", "engelsk", "English"),
    Language("so", "Soomaali", "somali", "Somali"), Language("ar", "العربية", "arabisk", "Arabic", "rtl"),
    Language("ta", "தமிழ்", "tamil", "Tamil"), Language("ti", "ትግርኛ", "tigrinja", "Tigrinya"),
]}
def get(code): return LANGUAGES[code]
def all_languages(): return list(LANGUAGES.values())
