"""New responses are analyzed in the background, after their transaction commits."""

from glapp.core.events import domain_event


def on_domain_event(sender, name: str, organization_id: int, payload: dict, **kwargs) -> None:
    if name == "responses.created" and payload.get("comments", 1):
        from glapp.textanalytics.tasks import analyze_new_responses

        analyze_new_responses.enqueue(organization_id, payload["first_id"], payload["last_id"])


def connect() -> None:
    domain_event.connect(on_domain_event, dispatch_uid="textanalytics.analyze_new")
