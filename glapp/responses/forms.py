"""Forms of the import pages: the upload, and the column mapping built from the file's header."""

from django import forms
from django.utils.translation import gettext_lazy as _

from glapp.responses.importing.dates import LABELS
from glapp.responses.importing.layout import ANSWER, QUESTION
from glapp.responses.importing.mapping import normalize_name
from glapp.responses.importing.options import zone_choices
from glapp.responses.models import Channel
from glapp.responses.tabular import META_PREFIX, STANDARD_COLUMNS

MAX_UPLOAD_BYTES = 1024 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 GB."))
        return upload


class MappingForm(forms.Form):
    """One select per file column (`col_<n>`), the source name to save under, and defaults."""

    source = forms.CharField(label=_("Save this mapping as"), max_length=120,
                             help_text=_("Files of the same kind reuse it next time."))
    default_survey = forms.ChoiceField(label=_("Survey, for rows without one"), required=False)
    default_channel = forms.ChoiceField(label=_("Channel, for rows without one"), required=False,
                                        choices=[("", "—"), *Channel.choices])
    date_format = forms.ChoiceField(
        label=_("Dates are written as"), required=False,
        help_text=_("Detected when not chosen: the dry run says what it found, and the import waits for your "
                    "confirmation. A column whose days are all 12 or less is never guessed."))
    time_zone = forms.ChoiceField(label=_("Times without an offset are in"), required=False)

    def __init__(self, *args, header: list[str], question_keys: list[str], surveys: list[tuple[str, str]],
                 initial_mapping: dict[str, str], value_columns: list | None = None, customers_zone: str = "",
                 value_lists: dict[str, list[tuple[str, str]]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        self.fields["default_survey"].choices = [("", "—"), *surveys]
        self.fields["date_format"].choices = [("", _("Detect (and ask me)")), *LABELS.items()]
        self.fields["time_zone"].choices = [
            ("", _("The customers' time zone (%(zone)s)") % {"zone": customers_zone}),
            *((z, z) for z in zone_choices())]
        base = [("", _("(ignore)")),
                (_("glapp columns"), [(c, c) for c in STANDARD_COLUMNS]),
                (_("Long file (one row per answer)"), [(QUESTION, _("the question")), (ANSWER, _("the answer"))]),
                (_("Questions"), [(k, k) for k in question_keys])]
        for index, column in enumerate(header):
            initial = initial_mapping.get(column, "")
            meta = initial if initial.startswith(META_PREFIX) else META_PREFIX + (normalize_name(column) or "column")
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=column, required=False, choices=[*base, (_("Metadata"), [(meta, meta)])], initial=initial,
            )

        # Value maps: one text field per distinct value (empty = as written) and a "blank" box. A
        # column of touchpoints, units or surveys offers the organization's (by name or code).
        self.value_columns = []
        self.datalists = {}
        for index, column, values, initial, column_target in value_columns or []:
            rows = []
            attrs = {"size": 18}
            if (value_lists or {}).get(column_target):
                attrs["list"] = f"values-{column_target}"
                self.datalists[attrs["list"]] = value_lists[column_target]
            for n, value in enumerate(values):
                target = initial.get(value)
                self.fields[f"val_{index}_{n}"] = forms.CharField(
                    label=value, required=False, max_length=500, initial=target or "",
                    widget=forms.TextInput(attrs={**attrs, "placeholder": value[:60]}))
                self.fields[f"blank_{index}_{n}"] = forms.BooleanField(
                    label=_("blank"), required=False, initial=target == "")
                rows.append((value, self[f"val_{index}_{n}"], self[f"blank_{index}_{n}"]))
            self.value_columns.append((column, rows))
        self._value_specs = [spec[:4] for spec in value_columns or []]

    def column_fields(self):
        return [(column, self[f"col_{i}"]) for i, column in enumerate(self.header)]

    def options(self) -> dict:
        """Date format, time zone and value maps, as ImportOptions reads them."""
        values: dict[str, dict[str, str]] = {}
        for index, column, distinct, _initial in self._value_specs:
            for n, value in enumerate(distinct):
                if self.cleaned_data.get(f"blank_{index}_{n}"):
                    values.setdefault(column, {})[value] = ""
                elif (target := (self.cleaned_data.get(f"val_{index}_{n}") or "").strip()) and target != value:
                    values.setdefault(column, {})[value] = target
        return {"date_format": self.cleaned_data.get("date_format") or "",
                "time_zone": self.cleaned_data.get("time_zone") or "", "values": values}

    def mapping(self) -> dict[str, str]:
        return {column: self.cleaned_data.get(f"col_{i}") or "" for i, column in enumerate(self.header)}

    def defaults(self) -> dict[str, str]:
        out = {}
        if self.cleaned_data.get("default_survey"):
            out["survey"] = self.cleaned_data["default_survey"]
        if self.cleaned_data.get("default_channel"):
            out["channel"] = self.cleaned_data["default_channel"]
        return out
