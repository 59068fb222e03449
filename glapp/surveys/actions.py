"""Writes for surveys: create (blank, from a starter template or from code), edit settings and
questions, skip logic, archive, publish a frozen version.

Every write validates first and raises `ValidationFailed` naming each bad field (the builder
shows them next to the field, the API returns them as problem+json), then writes in one
transaction. Publishing runs the linter: errors block, warnings need the author's
acknowledgement, which is recorded with the version.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from glapp.accounts.models import Organization
from glapp.core import bulk
from glapp.core.errors import FieldError, GlappError, ValidationFailed
from glapp.journeys.models import Touchpoint
from glapp.surveys import queries
from glapp.surveys import question_types as qt
from glapp.surveys.models import Question, Survey, SurveyVersion

LANGUAGES = ("sv", "en")
CHOICE_TYPES = (qt.SINGLE, qt.MULTI)
MAX_QUESTIONS = 20
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
OPTION_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
UNSET = object()  # "not given", where None is a meaningful value (no scale top)
SETTINGS_FIELDS = ("name", "code", "kind", "touchpoint", "languages", "thank_you", "promoter_link",
                   "promoter_link_label", "invitation_delay_minutes", "reminder_after_days",
                   "expires_after_days", "widget_event", "widget_delay_seconds")


@dataclass
class QuestionSpec:
    key: str
    type: str
    texts: dict[str, str]
    options: list[str] = field(default_factory=list)
    required: bool = False
    scale_max: int | None = None
    option_texts: dict[str, dict[str, str]] = field(default_factory=dict)
    show_if: dict = field(default_factory=dict)


class PublishBlocked(GlappError):
    """The linter found errors (or unacknowledged warnings); `findings` says which."""

    def __init__(self, message: str, findings: list, code: str = "lint_errors", status: int = 422):
        super().__init__(message=message, code=code, status=status)
        self.findings = findings


# ---------------------------------------------------------------- validation (pure)


def _texts_errors(prefix: str, texts, languages: list[str], required: bool = True) -> list[FieldError]:
    if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
        return [FieldError(prefix, "must map a language code to a text")]
    errors = [FieldError(f"{prefix}.{lang}", f"'{lang}' is not one of the survey's languages")
              for lang in texts if lang not in languages]
    if required:
        errors += [FieldError(f"{prefix}.{lang}", "is required", "required")
                   for lang in languages if not (texts.get(lang) or "").strip()]
    errors += [FieldError(f"{prefix}.{lang}", "is longer than 1000 characters")
               for lang, text in texts.items() if len(text) > 1000]
    return errors


def question_errors(spec: QuestionSpec, languages: list[str], prefix: str = "") -> list[FieldError]:
    """What is wrong with one question on its own (skip logic is checked against the others)."""
    errors: list[FieldError] = []
    if not isinstance(spec.key, str) or not KEY_PATTERN.match(spec.key):
        errors.append(FieldError(f"{prefix}key", "use lowercase letters, digits and _, starting with a letter"))
    if spec.type not in qt.TYPES:
        errors.append(FieldError(f"{prefix}type", f"must be one of: {', '.join(qt.TYPES)}"))
    # An empty or untranslated text is the linter's finding (it blocks publishing, not saving a draft).
    errors += _texts_errors(f"{prefix}texts", spec.texts, languages, required=False)
    if spec.type in CHOICE_TYPES:
        if len(spec.options) < 2:
            errors.append(FieldError(f"{prefix}options", "a choice question needs at least two options"))
        bad = [o for o in spec.options if not isinstance(o, str) or not OPTION_PATTERN.match(o)]
        if bad:
            errors.append(FieldError(f"{prefix}options", "option codes use lowercase letters, digits, - and _"))
        if len(set(spec.options)) != len(spec.options):
            errors.append(FieldError(f"{prefix}options", "an option code is used twice"))
        if not isinstance(spec.option_texts, dict):
            errors.append(FieldError(f"{prefix}option_texts", "must map a language to {option: label}"))
        else:
            for lang, labels in spec.option_texts.items():
                if lang not in languages:
                    errors.append(FieldError(f"{prefix}option_texts.{lang}",
                                             f"'{lang}' is not one of the survey's languages"))
                elif not isinstance(labels, dict):
                    errors.append(FieldError(f"{prefix}option_texts.{lang}", "must map option codes to labels"))
                else:
                    errors += [FieldError(f"{prefix}option_texts.{lang}.{code}", "is not one of the options")
                               for code in labels if code not in spec.options]
    elif spec.options:
        errors.append(FieldError(f"{prefix}options", "only choice questions have options"))
    if spec.scale_max is not None:
        if spec.type != qt.RATING:
            errors.append(FieldError(f"{prefix}scale_max", "only rating questions have a scale top"))
        elif not (isinstance(spec.scale_max, int) and 2 <= spec.scale_max <= 10):
            errors.append(FieldError(f"{prefix}scale_max", "must be between 2 and 10"))
    return errors


def show_if_errors(show_if, earlier: list[QuestionSpec], field_name: str = "show_if") -> list[FieldError]:
    """Skip logic names an earlier question: a range on a score, or option codes of a choice."""
    if not show_if:
        return []
    if not isinstance(show_if, dict):
        return [FieldError(field_name, "must be an object")]
    unknown = set(show_if) - {"question", "min", "max", "in"}
    if unknown:
        return [FieldError(f"{field_name}.{sorted(unknown)[0]}", "is not a known field", "unknown_field")]
    by_key = {q.key: q for q in earlier}
    target = by_key.get(show_if.get("question"))
    if target is None:
        return [FieldError(f"{field_name}.question", "must name an earlier question")]
    has_range = "min" in show_if or "max" in show_if
    if has_range == ("in" in show_if):
        return [FieldError(field_name, "give either min/max or in")]
    if has_range:
        if target.type not in qt.SCORE_TYPES:
            return [FieldError(f"{field_name}.question", "min/max apply only to score questions")]
        spec = qt.TYPES[target.type]
        high = target.scale_max if target.type == qt.RATING and target.scale_max else spec.max
        errors = []
        for end in ("min", "max"):
            value = show_if.get(end)
            if end in show_if and (not isinstance(value, int) or isinstance(value, bool)
                                   or not spec.min <= value <= high):
                errors.append(FieldError(f"{field_name}.{end}", f"must be a whole number from {spec.min} to {high}"))
        if not errors and show_if.get("min") is not None and show_if.get("max") is not None \
                and show_if["min"] > show_if["max"]:
            errors.append(FieldError(f"{field_name}.max", "must not be below min"))
        return errors
    codes = show_if.get("in")
    allowed = qt.EMOTIONS if target.type == qt.EMOTION else target.options
    if target.type not in (*CHOICE_TYPES, qt.EMOTION):
        return [FieldError(f"{field_name}.question", "'in' applies only to choice questions")]
    if not isinstance(codes, list) or not codes:
        return [FieldError(f"{field_name}.in", "name at least one option")]
    bad = [c for c in codes if c not in allowed]
    if bad:
        return [FieldError(f"{field_name}.in", f"not an option of '{target.key}': {', '.join(map(str, bad))}")]
    return []


def definition_errors(specs: list[QuestionSpec], languages: list[str], prefix: str = "questions") -> list[FieldError]:
    errors: list[FieldError] = []
    if len(specs) > MAX_QUESTIONS:
        errors.append(FieldError(prefix, f"a survey has at most {MAX_QUESTIONS} questions"))
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        errors += question_errors(spec, languages, f"{prefix}.{i}.")
        if spec.key in seen:
            errors.append(FieldError(f"{prefix}.{i}.key", f"'{spec.key}' is used twice"))
        seen.add(spec.key)
        errors += show_if_errors(spec.show_if, specs[:i], f"{prefix}.{i}.show_if")
    return errors


def settings_errors(org: Organization, values: dict, survey: Survey | None = None) -> list[FieldError]:
    errors: list[FieldError] = []
    if "name" in values and not (values["name"] or "").strip():
        errors.append(FieldError("name", "is required", "required"))
    if "name" in values and len(values["name"] or "") > 200:
        errors.append(FieldError("name", "is longer than 200 characters"))
    if "code" in values:
        code = values["code"]
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            errors.append(FieldError("code", "use lowercase letters, digits, - and _"))
        elif Survey.objects.for_org(org).filter(code=code).exclude(pk=getattr(survey, "pk", None)).exists():
            errors.append(FieldError("code", f"'{code}' is already used by another survey", "taken"))
    if "kind" in values and values["kind"] not in Survey.Kind.values:
        errors.append(FieldError("kind", f"must be one of: {', '.join(Survey.Kind.values)}"))
    if "touchpoint" in values and values["touchpoint"] is not None \
            and values["touchpoint"].organization_id != org.id:
        errors.append(FieldError("touchpoint", "belongs to another organization"))
    if "languages" in values:
        langs = values["languages"]
        if not isinstance(langs, list) or not langs or any(lang not in LANGUAGES for lang in langs) \
                or len(set(langs)) != len(langs):
            errors.append(FieldError("languages", f"choose one or more of: {', '.join(LANGUAGES)}"))
    languages = values.get("languages") or (survey.languages if survey else list(LANGUAGES))
    for name in ("thank_you", "promoter_link_label"):
        if name in values:
            errors += _texts_errors(name, values[name], languages, required=False)
    for name, low, high in (("invitation_delay_minutes", 0, 60 * 24 * 30), ("reminder_after_days", 1, 60),
                            ("expires_after_days", 1, 365), ("widget_delay_seconds", 0, 600)):
        value = values.get(name)
        if name in values and value is not None and (not isinstance(value, int) or not low <= value <= high):
            errors.append(FieldError(name, f"must be a whole number from {low} to {high}"))
    if values.get("expires_after_days") is None and "expires_after_days" in values:
        errors.append(FieldError("expires_after_days", "is required", "required"))
    if "widget_event" in values and len(values["widget_event"] or "") > 80:
        errors.append(FieldError("widget_event", "is longer than 80 characters"))
    return errors


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors)


def spec_of(question: Question) -> QuestionSpec:
    return QuestionSpec(question.key, question.type, dict(question.texts), list(question.options),
                        question.required, question.scale_max, dict(question.option_texts),
                        dict(question.show_if or {}))


def unique_code(org: Organization, base: str) -> str:
    base = (slugify(base) or "survey")[:70]
    code, n = base, 2
    while Survey.objects.for_org(org).filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    return code


# ---------------------------------------------------------------- create


def create_survey(org: Organization, *, name: str, code: str, questions: list[QuestionSpec],
                  kind: str = Survey.Kind.TRANSACTIONAL, touchpoint: Touchpoint | None = None,
                  languages: list[str] | None = None, publish: bool = True, settings: dict | None = None,
                  lint_on_publish: bool = False) -> Survey:
    """Create a survey with its questions. `publish` freezes version 1 at once; seeded surveys
    (demo, tests, imports) are trusted, builder and API publishing go through `publish_survey`."""
    languages = languages or sorted({lang for q in questions for lang in q.texts}) or ["sv"]
    values = {"name": name, "code": code, "kind": kind, "touchpoint": touchpoint, "languages": languages,
              **(settings or {})}
    errors = settings_errors(org, values) + definition_errors(questions, languages)
    _raise(errors)
    with transaction.atomic():
        survey = Survey.objects.create(organization=org, **values)
        for pos, q in enumerate(questions):
            _create_question(survey, q, pos)
        if publish:
            if lint_on_publish:
                publish_survey(survey)
            else:
                _freeze(survey, [])
    return survey


def create_blank_survey(org: Organization, *, name: str, code: str = "", kind: str = Survey.Kind.TRANSACTIONAL,
                        touchpoint: Touchpoint | None = None, languages: list[str] | None = None) -> Survey:
    return create_survey(org, name=name, code=code or unique_code(org, name), questions=[], kind=kind,
                         touchpoint=touchpoint, languages=languages or ["sv", "en"], publish=False)


def create_survey_from_template(org: Organization, template: str, *, name: str = "", code: str = "",
                                kind: str | None = None, touchpoint: Touchpoint | None = None,
                                languages: list[str] | None = None, language: str = "sv") -> Survey:
    """A draft copied from a starter template, in the chosen languages (others' texts dropped);
    unnamed, it takes the template's name in `language` (the author's)."""
    definition = queries.starter_definition(template, language)
    if definition is None:
        raise ValidationFailed([FieldError("template", f"there is no starter template '{template}'")])
    languages = languages or list(definition.get("languages") or LANGUAGES)
    specs = [_spec_from_dict(q, languages) for q in definition.get("questions", [])]
    name = name or definition.get("name") or template
    settings = {"thank_you": _only(definition.get("thank_you") or {}, languages)}
    return create_survey(org, name=name, code=code or unique_code(org, name), questions=specs,
                         kind=kind or definition.get("kind") or Survey.Kind.TRANSACTIONAL, touchpoint=touchpoint,
                         languages=languages, publish=False, settings=settings)


def _only(texts, languages: list[str]) -> dict:
    return {lang: text for lang, text in (texts or {}).items() if lang in languages} if isinstance(texts, dict) \
        else texts


def _spec_from_dict(q: dict, languages: list[str] | None = None) -> QuestionSpec:
    texts, option_texts = q.get("texts") or {}, q.get("option_texts") or {}
    if languages is not None:
        texts, option_texts = _only(texts, languages), _only(option_texts, languages)
    return QuestionSpec(key=q.get("key"), type=q.get("type"), texts=texts, options=list(q.get("options") or []),
                        required=bool(q.get("required", False)), scale_max=q.get("scale_max"),
                        option_texts=option_texts, show_if=q.get("show_if") or {})


def _create_question(survey: Survey, q: QuestionSpec, position: int) -> Question:
    return Question.objects.create(organization_id=survey.organization_id, survey=survey, key=q.key, type=q.type,
                                    position=position, texts=q.texts, options=q.options, required=q.required,
                                    scale_max=q.scale_max, option_texts=q.option_texts, show_if=q.show_if)


# ---------------------------------------------------------------- settings


def update_survey_settings(survey: Survey, **values) -> Survey:
    """Change any of SETTINGS_FIELDS. Narrowing the languages drops nothing: texts stay stored."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    _raise([FieldError(name, "is not a setting", "unknown_field") for name in sorted(unknown)])
    org = survey.organization
    _raise(settings_errors(org, values, survey))
    with transaction.atomic():
        for name, value in values.items():
            setattr(survey, name, value)
        survey.save()
    return survey


