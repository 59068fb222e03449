import pytest

from glapp.accounts.actions import AuditActor
from glapp.webhooks import actions
from tests.tasks.conftest import shared_database  # noqa: F401 (the worker processes' database, for the crash test)
from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    """The tests' receivers listen on loopback, which only this setting allows."""
    settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def add_endpoint(org, receiver: Receiver, event_types=actions.EVENT_NAMES, personal_data=False):
    endpoint = actions.create_endpoint(org.pk, receiver.url, list(event_types), personal_data=personal_data,
                                       actor=AuditActor.command())
    receiver.secret = endpoint.secret
    return endpoint
