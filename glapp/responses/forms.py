"""Forms of the import pages: the upload, and the column mapping built from the file's header."""

from django import forms
from django.utils.translation import gettext_lazy as _

from glapp.responses.importing.mapping import normalize_name
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

    def __init__(self, *args, header: list[str], question_keys: list[str], surveys: list[tuple[str, str]],
                 initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        self.fields["default_survey"].choices = [("", "—"), *surveys]
        base = [("", _("(ignore)")),
                (_("glapp columns"), [(c, c) for c in STANDARD_COLUMNS]),
                (_("Questions"), [(k, k) for k in question_keys])]
        for index, column in enumerate(header):
            initial = initial_mapping.get(column, "")
            meta = initial if initial.startswith(META_PREFIX) else META_PREFIX + (normalize_name(column) or "column")
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=column, required=False, choices=[*base, (_("Metadata"), [(meta, meta)])], initial=initial,
            )

    def column_fields(self):
        return [(column, self[f"col_{i}"]) for i, column in enumerate(self.header)]

    def mapping(self) -> dict[str, str]:
        return {column: self.cleaned_data.get(f"col_{i}") or "" for i, column in enumerate(self.header)}

    def defaults(self) -> dict[str, str]:
        out = {}
        if self.cleaned_data.get("default_survey"):
            out["survey"] = self.cleaned_data["default_survey"]
        if self.cleaned_data.get("default_channel"):
            out["channel"] = self.cleaned_data["default_channel"]
        return out
