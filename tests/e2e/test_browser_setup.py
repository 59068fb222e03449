"""Proves the browser setup end to end: Chromium launches, live_server answers, static JS runs."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_api_docs_render_in_chromium(live_server, page):
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None and response.status == 200
    # The heading is drawn by Swagger UI's JavaScript from the OpenAPI document, so this only
    # passes if the bundled static files were served and executed and the schema endpoint works.
    expect(page.locator(".info .title")).to_contain_text("glapp API", timeout=15_000)
