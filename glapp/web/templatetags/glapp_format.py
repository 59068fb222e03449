"""Template access to `web.numbers`: `{{ value|score }}` writes a score as every page does."""

from django import template

from glapp.core.numbers import number

register = template.Library()


@register.filter
def score(value, decimals: int = 0) -> str:
    return number(value, int(decimals))
