"""WebSocket consumers for live sessions."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Health check for the WebSocket stack: answers every message with a pong."""

    async def connect(self):
        await self.accept()

    async def receive_json(self, content, **kwargs):
        await self.send_json(
            {"type": "pong", "echo": content, "server_time": timezone.now().isoformat()}
        )
