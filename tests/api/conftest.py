import pytest

from tests.api.helpers import Api, key_for


@pytest.fixture
def api(org):
    return Api(key_for(org))


@pytest.fixture
def rival_api(other_org):
    return Api(key_for(other_org))