def archive_survey(survey: Survey) -> Survey:
    """An archived survey takes no new answers; its responses still count everywhere."""
    survey.status = Survey.Status.ARCHIVED
    survey.save(update_fields=["status", "updated_at"])
    return survey


def unarchive_survey(survey: Survey) -> Survey:
    survey.status = Survey.Status.ACTIVE if survey.current_version_id else Survey.Status.DRAFT
    survey.save(update_fields=["status", "updated_at"])
    return survey


# ---------------------------------------------------------------- questions


def published_types(survey: Survey) -> dict[str, str]:
    """Question key → type in every published version. Respondents may be halfway through an
    old version, and their answers are filed under the question with that key, so a published
    key keeps its type for good (a question of another type needs a new key)."""
    types: dict[str, str] = {}
    for definition in survey.versions.values_list("definition", flat=True):
        for q in (definition or {}).get("questions") or []:
            if isinstance(q, dict) and q.get("key"):
                types.setdefault(q["key"], q.get("type"))
    return types


def _published_type_error(survey: Survey, key: str, qtype: str, field_name: str) -> FieldError | None:
    published = published_types(survey).get(key)
    if published and published != qtype:
        return FieldError(field_name, f"'{key}' was published as {published}; a question of another type "
                                      "needs a new key", "published_type")
    return None


