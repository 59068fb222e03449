"""New comments are analyzed in the background, after their transaction commits: those of new
responses, and those added later to a stored response (a respondent page saves answer by answer)."""

from glapp.core.events import domain_event


def on_domain_event(sender, name: str, organization_id: int, payload: dict, **kwargs) -> None:
    if name in ("responses.created", "responses.comments_added") and payload.get("comments", 1):
        from glapp.textanalytics.tasks import analyze_new_responses

        analyze_new_responses.enqueue(organization_id, payload["first_id"], payload["last_id"])


def connect() -> None:
    domain_event.connect(on_domain_event, dispatch_uid="textanalytics.analyze_new")
