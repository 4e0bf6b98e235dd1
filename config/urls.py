"""URL map: our own views, then Wagtail's page tree.

django-comments-xtd provides the Submission model's base and its threading, not its views:
its public API, reply, post, flag and like views showed chosen names, e-mail hashes and held
or removed comments, and created comments past our checks. Every submission comes in
through consult.services.submit and is shown through our own pages.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.health import healthz
from frontend.views import favicon

# A database connection failure answers 503 with Retry-After, anything else Django's 500.
handler500 = "config.db_unavailable.server_error_or_unavailable"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("api.urls")),  # the public read-only API (api/)
]

urlpatterns += i18n_patterns(
    path("", include("consult.public_urls")),
    path("", include("moderation.public_urls")),  # transparency, appeals, privacy
    path("accounts/", include("allauth.account.urls")),  # participants: e-mail and a code
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