def _new_key(survey: Survey, qtype: str) -> str:
    base = {qt.SINGLE: "choice", qt.MULTI: "choices", qt.TEXT: "comment"}.get(qtype, qtype)
    taken = set(survey.questions.values_list("key", flat=True)) | set(published_types(survey))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def add_question(survey: Survey, qtype: str, *, key: str = "", texts: dict | None = None,
                 options: list[str] | None = None, option_texts: dict | None = None, required: bool = False,
                 scale_max: int | None = None) -> Question:
    """Append a question. Without texts it starts with an empty wording the author fills in (the
    linter points at it), so adding never fails for want of a text."""
    if qtype not in qt.TYPES:
        raise ValidationFailed([FieldError("type", f"must be one of: {', '.join(qt.TYPES)}")])
    questions = list(survey.questions.order_by("position"))
    if len(questions) >= MAX_QUESTIONS:
        raise ValidationFailed([FieldError("questions", f"a survey has at most {MAX_QUESTIONS} questions")])
    key = key or _new_key(survey, qtype)
    if qtype in CHOICE_TYPES and not options:
        options = ["option_1", "option_2"]
    spec = QuestionSpec(key, qtype, texts or {}, options or [], required, scale_max, option_texts or {})
    errors = question_errors(spec, survey.languages)
    if key in {q.key for q in questions}:
        errors.append(FieldError("key", f"'{key}' is used twice"))
    if error := _published_type_error(survey, key, qtype, "key"):
        errors.append(error)
    _raise(errors)
    with transaction.atomic():
        return _create_question(survey, spec, (questions[-1].position + 1) if questions else 0)


