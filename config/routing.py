"""WebSocket routes. Each consumer is a thin adapter over a service module."""

from django.urls import path

from consult.live.consumers import PingConsumer, TownHallConsumer, TownHallScreenConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/townhall/<int:page_id>/", TownHallConsumer.as_asgi()),
    path("ws/townhall/<int:page_id>/screen/", TownHallScreenConsumer.as_asgi()),
]
