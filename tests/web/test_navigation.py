"""The navigation offers only what the person's role may open."""

import pytest

from glapp.accounts.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "sees_import", "sees_keys"),
    [(Role.OWNER, True, True), (Role.ANALYST, True, False), (Role.VIEWER, False, False)],
)
def test_navigation_follows_the_role(client, org, role, sees_import, sees_keys):
    client.force_login(make_user(org, f"user-{role}", role=role))
    html = client.get("/").content.decode()
    assert ('href="/data/import/"' in html) is sees_import
    assert ('href="/settings/api-keys/"' in html) is sees_keys
    # The views check again: a link that is hidden is also closed.
    if not sees_keys:
        assert client.get("/settings/api-keys/").status_code in (403, 404)