def update_question(question: Question, *, type: str | None = None, texts: dict | None = None,
                    options: list[str] | None = None, option_texts: dict | None = None,
                    required: bool | None = None, scale_max: object = UNSET,
                    show_if: dict | None = None) -> Question:
    """Edit a question in place. The key never changes (answers and versions refer to it); the
    type only while nobody has answered; options with answers cannot be removed."""
    survey = question.survey
    spec = spec_of(question)
    if type is not None:
        spec.type = type
    if texts is not None:
        spec.texts = texts
    if options is not None:
        spec.options = options
    if option_texts is not None:
        spec.option_texts = option_texts
    elif options is not None and isinstance(spec.option_texts, dict):  # labels of removed options go with them
        spec.option_texts = {lang: {c: t for c, t in labels.items() if c in spec.options}
                             for lang, labels in spec.option_texts.items() if isinstance(labels, dict)}
    if required is not None:
        spec.required = required
    if scale_max is not UNSET:
        spec.scale_max = scale_max
    if show_if is not None:
        spec.show_if = show_if
    others = list(survey.questions.exclude(pk=question.pk).order_by("position"))
    earlier = [spec_of(q) for q in others if q.position < question.position]
    later = [q for q in others if q.position > question.position]
    errors = question_errors(spec, survey.languages) + show_if_errors(spec.show_if, earlier)
    if spec.type != question.type and queries.question_has_answers(question):
        errors.append(FieldError("type", "cannot change: this question already has answers", "has_answers"))
    elif spec.type != question.type and (error := _published_type_error(survey, question.key, spec.type, "type")):
        errors.append(error)
    # A later question's skip logic must still hold for this question's new type and options.
    for q in later:
        if q.show_if.get("question") == question.key:
            errors += [FieldError("options" if "in" in q.show_if else "type",
                                  f"question '{q.key}' depends on it: {e.message}", "breaks_skip_logic")
                       for e in show_if_errors(q.show_if, [*earlier, spec])]
    _raise(errors)
    with transaction.atomic():
        question.type, question.texts, question.options = spec.type, spec.texts, spec.options
        question.option_texts = {lang: {c: t for c, t in labels.items() if c in spec.options}
                                 for lang, labels in spec.option_texts.items()}
        question.required, question.scale_max, question.show_if = spec.required, spec.scale_max, spec.show_if
        question.save()
        survey.save(update_fields=["updated_at"])
    return question


