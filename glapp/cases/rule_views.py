"""Alert rules in the web app: the list (each rule in words, with its matches of the last 30
days), the form that builds a rule's condition tree row by row (or as JSON), its live preview,
switching a rule on or off and deleting it. Rules belong to the whole organization: they are
changed by those who may change its settings ("write", no unit limit); everyone who may read
sees them."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from glapp.accounts.queries import Access, members_of
from glapp.accounts.web_access import member_view
from glapp.cases import actions, conditions, queries, rule_form
from glapp.cases.models import Priority
from glapp.core.errors import NotFound, ValidationFailed
from glapp.journeys.queries import touchpoints_of
from glapp.responses.queries import scoped_responses, with_details
from glapp.responses.rows import response_rows
from glapp.surveys.queries import survey_labels
from glapp.textanalytics.queries import topics_of
from glapp.textanalytics.rows import topic_name

PREVIEW_DAYS = 30


def may_edit_rules(access: Access) -> bool:
    return access.can_for_organization("write")


def _language() -> str:
    return (get_language() or "en")[:2]


def _choices(access: Access) -> dict[str, list[tuple[str, str]]]:
    """What the rows' item pickers offer: the organization's touchpoints, surveys, units, topics."""
    org = access.organization
    from glapp.accounts.models import Unit
    from glapp.textanalytics.analyzers.sentiment import LABELS

    return {
        "touchpoint": [(t.code, t.name) for t in touchpoints_of(org)],
        "survey": [(str(s[0]), s[2]) for s in survey_labels(org)],
        "unit": [(str(u.pk), u.name) for u in Unit.objects.for_org(org).order_by("path")],
        "topic": [(t.code, topic_name(t)) for t in topics_of(org.id) if t.active],
        "sentiment": [(label, _(conditions.SENTIMENT_NAMES[label])) for label in LABELS],
    }


def labels_for(choices: dict) -> dict:
    """`conditions.describe`'s names of codes and ids."""
    return {"touchpoint": dict(choices["touchpoint"]), "topic": dict(choices["topic"]),
            "survey": {int(k): v for k, v in choices["survey"]}, "unit": {int(k): v for k, v in choices["unit"]}}


def describe(tree, labels: dict) -> str:
    try:
        return conditions.describe(tree, _language(), labels)
    except (StopIteration, KeyError, TypeError, AttributeError):
        return json.dumps(tree, ensure_ascii=False)  # a tree stored before a rule of validation changed


@member_view
def rules(request: HttpRequest, access: Access) -> HttpResponse:
    choices = _choices(access)
    labels = labels_for(choices)
    counts = queries.rule_match_counts(access.organization_id, PREVIEW_DAYS)
    rows = [{"rule": r, "description": describe(r.conditions, labels), "matches": counts.get(r.pk, 0)}
            for r in queries.alert_rules(access.organization_id)]
    return render(request, "cases/rules.html", {"rows": rows, "may_edit": may_edit_rules(access),
                                                "days": PREVIEW_DAYS})


def _rule_or_404(access: Access, rule_id: int):
    try:
        return queries.alert_rule(access.organization_id, rule_id)
    except NotFound:
        raise Http404 from None


def _posted_tree(request: HttpRequest) -> tuple[dict | None, list, list[int], str, list[tuple[str, str]] | None]:
    """(tree, rows, row origins, advanced text, JSON syntax error) from the posted form."""
    advanced = request.POST.get("advanced", "").strip()
    rows = rule_form.rows_from_post(request.POST)
    if advanced:
        try:
            return json.loads(advanced), rows, [], advanced, None
        except ValueError as error:
            return None, rows, [], advanced, [("advanced", _("Not valid JSON: %(error)s") % {"error": error})]
    tree, origin = rule_form.tree_of_rows(rows, request.POST.get("combinator", "all"))
    return tree, rows, origin, "", None


def _validate(tree, rows, origin, advanced) -> tuple[list[str], list[tuple[str, str]]]:
    """(errors for the form's top, errors by node for the JSON box)."""
    if tree is None:
        return [_("Give at least one condition.")], []
    errors = conditions.validate(tree, _language())
    if not errors:
        return [], []
    if advanced:
        return [], errors
    return rule_form.row_errors(rows, origin, errors), []


