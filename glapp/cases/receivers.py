"""What the cases app hears from the apps below it. Rules are decided in the transaction that
makes a response ready (complete, or its comment analysed), so a case commits with its cause or
not at all (`cases/evaluation.py`); a new organization gets its root-cause list as it is made."""

from glapp.core import events


def on_response_completed(event: events.ResponseCompleted) -> None:
    from glapp.cases.actions import evaluate_completed

    evaluate_completed(event.organization_id, event.response_ids, event.source, event.import_job_id)


def on_analysis_stored(event: events.AnalysisStored) -> None:
    from glapp.cases.actions import evaluate_analysed

    evaluate_analysed(event.organization_id, event.answer_ids)


def on_organization_created(event: events.OrganizationCreated) -> None:
    from glapp.cases.seeds import seed_reply_templates, seed_root_causes

    seed_root_causes(event.organization_id)
    seed_reply_templates(event.organization_id)


def on_membership_changed(event: events.MembershipChanged) -> None:
    from glapp.cases.actions import return_cases_of

    return_cases_of(event.organization_id, event.user_id)


def connect() -> None:
    events.MembershipChanged.connect(on_membership_changed)
    events.ResponseCompleted.connect(on_response_completed)
    events.AnalysisStored.connect(on_analysis_stored)
    events.OrganizationCreated.connect(on_organization_created)