def set_skip_logic(question: Question, show_if: dict) -> Question:
    """`{}` shows the question always; otherwise see `show_if_errors` for what is allowed."""
    return update_question(question, show_if=show_if or {})


def delete_question(question: Question) -> None:
    """Answered questions stay (responses and published versions refer to them)."""
    errors = []
    if queries.question_has_answers(question):
        errors.append(FieldError("question", "cannot delete: this question already has answers", "has_answers"))
    dependants = list(question.survey.questions.filter(show_if__question=question.key).values_list("key", flat=True))
    if dependants:
        errors.append(FieldError("question", f"cannot delete: {', '.join(dependants)} show only depending on it",
                                 "breaks_skip_logic"))
    _raise(errors)
    with transaction.atomic():
        question.delete()
        _renumber(question.survey)


def _renumber(survey: Survey) -> None:
    for pos, q in enumerate(survey.questions.order_by("position", "id")):
        if q.position != pos:
            Question.objects.filter(pk=q.pk).update(position=pos)


def move_question(question: Question, step: int) -> None:
    """Move up (−1) or down (+1). Refused when skip logic would refer to a later question."""
    survey = question.survey
    questions = list(survey.questions.order_by("position", "id"))
    i = next(n for n, q in enumerate(questions) if q.pk == question.pk)
    j = i + step
    if not 0 <= j < len(questions):
        return
    questions[i], questions[j] = questions[j], questions[i]
    specs = [spec_of(q) for q in questions]
    errors = [FieldError("position", f"cannot move: {e.message}", "breaks_skip_logic")
              for n, s in enumerate(specs) for e in show_if_errors(s.show_if, specs[:n])]
    _raise(errors[:1])
    with transaction.atomic():
        for pos, q in enumerate(questions):
            Question.objects.filter(pk=q.pk).update(position=pos)
        survey.save(update_fields=["updated_at"])


