"""Town halls for the live tests: on the ``db`` fixture for service tests, transactional
for WebSocket tests (the consumer's database calls run in other threads), on every layer."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from cms.demo import make_town_hall
from consult.live.services.checks import Actor
from tests.live.helpers import REDIS_URL, layer_config, redis_available


@pytest.fixture(params=["memory", "redis", "redis-pubsub"])
def layer(request, settings):
    """The in-memory layer (embedded default), channels_redis's pub/sub layer (production
    default) and its core layer (CHANNEL_LAYER=core)."""
    if request.param.startswith("redis") and not redis_available():
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    settings.CHANNEL_LAYERS = layer_config(request.param)
    settings.LIVE_TALLY_INTERVAL = 0
    cache.clear()
    return request.param


@pytest.fixture
def hall(transactional_db, settings):
    """A published town hall whose writes commit: for WebSocket tests and threads."""
    settings.LIVE_TALLY_INTERVAL = 0
    return make_town_hall()


@pytest.fixture
def service_hall(demo, settings):
    """A published town hall inside the test's transaction: for service tests."""
    settings.LIVE_TALLY_INTERVAL = 0
    settings.CHANNEL_LAYERS = layer_config("memory")
    return make_town_hall(demo)


@pytest.fixture
def facilitator(hall):
    return hall.facilitators.get()


@pytest.fixture
def host(service_hall):
    """The facilitator of ``service_hall`` as an actor."""
    user = service_hall.facilitators.get()
    return Actor(f"u:{user.pk}", user, True)
