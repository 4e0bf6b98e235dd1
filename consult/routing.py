"""WebSocket routes. Each consumer is a thin adapter over a service module."""

from django.urls import path

from consult.live.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
]