def replace_definition(survey: Survey, settings: dict, questions: list[dict]) -> Survey:
    """Replace settings and questions at once (the API's PUT). Questions are matched by key:
    existing ones are updated (type fixed once answered), new ones created, missing ones deleted
    (refused when answered)."""
    languages = settings.get("languages") or survey.languages
    specs = [_spec_from_dict(q) for q in questions]
    errors = settings_errors(survey.organization, settings, survey) + definition_errors(specs, languages)
    existing = {q.key: q for q in survey.questions.all()}
    for i, spec in enumerate(specs):
        old = existing.get(spec.key)
        if old is not None and old.type != spec.type and queries.question_has_answers(old):
            errors.append(FieldError(f"questions.{i}.type", "cannot change: this question already has answers",
                                     "has_answers"))
        elif error := _published_type_error(survey, spec.key, spec.type, f"questions.{i}.type"):
            errors.append(error)
    wanted = {s.key for s in specs}
    for key, old in existing.items():
        if key not in wanted and queries.question_has_answers(old):
            errors.append(FieldError("questions", f"'{key}' has answers and cannot be removed", "has_answers"))
    _raise(errors)
    with transaction.atomic():
        for name, value in settings.items():
            setattr(survey, name, value)
        survey.save()
        for key, old in existing.items():
            if key not in wanted:
                old.delete()
        for pos, spec in enumerate(specs):
            old = existing.get(spec.key)
            if old is None:
                _create_question(survey, spec, pos)
                continue
            old.type, old.texts, old.options, old.option_texts = spec.type, spec.texts, spec.options, spec.option_texts
            old.required, old.scale_max, old.show_if, old.position = spec.required, spec.scale_max, spec.show_if, pos
            old.save()
    return survey


# ---------------------------------------------------------------- publish


def publish_survey(survey: Survey, *, acknowledge_warnings: bool = False, by: str = "",
                   language: str = "en") -> SurveyVersion:
    """Freeze the current definition as the next version, after the linter.

    Errors block. Warnings block too unless the author acknowledged them; the acknowledged
    warnings are stored with the version, so it is known later what the author chose to accept.
    """
    definition = queries.definition_of(survey)
    report = queries.lint_definition(definition, language)
    if report.errors:
        raise PublishBlocked("The linter found errors; fix them before publishing.", report.errors)
    # What the builder's saves already enforce, checked again: data may have been edited elsewhere.
    errors = definition_errors([_spec_from_dict(q) for q in definition["questions"]], survey.languages)
    if not definition["questions"]:
        errors.append(FieldError("questions", "a survey needs at least one question", "required"))
    _raise(errors)
    if report.warnings and not acknowledge_warnings:
        raise PublishBlocked("The linter found warnings; confirm to publish anyway.", report.warnings,
                             code="lint_warnings_unconfirmed", status=409)
    seen = [{"code": f.code, "question": f.question, "language": f.language, "message": f.message}
            for f in report.warnings]
    return _freeze(survey, seen, by)


def _freeze(survey: Survey, acknowledged: list[dict], by: str = "") -> SurveyVersion:
    with transaction.atomic():
        definition = queries.definition_of(survey)
        current = survey.current_version
        if current is not None and {k: v for k, v in current.definition.items()
                                    if k != "acknowledged_warnings"} == definition:
            # Nothing changed since the current version: publishing again is not a new version
            # (it would split the survey's results by version for no reason).
            if survey.status not in (Survey.Status.ACTIVE, Survey.Status.ARCHIVED):
                survey.status = Survey.Status.ACTIVE
                survey.save(update_fields=["status", "updated_at"])
            return current
        if acknowledged:
            definition["acknowledged_warnings"] = {"by": by, "findings": acknowledged}
        number = (survey.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = SurveyVersion.objects.create(organization_id=survey.organization_id, survey=survey,
                                               number=number, definition=definition, published_at=timezone.now())
        survey.current_version = version
        if survey.status != Survey.Status.ARCHIVED:
            survey.status = Survey.Status.ACTIVE
        survey.save(update_fields=["current_version", "status", "updated_at"])
    return version


# --- Answered questions -----------------------------------------------------------------------


def mark_answered(question_ids) -> int:
    """Note that these questions have answers, in the caller's (the answers') transaction. Only
    rows still unmarked are updated: for a question already answered this is an index lookup
    that writes and locks nothing, so concurrent answers to one question do not queue on it.
    Plain SQL: it runs on every response stored, and the ORM's update costs more than the lookup."""
    return bulk.set_flag(Question, "answered", sorted({int(i) for i in question_ids if i}))
