"""ASGI entry point: HTTP through Django, WebSockets through Channels (served by daphne)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.concurrency import HTTPConcurrencyLimit  # noqa: E402
from config.request_limits import BodySizeLimit  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from config.startup import prepare_server_process  # noqa: E402

application = ProtocolTypeRouter(
    {
        # 413 before an over-limit body is read; a bounded number of requests in Django.
        "http": BodySizeLimit(HTTPConcurrencyLimit(django_asgi_app)),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

prepare_server_process()
