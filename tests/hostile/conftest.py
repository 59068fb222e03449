import pytest

from tests.api.helpers import Api, key_for


@pytest.fixture
def api(org):
    return Api(key_for(org))


@pytest.fixture(autouse=True)
def _fresh_catalog_cache():
    # Rolled-back tests reuse ids, so a catalog cached by one test must not leak into the next.
    from glapp.responses import catalog_cache as catalog

    catalog.forget()
    yield
    catalog.forget()
