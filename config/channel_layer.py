"""channels_redis's pub/sub layer, and the first call after a Redis restart that works.

After Redis restarts, the layer's next call on its old pub/sub connection fails once with
``ConnectionError("Connection closed by server.")`` while redis-py reconnects (and
re-subscribes the channels it had); the call after that works. Without a retry the first
WebSocket connect after the restart failed (tests/faults/test_redis_outage.py). Each call
here is retried once after that error; while Redis stays down the second try fails too and
the caller sees the error as before (consult.live logs it; clients catch up from the stored
events).
"""

from __future__ import annotations

import asyncio

from channels_redis.pubsub import RedisPubSubChannelLayer as BaseLayer
from channels_redis.pubsub import _async_proxy
from redis.exceptions import ConnectionError as RedisConnectionError

RETRY_PAUSE = 0.05  # seconds before the one retry


async def _once_more(layer, name: str, *args, **kwargs):
    try:
        return await _async_proxy(layer, name, *args, **kwargs)
    except RedisConnectionError:
        await asyncio.sleep(RETRY_PAUSE)
        return await _async_proxy(layer, name, *args, **kwargs)


class RedisPubSubChannelLayer(BaseLayer):
    async def new_channel(self, prefix="specific."):
        return await _once_more(self, "new_channel", prefix)

    async def send(self, channel, message):
        return await _once_more(self, "send", channel, message)

    async def group_add(self, group, channel):
        return await _once_more(self, "group_add", group, channel)

    async def group_discard(self, group, channel):
        return await _once_more(self, "group_discard", group, channel)

    async def group_send(self, group, message):
        return await _once_more(self, "group_send", group, message)
