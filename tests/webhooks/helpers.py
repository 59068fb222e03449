from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.validation import clean_response
from glapp.webhooks import delivery, tasks
from tests.factories import response_payload


def store_responses(org, count=1, source="api", **overrides):
    catalog = Catalog.load(org.id)
    cleans = [clean_response(response_payload(external_id=f"{org.slug}-{n}", **overrides), catalog)
              for n in range(count)]
    return ingest_responses(org.id, cleans, source)


def deliver(endpoint) -> dict:
    """One delivery task's run, in this process."""
    return delivery.run(endpoint.pk, tasks.wake)
