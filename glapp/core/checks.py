"""Deployment checks (`glapp manage check --deploy`) for settings only glapp has."""

from django.conf import settings
from django.core import checks

from glapp.core import links


@checks.register(checks.Tags.security, deploy=True)
def public_base_url(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.GLAPP_BASE_URL:
        problem = links.base_url_problem(settings.GLAPP_BASE_URL)
        return [checks.Error(f"GLAPP_BASE_URL={settings.GLAPP_BASE_URL!r}: {problem}.", id="glapp.E001")] \
            if problem else []
    warning = links.unset_warning()
    return [checks.Warning(warning, id="glapp.W001")] if warning else []
