"""Number formatting for templates, the same as the journey and trend pages' `fmt`: localized
(a Swedish decimal comma), rounded before cutting decimals, and a true minus sign, so a score
reads "−52" on every page rather than "-52" on some."""

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def score(value, decimals: int = 0) -> str:
    if value is None or value == "":
        return "–"
    rounded = round(float(value), int(decimals)) or 0.0  # never "−0"
    return formats.number_format(rounded, int(decimals), use_l10n=True).replace("-", "−")
