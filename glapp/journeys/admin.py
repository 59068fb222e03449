from django.contrib import admin
from django.db.models import Max

from glapp.core.admin import OrgScopedAdmin, OrgScopedInline, OrgScopedInlineFormSet, OrgScopedModelForm
from glapp.journeys.actions import code_for
from glapp.journeys.models import Journey, Stage, Touchpoint


class _CodedForm(OrgScopedModelForm):
    """Code and position may be left empty: they are then derived like the journey editor's
    (a unique slug of the name, the end of the list)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("code", "position"):
            if name in self.fields:
                self.fields[name].required = False


class StageFormSet(OrgScopedInlineFormSet):
    def clean(self):
        forms = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f) and f.cleaned_data]
        # Codes and positions the rows of this form already name, or the stored stages keep.
        stored = Stage.objects.filter(journey_id=self.instance.pk) if self.instance.pk else Stage.objects.none()
        edited = {f.instance.pk for f in self.forms if f.instance.pk}
        taken = set(stored.exclude(pk__in=edited).values_list("code", flat=True))
        kept = [f for f in self.forms if getattr(f, "cleaned_data", None) and not self._should_delete_form(f)]
        taken |= {f.cleaned_data["code"] for f in kept if f.cleaned_data.get("code")}
        last = stored.exclude(pk__in=edited).aggregate(last=Max("position"))["last"]
        positions = [p for p in [last, *(f.cleaned_data.get("position") for f in kept)] if p is not None]
        next_position = max(positions) + 1 if positions else 0
        for form in forms:
            if not form.cleaned_data.get("code"):
                code = code_for(form.cleaned_data.get("name", ""), taken)
                taken.add(code)
                form.cleaned_data["code"] = form.instance.code = code
            if form.cleaned_data.get("position") is None:
                form.cleaned_data["position"] = form.instance.position = next_position
                next_position += 1
        super().clean()


class StageInline(OrgScopedInline):
    model = Stage
    form = _CodedForm
    formset = StageFormSet
    fields = ("name", "code", "position")


@admin.register(Journey)
class JourneyAdmin(OrgScopedAdmin):
    list_display = ("name", "code", "organization")
    list_filter = ("organization",)
    inlines = [StageInline]


class TouchpointForm(_CodedForm):
    def clean(self):
        cleaned = super().clean()
        stage, org = cleaned.get("stage"), cleaned.get("organization")
        if stage is None or org is None or self.errors:
            return cleaned
        if not cleaned.get("code"):
            taken = set(Touchpoint.objects.for_org(org).exclude(pk=self.instance.pk).values_list("code", flat=True))
            cleaned["code"] = code_for(cleaned.get("name", ""), taken)
        if cleaned.get("position") is None:
            last = Touchpoint.objects.filter(stage=stage).exclude(pk=self.instance.pk).aggregate(m=Max("position"))["m"]
            cleaned["position"] = 0 if last is None else last + 1
        return cleaned


@admin.register(Touchpoint)
class TouchpointAdmin(OrgScopedAdmin):
    form = TouchpointForm
    list_display = ("name", "code", "stage", "organization", "position")
    list_filter = ("organization",)
