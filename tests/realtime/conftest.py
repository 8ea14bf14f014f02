import secrets

import pytest
from django.core.cache import cache

from governance import routing
from tests.realtime.stack import requirements, running_stack


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory):
    """daphne + a Celery worker for the module's tests (skips with the reason when impossible)."""
    reason = requirements()
    if reason:
        pytest.skip(reason)
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture
def city(city):
    """The city, with a grid-index version the module's long-lived servers have not seen.

    Every test clears the shared cache and makes its city anew (new area ids), which would bring
    the shared version back to the same number as in the previous test: the servers would keep
    routing to the previous test's grids. A fresh random version makes them rebuild.
    """
    cache.set(routing.VERSION_KEY, secrets.token_hex(8), timeout=None)
    return city
