"""Settings → Webhooks: owners and admins add an endpoint (its secret shown once), send a test
event and read the delivery log with response codes, replay, rotate, disable; others may not."""

import re

import pytest

from glapp.accounts.models import AuditEntry, Role
from glapp.webhooks.models import Delivery, Endpoint
from tests.api.test_keys import signed_in
from tests.factories import make_org
from tests.webhooks.conftest import add_endpoint
from tests.webhooks.helpers import deliver

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    client.get("/settings/")
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_an_admin_adds_an_endpoint_tests_it_and_reads_the_log(receiver, django_capture_on_commit_callbacks):
    org = make_org("acme")
    client = signed_in(org, Role.ADMIN)
    resp = post(client, "/settings/webhooks/", {"url": receiver.url, "description": "CRM <b>x</b>",
                                               "event_types": ["response.completed", "case.closed"]})
    endpoint = Endpoint.objects.get()
    assert resp.status_code == 302 and resp.url == f"/settings/webhooks/{endpoint.pk}/"
    page = client.get(resp.url).content.decode()
    assert endpoint.secret in page, "the secret is shown once"
    assert endpoint.secret not in client.get(resp.url).content.decode(), "and only once"
    assert "CRM &lt;b&gt;x&lt;/b&gt;" in client.get("/settings/webhooks/").content.decode()
    receiver.secret = endpoint.secret

    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, f"/settings/webhooks/{endpoint.pk}/test/").status_code == 302
    receiver.answers.append(503)
    deliver(endpoint)
    page = client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert "webhook.test" in page and re.search(r"<td>\s*503\s*</td>", page)
    assert receiver.received[0].verified

    message_id = Delivery.objects.get().message_id
    post(client, f"/settings/webhooks/{endpoint.pk}/replay/", {"message": message_id})
    deliver(endpoint)
    assert Delivery.objects.get().state == "delivered"

    old = endpoint.secret
    post(client, f"/settings/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    post(client, f"/settings/webhooks/{endpoint.pk}/disable/")
    endpoint.refresh_from_db()
    assert not endpoint.active
    actions = set(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    assert {"webhook.created", "webhook.tested", "webhook.replayed", "webhook.secret_rotated",
            "webhook.disabled"} <= actions


def test_a_refused_url_is_a_form_error(settings):
    settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE = False
    org = make_org("acme")
    client = signed_in(org, Role.OWNER)
    resp = post(client, "/settings/webhooks/", {"url": "https://169.254.169.254/latest/meta-data",
                                               "event_types": ["case.closed"]})
    assert resp.status_code == 200 and "link-local" in resp.content.decode()
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER, Role.CASE_HANDLER])
def test_other_roles_may_not(role, receiver):
    org = make_org("acme")
    endpoint = add_endpoint(org, receiver)
    client = signed_in(org, role)
    assert client.get("/settings/webhooks/").status_code == 403
    assert post(client, f"/settings/webhooks/{endpoint.pk}/disable/").status_code == 403


def test_a_unit_limited_admin_may_not(receiver):
    org = make_org("acme")
    client = signed_in(org, Role.ADMIN, unit_code="acme-north")
    assert client.get("/settings/webhooks/").status_code == 403


def test_another_organizations_endpoint_is_404(receiver):
    acme, other = make_org("acme"), make_org("other")
    endpoint = add_endpoint(other, receiver)
    client = signed_in(acme, Role.OWNER)
    assert client.get(f"/settings/webhooks/{endpoint.pk}/").status_code == 404
    assert post(client, f"/settings/webhooks/{endpoint.pk}/delete/").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()
