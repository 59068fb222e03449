"""Links that leave the server (invitations, reminders, the public survey link, the widget) are
built on the configured public base URL, and an installation without one is told so by
`glapp manage check --deploy` and `glapp serve` (outside demo mode)."""

from pathlib import Path

import pytest
from django.core import checks

from glapp.core import links
from glapp.distribution.channels.content import absolute
from tests.cli.test_glapp_command import clean_env, free_port, glapp

REPOSITORY = Path(__file__).resolve().parents[2]


def _deploy_ids() -> set[str]:
    return {m.id for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("glapp.")}


def test_links_use_the_configured_base_url(settings):
    settings.GLAPP_BASE_URL = "https://feedback.example.com"
    assert absolute("/r/abc/") == "https://feedback.example.com/r/abc/"
    assert links.absolute("/s/x/", request=None) == "https://feedback.example.com/s/x/"


def test_the_deploy_check_warns_when_the_base_url_is_unset_outside_demo_mode(settings):
    settings.GLAPP_BASE_URL, settings.DEMO = "", False
    assert "glapp.W001" in _deploy_ids()
    settings.DEMO = True  # the local demo runs at the local address on purpose
    assert "glapp.W001" not in _deploy_ids()
    settings.DEMO, settings.GLAPP_BASE_URL = False, "https://feedback.example.com"
    assert not _deploy_ids()
    settings.GLAPP_BASE_URL = "feedback.example.com"  # no scheme: links would be relative
    assert "glapp.E001" in _deploy_ids()


@pytest.mark.django_db
def test_the_builder_shows_the_public_link_on_the_base_url_not_the_requests_host(settings, org):
    from glapp.surveys.models import Survey
    from tests.surveys.test_builder_views import client_for

    settings.GLAPP_BASE_URL = "https://feedback.example.com"
    settings.ALLOWED_HOSTS = ["*"]
    survey = Survey.objects.filter(organization=org).first()
    html = client_for(org).get(f"/surveys/{survey.pk}/", HTTP_HOST="10.0.0.7").content.decode()
    assert f"https://feedback.example.com/s/{survey.public_token}/" in html
    assert "https://feedback.example.com/w/widget.js" in html
    assert "10.0.0.7" not in html


def test_glapp_manage_check_deploy_and_glapp_serve_say_so(tmp_path):
    production = clean_env(GLAPP_SECRET_KEY="s" * 50, GLAPP_ALLOWED_HOSTS="feedback.example.com",
                           GLAPP_DATA_DIR=str(tmp_path), PYTHONPATH=str(REPOSITORY))  # this tree's glapp
    check = glapp("manage", "check", "--deploy", env=production, cwd=tmp_path)
    assert "glapp.W001" in check.stderr and "GLAPP_BASE_URL is not set" in check.stderr
    configured = {**production, "GLAPP_BASE_URL": "https://feedback.example.com"}
    assert "glapp.W001" not in glapp("manage", "check", "--deploy", env=configured, cwd=tmp_path).stderr
    # serve says it before anything else (here it then refuses the unmigrated database).
    served = glapp("serve", "--bind", f"127.0.0.1:{free_port()}", env=production, cwd=tmp_path)
    assert served.returncode != 0 and "Warning: GLAPP_BASE_URL is not set" in served.stderr
    served = glapp("serve", "--bind", f"127.0.0.1:{free_port()}", env=configured, cwd=tmp_path)
    assert "GLAPP_BASE_URL" not in served.stderr
