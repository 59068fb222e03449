"""The builder's read-only view: a form field's value as a reader sees it (labels, not codes)."""

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()
EMPTY = "–"


def _labels(choices) -> dict[str, str]:
    out = {}
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # a group of choices
            out.update(_labels(label))
        else:
            out[str(value)] = str(label)
    return out


@register.filter
def shown_value(bound_field) -> str:
    field, value = bound_field.field, bound_field.value()
    if isinstance(field, forms.BooleanField):
        return _("Yes") if value else _("No")
    if value in (None, "", [], ()):
        return EMPTY
    if isinstance(field, forms.ChoiceField):
        labels = _labels(field.choices)
        values = value if isinstance(value, (list, tuple)) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    return str(value)
