"""The UI's translations for pure modules (no Django).

The survey linter and the starter templates speak the author's language but run and are tested
without Django, so they read the catalogue Django reads (`glapp/locale/<language>/LC_MESSAGES/django.mo`)
through the standard library. Their sentences are marked with `gettext_noop`, or read with
`catalogue(language).gettext(...)` / `.pgettext(...)`, which `makemessages` extracts like any other.
"""

import gettext
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def gettext_noop(message: str) -> str:
    """Marks a sentence for the catalogue; it is translated where it is used."""
    return message


@lru_cache(maxsize=16)
def catalogue(language: str) -> gettext.NullTranslations:
    """The UI catalogue for `language`; English, the language of the code, where there is none."""
    return gettext.translation("django", localedir=LOCALE_DIR, languages=[language], fallback=True)
