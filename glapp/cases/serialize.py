"""Cases and alerts as the API and webhooks show them: one shape, written once."""

from __future__ import annotations

import datetime as dt

from glapp.cases.models import Case


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_data(case: Case) -> dict:
    """A case as `GET /api/v1/cases/{id}` returns it and `case.*` webhooks carry it: internal ids,
    codes and times; no comment text and no contact data (a reader fetches the response for those
    under their own rights)."""
    from glapp.accounts.models import Unit
    from glapp.cases.models import CaseResponse, RootCause
    from glapp.contacts.models import Customer

    units = dict(Unit.objects.filter(pk__in=[u for u in (case.unit_id, case.queue_id) if u])
                 .values_list("id", "code"))
    customer = (Customer.objects.filter(pk=case.customer_id).values_list("external_id", flat=True).first()
                if case.customer_id else None)
    root = (RootCause.objects.filter(pk=case.root_cause_id).values_list("code", flat=True).first()
            if case.root_cause_id else None)
    return {
        "id": case.id,
        "status": case.status,
        "priority": case.priority,
        "title": case.title,
        "owner_id": case.owner_id,
        "unit": units.get(case.unit_id),
        "queue": units.get(case.queue_id),
        "customer": customer,
        "response_ids": sorted(CaseResponse.objects.filter(case_id=case.id).values_list("response_id", flat=True)),
        "rule_id": case.rule_id,
        "analysis_only": case.analysis_only,
        "first_contact_due_at": _time(case.first_contact_due_at),
        "resolve_due_at": _time(case.resolve_due_at),
        "first_contacted_at": _time(case.first_contacted_at),
        "resolved_at": _time(case.resolved_at),
        "closed_at": _time(case.closed_at),
        "breached_at": _time(case.breached_at),
        "root_cause": root,
        "merged_into": case.merged_into_id,
        "created_at": _time(case.created_at),
        "updated_at": _time(case.updated_at),
    }


def alert_data(rule, subject, case: Case | None) -> dict:
    """An alert as `alert.triggered` webhooks carry it."""
    return {
        "rule": {"id": rule.id, "name": rule.name},
        "response_id": subject.response_id,
        "case_id": case.id if case is not None else None,
        "touchpoint": subject.facts.touchpoint or None,
        "unit_id": subject.unit_id,
        "scores": [{"question_id": qid, "kind": kind, "value": value} for qid, kind, value in subject.facts.scores],
    }
