"""The admin site's rules for tenant-owned rows (`OrgScopedModel`), shared by every app's admin.

The admin is for superusers, who see every organization, so its forms must do what the
product's own writes do by construction: a row inline under its parent belongs to the parent's
organization (it has no organization field of its own on the form, and an inline row once failed
with an integrity error for it), and no row may point at another organization's row.
"""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

OTHER_ORGANIZATION = _("This belongs to another organization.")


def _organization_id(form: forms.ModelForm) -> int | None:
    chosen = form.cleaned_data.get("organization") if "organization" in form.fields else None
    if chosen is not None:
        return chosen.pk
    return getattr(form.instance, "organization_id", None)


class OrgScopedModelForm(forms.ModelForm):
    """Refuses a reference (a select or a raw id) to a row of another organization."""

    def clean(self):
        cleaned = super().clean()
        org_id = _organization_id(self)
        if org_id is None:
            return cleaned
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or name == "organization":
                continue
            value = cleaned.get(name)
            values = value if isinstance(field, forms.ModelMultipleChoiceField) and value is not None else [value]
            if any(getattr(v, "organization_id", org_id) != org_id for v in values if v is not None):
                self.add_error(name, OTHER_ORGANIZATION)
        return cleaned


class OrgScopedInlineFormSet(BaseInlineFormSet):
    """Inline rows take their parent's organization before they are validated, so unique
    constraints that include the organization are checked on the form and the row is stored
    where its parent is."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.organization_id = self.instance.organization_id
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.instance.organization_id = self.instance.organization_id
        return form


class OrgScopedAdmin(admin.ModelAdmin):
    form = OrgScopedModelForm


class OrgScopedInline(admin.TabularInline):
    form = OrgScopedModelForm
    formset = OrgScopedInlineFormSet
    extra = 0