@require_http_methods(["GET", "POST"])
@member_view
def edit_rule(request: HttpRequest, access: Access, rule_id: int | None = None) -> HttpResponse:
    rule = _rule_or_404(access, rule_id) if rule_id else None
    if not may_edit_rules(access):
        raise PermissionDenied
    choices = _choices(access)
    members = [m.user for m in members_of(access)]
    values = {"name": rule.name if rule else "", "active": rule.active if rule else True,
              "open_case": rule.open_case if rule else True, "priority": rule.priority if rule else Priority.NORMAL,
              "notify_users": [str(u) for u in (rule.notify_users if rule else [])],
              "notify_units": [str(u) for u in (rule.notify_units if rule else [])],
              "webhook": rule.webhook if rule else False}
    top_errors, node_errors, field_errors, preview = [], [], {}, None
    combinator, rows, advanced = "all", [], ""
    if rule is not None:
        fitted = rule_form.rows_of_tree(rule.conditions)
        if fitted is None:
            advanced = json.dumps(rule.conditions, ensure_ascii=False, indent=2)
        else:
            combinator, rows = fitted
    if request.method == "POST":
        values = {"name": request.POST.get("name", ""), "active": bool(request.POST.get("active")),
                  "open_case": bool(request.POST.get("open_case")),
                  "priority": int(request.POST.get("priority")) if request.POST.get("priority", "").isdigit() else 0,
                  "notify_users": request.POST.getlist("notify_users"),
                  "notify_units": request.POST.getlist("notify_units"), "webhook": bool(request.POST.get("webhook"))}
        combinator = "any" if request.POST.get("combinator") == "any" else "all"
        tree, rows, origin, advanced, syntax = _posted_tree(request)
        if syntax:
            node_errors = syntax
        else:
            top_errors, node_errors = _validate(tree, rows, origin, advanced)
        if not (top_errors or node_errors or any(r.errors for r in rows)):
            if request.POST.get("preview"):
                preview = _preview(access, tree)
            else:
                try:
                    saved = actions.save_rule(
                        access.organization_id, rule, name=values["name"], active=values["active"], conditions=tree,
                        open_case=values["open_case"], priority=values["priority"],
                        notify_users=[int(u) for u in values["notify_users"] if u.isdigit()],
                        notify_units=[int(u) for u in values["notify_units"] if u.isdigit()],
                        webhook=values["webhook"], created_by=request.user if rule is None else None)
                except ValidationFailed as refused:
                    for e in refused.errors:
                        field_errors.setdefault(e.field.split(".")[0], []).append(
                            _("This field is required.") if e.code == "required" else e.message)
                else:
                    messages.success(request, _("Alert rule “%(name)s” saved.") % {"name": saved.name})
                    return redirect("cases:rules")
    rows = rows + [rule_form.Row() for _blank in range(rule_form.BLANK_ROWS)]
    status = 422 if (top_errors or node_errors or field_errors or any(r.errors for r in rows)) else 200
    return render(request, "cases/rule_form.html", {
        "rule": rule, "values": values, "rows": rows, "combinator": combinator, "advanced": advanced,
        "top_errors": top_errors, "node_errors": node_errors, "field_errors": field_errors, "choices": choices,
        "kinds": _kind_names(), "score_kinds": conditions.SCORE_KINDS, "operators": list(conditions.OPERATORS),
        "members": members, "units": choices["unit"], "priorities": list(Priority.choices), "preview": preview,
        "days": PREVIEW_DAYS}, status=status)


def _kind_names() -> list[tuple[str, str]]:
    names = {"score": _("Score"), "touchpoint": _("Touchpoint"), "survey": _("Survey"), "unit": _("Unit (and below)"),
             "segment": _("Customer segment"), "attribute": _("Customer attribute"),
             "metadata": _("Response metadata"), "sentiment": _("Comment sentiment"), "topic": _("Comment topic"),
             "phrase": _("Phrase in the comment"), "channel": _("Channel"), "language": _("Language")}
    return [(k, names[k]) for k in rule_form.ROW_KINDS]


def _preview(access: Access, tree: dict) -> dict:
    result = queries.preview_rule(access, tree, PREVIEW_DAYS)
    responses = {r.pk: r for r in with_details(scoped_responses(access).filter(pk__in=result.examples))}
    examples = response_rows([responses[i] for i in result.examples if i in responses],
                             redact=not access.can("pii"))
    return {"result": result, "examples": examples}


@require_POST
@member_view
def preview(request: HttpRequest, access: Access) -> HttpResponse:
    """HTMX: what the rule as it stands in the form would have matched (nothing is stored)."""
    tree, rows, origin, advanced, syntax = _posted_tree(request)
    errors = [m for _p, m in syntax] if syntax else []
    if not errors:
        top, nodes = _validate(tree, rows, origin, advanced)
        errors = top + [m for r in rows for m in r.errors] + [f"{p}: {m}" for p, m in nodes]
    context = {"errors": errors, "days": PREVIEW_DAYS}
    if not errors:
        context["preview"] = _preview(access, tree)
    return render(request, "cases/_rule_preview.html", context)


@require_POST
@member_view
def switch_rule(request: HttpRequest, access: Access, rule_id: int) -> HttpResponse:
    rule = _rule_or_404(access, rule_id)
    if not may_edit_rules(access):
        raise PermissionDenied
    actions.save_rule(access.organization_id, rule, name=rule.name, active=not rule.active,
                      conditions=rule.conditions, open_case=rule.open_case, priority=rule.priority,
                      notify_users=rule.notify_users, notify_units=rule.notify_units, webhook=rule.webhook)
    messages.success(request, (_("“%(name)s” is on.") if rule.active else _("“%(name)s” is off."))
                     % {"name": rule.name})
    return redirect("cases:rules")


@require_http_methods(["GET", "POST"])
@member_view
def delete_rule(request: HttpRequest, access: Access, rule_id: int) -> HttpResponse:
    """GET asks to confirm; POST deletes (its cases stay, without their rule)."""
    rule = _rule_or_404(access, rule_id)
    if not may_edit_rules(access):
        raise PermissionDenied
    if request.method == "POST":
        actions.delete_rule(rule)
        messages.success(request, _("Alert rule “%(name)s” deleted.") % {"name": rule.name})
        return redirect("cases:rules")
    return render(request, "cases/rule_delete.html", {"rule": rule})
