"""Builder forms: they turn posted fields into the arguments of `actions`, and put the
actions' field errors back next to the fields they name. No rule lives here twice: what is a
valid survey is decided by `actions`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from glapp.core.errors import ValidationFailed
from glapp.journeys.queries import touchpoints_of
from glapp.surveys import question_types as qt
from glapp.surveys.actions import CHOICE_TYPES, LANGUAGES
from glapp.surveys.models import Question, Survey

LANGUAGE_NAMES = {"sv": _("Swedish"), "en": _("English")}
LANGUAGE_CHOICES = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


def add_action_errors(form: forms.Form, exc: ValidationFailed, fields: dict[str, str] | None = None) -> None:
    """Attach each FieldError to the form field it names (a dotted path mapped by `fields`, or
    the same name), else to the form as a whole."""
    fields = fields or {}
    for error in exc.errors:
        name = fields.get(error.field) or fields.get(error.field.split(".")[0])
        if name is None and error.field.replace(".", "_") in form.fields:
            name = error.field.replace(".", "_")
        if name is None and error.field in form.fields:
            name = error.field
        form.add_error(name if name in form.fields else None, error.message)


def _touchpoint_field(organization) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(label=_("Touchpoint"), queryset=touchpoints_of(organization), required=False,
                                   empty_label=_("None (relationship survey)"))
    field.label_from_instance = lambda tp: f"{tp.stage.journey.name} › {tp.stage.name} › {tp.name}"
    return field


class NewSurveyForm(forms.Form):
    template = forms.ChoiceField(label=_("Start from"), required=False, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Empty: the template's name."))
    code = forms.CharField(label=_("Code"), max_length=80, required=False,
                           help_text=_("Used by imports and the API. Empty: made from the name."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Survey.Kind.choices, initial=Survey.Kind.TRANSACTIONAL)
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=LANGUAGE_CHOICES, initial=["sv", "en"],
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, organization, templates, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"] = _touchpoint_field(organization)
        self.fields["template"].choices = [("", _("Blank survey"))] + [
            (t.code, _template_label(t, language)) for t in templates]

    def clean(self):
        data = super().clean()
        if not data.get("template") and not (data.get("name") or "").strip():
            self.add_error("name", _("Give a blank survey a name."))
        return data


def _template_label(template, language: str) -> str:
    return template.name_in(language) or template.code


def template_description(template, language: str) -> str:
    return template.description_in(language)


class SettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=Survey.Kind.choices)
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=LANGUAGE_CHOICES,
                                          widget=forms.CheckboxSelectMultiple)
    promoter_link = forms.URLField(label=_("Link offered to promoters"), required=False, assume_scheme="https",
                                   help_text=_("For example your review page. Shown to those who answer 9–10."))
    invitation_delay_minutes = forms.IntegerField(label=_("Invite after (minutes)"), min_value=0)
    reminder_after_days = forms.IntegerField(label=_("Remind after (days)"), min_value=1, required=False,
                                             help_text=_("Empty: never remind."))
    expires_after_days = forms.IntegerField(label=_("Link expires after (days)"), min_value=1)
    widget_event = forms.CharField(label=_("Widget shows after event"), max_length=80, required=False,
                                   help_text=_("Empty: the website widget does not show this survey."))
    widget_delay_seconds = forms.IntegerField(label=_("Widget delay (seconds)"), min_value=0)

    def __init__(self, *args, survey: Survey, **kwargs):
        initial = {name: getattr(survey, name) for name in (
            "name", "code", "kind", "languages", "promoter_link", "invitation_delay_minutes",
            "reminder_after_days", "expires_after_days", "widget_event", "widget_delay_seconds")}
        initial["touchpoint"] = survey.touchpoint_id
        for lang in LANGUAGES:
            initial[f"thank_you_{lang}"] = (survey.thank_you or {}).get(lang, "")
            initial[f"promoter_link_label_{lang}"] = (survey.promoter_link_label or {}).get(lang, "")
        super().__init__(*args, initial=initial, prefix="settings", **kwargs)
        self.fields["touchpoint"] = _touchpoint_field(survey.organization)
        for lang in LANGUAGES:
            name = LANGUAGE_NAMES[lang]
            self.fields[f"thank_you_{lang}"] = forms.CharField(
                label=_("Thank-you text (%(language)s)") % {"language": name}, required=False, max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"promoter_link_label_{lang}"] = forms.CharField(
                label=_("Promoter link text (%(language)s)") % {"language": name}, required=False, max_length=200)

    def values(self) -> dict:
        d = self.cleaned_data
        languages = list(d["languages"])
        return {
            "name": d["name"].strip(), "code": d["code"].strip(), "kind": d["kind"], "touchpoint": d["touchpoint"],
            "languages": languages, "promoter_link": d["promoter_link"],
            "thank_you": {lang: d[f"thank_you_{lang}"].strip() for lang in languages if d[f"thank_you_{lang}"].strip()},
            "promoter_link_label": {lang: d[f"promoter_link_label_{lang}"].strip() for lang in languages
                                    if d[f"promoter_link_label_{lang}"].strip()},
            "invitation_delay_minutes": d["invitation_delay_minutes"],
            "reminder_after_days": d["reminder_after_days"],
            "expires_after_days": d["expires_after_days"],
            "widget_event": d["widget_event"].strip(),
            "widget_delay_seconds": d["widget_delay_seconds"],
        }


class AddQuestionForm(forms.Form):
    type = forms.ChoiceField(label=_("Question type"), choices=Question.TYPE_CHOICES)


class QuestionForm(forms.Form):
    """One question: wording per language, options with labels, required, skip logic."""

    required = forms.BooleanField(label=_("Required"), required=False)
    show_if_question = forms.ChoiceField(label=_("Show only if"), required=False)
    show_if_min = forms.IntegerField(label=_("is at least"), required=False)
    show_if_max = forms.IntegerField(label=_("and at most"), required=False)
    show_if_in = forms.MultipleChoiceField(label=_("is one of"), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 4}))

    def __init__(self, *args, question: Question, survey: Survey, earlier: list[Question],
                 type_locked: bool = False, **kwargs):
        self.question, self.survey, self.languages = question, survey, list(survey.languages)
        show_if = question.show_if or {}
        initial = {"required": question.required, "show_if_question": show_if.get("question", ""),
                   "show_if_min": show_if.get("min"), "show_if_max": show_if.get("max"),
                   "show_if_in": [f"{show_if.get('question')}:{c}" for c in show_if.get("in", [])],
                   "type": question.type, "scale_max": question.scale_max}
        for lang in self.languages:
            initial[f"text_{lang}"] = question.texts.get(lang, "")
        self.option_rows = len(question.options) + 1  # the empty row adds an option
        for i, code in enumerate(question.options):
            initial[f"option_code_{i}"] = code
            for lang in self.languages:
                initial[f"option_{lang}_{i}"] = (question.option_texts.get(lang) or {}).get(code, "")
        super().__init__(*args, initial=initial, prefix=f"q{question.pk}", **kwargs)
        if self.is_bound:  # rows added in the browser are posted as more numbered fields
            posted = {k for k in self.data if k.startswith(f"{self.prefix}-option_code_")}
            self.option_rows = max(self.option_rows, len(posted))
        self.type_locked = type_locked
        self.fields["type"] = forms.ChoiceField(label=_("Type"), choices=Question.TYPE_CHOICES, disabled=type_locked,
                                                help_text=_("Fixed once the question has answers.") if type_locked
                                                else "")
        for lang in self.languages:
            self.fields[f"text_{lang}"] = forms.CharField(
                label=LANGUAGE_NAMES.get(lang, lang), required=False, max_length=1000,
                widget=forms.Textarea(attrs={"rows": 3, "lang": lang}))
        self.has_options = question.type in CHOICE_TYPES
        if self.has_options:
            for i in range(self.option_rows):
                self.fields[f"option_code_{i}"] = forms.SlugField(label=_("Code"), required=False, max_length=80)
                for lang in self.languages:
                    self.fields[f"option_{lang}_{i}"] = forms.CharField(
                        label=LANGUAGE_NAMES.get(lang, lang), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"lang": lang}))
        self.has_scale = question.type == qt.RATING
        if self.has_scale:
            self.fields["scale_max"] = forms.IntegerField(label=_("Scale top"), required=False, min_value=2,
                                                          max_value=10)
        self.fields["show_if_question"].choices = [("", _("always show"))] + [
            (q.key, f"{q.key}: {q.text(get_language_of(survey))[:60]}") for q in earlier]
        self.fields["show_if_in"].choices = [
            (q.key, [(f"{q.key}:{code}", _option_label(q, code, survey)) for code in _codes(q)])
            for q in earlier if _codes(q)]
        self.condition_kinds = {q.key: ("range" if q.type in qt.SCORE_TYPES else "in") for q in earlier
                                if q.type in qt.SCORE_TYPES or _codes(q)}

    def option_fields(self) -> list[dict]:
        return [{"code": self[f"option_code_{i}"],
                 "labels": [self[f"option_{lang}_{i}"] for lang in self.languages]}
                for i in range(self.option_rows)]

    def text_fields(self) -> list:
        return [self[f"text_{lang}"] for lang in self.languages]

    def changes(self) -> dict:
        """Keyword arguments for `actions.update_question`."""
        d = self.cleaned_data
        changes: dict = {"texts": {lang: d[f"text_{lang}"].strip() for lang in self.languages},
                         "required": d["required"]}
        if not self.type_locked and d.get("type"):
            changes["type"] = d["type"]
        if self.has_options:
            options, labels = [], {lang: {} for lang in self.languages}
            for i in range(self.option_rows):
                code = (d.get(f"option_code_{i}") or "").strip()
                if not code:
                    continue
                options.append(code)
                for lang in self.languages:
                    label = (d.get(f"option_{lang}_{i}") or "").strip()
                    if label:
                        labels[lang][code] = label
            changes["options"], changes["option_texts"] = options, {k: v for k, v in labels.items() if v}
        if self.has_scale:
            changes["scale_max"] = d.get("scale_max")
        # A new type brings what it needs: starter options for a choice, none for anything else.
        new_type = changes.get("type", self.question.type)
        if new_type != self.question.type:
            if new_type in CHOICE_TYPES and not changes.get("options"):
                changes["options"], changes["option_texts"] = ["option_1", "option_2"], {}
            elif new_type not in CHOICE_TYPES:
                changes["options"], changes["option_texts"] = [], {}
            if new_type != qt.RATING:
                changes["scale_max"] = None
        target = d.get("show_if_question")
        if not target:
            changes["show_if"] = {}
        elif self.condition_kinds.get(target) == "in":
            changes["show_if"] = {"question": target, "in": [v.split(":", 1)[1] for v in d.get("show_if_in", [])
                                                             if v.split(":", 1)[0] == target]}
        else:
            show_if = {"question": target}
            for end in ("min", "max"):
                if d.get(f"show_if_{end}") is not None:
                    show_if[end] = d[f"show_if_{end}"]
            if len(show_if) == 1:  # a range with no ends: ask for one (validated in actions)
                show_if["min"] = None
            changes["show_if"] = show_if
        return changes

    def add_errors(self, exc: ValidationFailed) -> None:
        mapping = {f"texts.{lang}": f"text_{lang}" for lang in self.languages}
        mapping.update({"show_if.question": "show_if_question", "show_if.min": "show_if_min",
                        "show_if.max": "show_if_max", "show_if.in": "show_if_in", "show_if": "show_if_question",
                        "type": "type", "scale_max": "scale_max" if self.has_scale else None, "required": "required"})
        add_action_errors(self, exc, {k: v for k, v in mapping.items() if v})


def _codes(q: Question) -> list[str]:
    if q.type == qt.EMOTION:
        return list(qt.EMOTIONS)
    return list(q.options) if q.type in CHOICE_TYPES else []


def _option_label(q: Question, code: str, survey: Survey) -> str:
    label = (q.option_texts.get(get_language_of(survey)) or {}).get(code)
    return f"{code} ({label})" if label else code


def get_language_of(survey: Survey) -> str:
    from django.utils.translation import get_language

    ui = (get_language() or "en")[:2]
    return ui if ui in survey.languages else (survey.languages[0] if survey.languages else "sv")
