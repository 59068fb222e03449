"""After a case is resolved, its customer is asked once whether they got help, and how likely
they are to recommend us now; the answer is linked to the case so recovery is measured.

The question is a survey of the organization's own (`case-follow-up`, made on first use, edited
like any other survey). Its invitation goes through distribution's rules without the frequency
cap, but never without consent, past an opt-out or a bounced address, or in quiet hours. Its
responses never run alert rules themselves: a still-unhappy answer reopens the case instead.
"""

from __future__ import annotations

from django.utils import timezone

from glapp.cases.models import Case, CaseActivity, CaseResponse, FollowUp

SURVEY_CODE = "case-follow-up"


def follow_up_survey(organization_id: int):
    """The organization's follow-up survey, made and published the first time it is needed."""
    from glapp.accounts.models import Organization
    from glapp.surveys import question_types as qt
    from glapp.surveys.actions import QuestionSpec, create_survey
    from glapp.surveys.models import Survey

    survey = Survey.objects.for_org(organization_id).filter(code=SURVEY_CODE).first()
    if survey is not None:
        return survey
    org = Organization.objects.get(pk=organization_id)
    return create_survey(
        org, name="Uppföljning av ärende / Case follow-up", code=SURVEY_CODE, languages=["sv", "en"],
        settings={"expires_after_days": 14},
        questions=[
            QuestionSpec("helped", qt.SINGLE, {"sv": "Fick du hjälp med det du hörde av dig om?",
                                               "en": "Did you get help with what you contacted us about?"},
                         options=["yes", "partly", "no"], required=True,
                         option_texts={"sv": {"yes": "Ja", "partly": "Delvis", "no": "Nej"},
                                       "en": {"yes": "Yes", "partly": "Partly", "no": "No"}}),
            QuestionSpec("nps", qt.NPS, {"sv": "Hur troligt är det att du skulle rekommendera oss till en vän?",
                                         "en": "How likely are you to recommend us to a friend?"}),
            QuestionSpec("comment", qt.TEXT, {"sv": "Vill du berätta något mer?",
                                              "en": "Is there anything else you would like to tell us?"}),
        ])


def follow_up_survey_id(organization_id: int) -> int | None:
    from glapp.surveys.models import Survey

    return Survey.objects.for_org(organization_id).filter(code=SURVEY_CODE).values_list("id", flat=True).first()


def schedule(case: Case) -> FollowUp | None:
    """The case's follow-up, once (a case resolved, reopened and resolved again asks once)."""
    from glapp.distribution.actions import Invited, invite_follow_up
    from glapp.responses.models import Answer

    if case.analysis_only or not case.customer_id or FollowUp.objects.filter(case=case).exists():
        return None
    survey = follow_up_survey(case.organization_id)
    prior = (Answer.objects.filter(response_id__in=CaseResponse.objects.filter(case=case).values("response_id"),
                                   question_type="nps", number__isnull=False)
             .order_by("number").values_list("number", flat=True).first())
    result = invite_follow_up(survey, case.customer_id, unit_id=case.unit_id, context={"case": f"#{case.pk}"})
    invited = isinstance(result, Invited)
    follow_up = FollowUp.objects.create(organization_id=case.organization_id, case=case, prior_nps=prior,
                                        invitation_id=result.invitation_id if invited else None,
                                        skipped="" if invited else str(result)[:40])
    CaseActivity.objects.create(organization_id=case.organization_id, case=case, kind=CaseActivity.Kind.FOLLOW_UP_SENT,
                                data={"invitation": follow_up.invitation_id, "skipped": follow_up.skipped})
    return follow_up


def record_answers(organization_id: int, response_ids, survey_id: int | None = None) -> list[int]:
    """Link completed follow-up responses to their cases; reopen a case whose customer says they
    got no help and is still a detractor. Returns the cases answered."""
    from glapp.distribution.models import Invitation
    from glapp.responses.models import Answer, Response, session_response_id

    rows = list(Response.objects.for_org(organization_id).filter(pk__in=list(response_ids))
                .values_list("id", "external_id", "survey_id"))
    survey_id = survey_id or follow_up_survey_id(organization_id)
    wanted = {ext: rid for rid, ext, of_survey in rows if of_survey == survey_id and ext.startswith("session:")}
    if not wanted:
        return []
    invitations = {session_response_id(token): inv_id for inv_id, token in
                   Invitation.objects.for_org(organization_id)
                   .filter(pk__in=FollowUp.objects.for_org(organization_id).filter(response__isnull=True)
                           .values("invitation_id")).values_list("id", "token")}
    answered = []
    for ext, rid in wanted.items():
        invitation_id = invitations.get(ext)
        follow_up = (FollowUp.objects.for_org(organization_id).select_related("case")
                     .filter(invitation_id=invitation_id, response__isnull=True).first() if invitation_id else None)
        if follow_up is None:
            continue
        answers = {key: (number, text) for key, number, text in
                   Answer.objects.filter(response_id=rid).values_list("question__key", "number", "text")}
        follow_up.response_id = rid
        follow_up.nps = (answers.get("nps") or (None, ""))[0]
        follow_up.helped = (answers.get("helped") or (None, ""))[1][:8]
        follow_up.answered_at = timezone.now()
        follow_up.save()
        case = follow_up.case
        CaseActivity.objects.create(organization_id=organization_id, case=case,
                                    kind=CaseActivity.Kind.FOLLOW_UP_ANSWERED,
                                    data={"response": rid, "helped": follow_up.helped, "nps": follow_up.nps,
                                          "recovered": follow_up.recovered})
        answered.append(case.pk)
        if follow_up.helped == "no" and follow_up.nps is not None and follow_up.nps <= 6:
            from glapp.cases.actions import reopen_after_follow_up

            reopen_after_follow_up(case)
    return answered
