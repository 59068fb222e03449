"""Which of a survey's languages a respondent sees, and what the language switch offers.

The order: the language the link or the switch asks for (`?lang=`), then the browser's
`Accept-Language` among the survey's languages (its regional variants included: `en-GB` reads
the English texts), then the organization's default language if the survey speaks it, then the
survey's first language. A language the survey has no texts in is never chosen.
"""

from django.utils.translation import get_language_info
from django.utils.translation.trans_real import parse_accept_lang_header


def browser_languages(request) -> str:
    """The request's Accept-Language: the UI's middleware (web/middleware.py) takes it out of
    the headers so staff pages ignore it, and keeps it aside for these pages."""
    return getattr(request, "browser_languages", None) or request.headers.get("Accept-Language", "")


def _base(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]


def from_accept_language(header: str, languages: list[str]) -> str:
    """The survey language the browser prefers most (by q-value), or "" when it names none."""
    offered = {_base(code): code for code in languages}
    for code, _quality in parse_accept_lang_header(header or ""):
        if code != "*" and _base(code) in offered:
            return offered[_base(code)]
    return ""


def choose(languages: list[str], *, requested: str = "", accept: str = "", default: str = "") -> str:
    if not languages:
        return requested or default
    if requested in languages:
        return requested
    return from_accept_language(accept, languages) or (default if default in languages else languages[0])


def switch_options(languages: list[str], current: str) -> list[dict]:
    """The switch's entries, each named in its own language ("Svenska", "English") so a reader
    who cannot read the current one still finds theirs; none for a survey in one language."""
    if len(languages) < 2:
        return []
    return [{"code": code, "name": _own_name(code), "current": code == current} for code in languages]


def _own_name(code: str) -> str:
    try:
        name = get_language_info(code)["name_local"]
    except KeyError:
        return code
    return name[:1].upper() + name[1:]
