"""Every URL and WebSocket route, for every role, against ONE table of allow/deny.

The test walks the whole URLconf. A route that no row of ``TABLE`` matches fails the test,
so a new URL cannot ship without someone deciding who may use it: add a row (first match
wins; put specific rows above general ones). Routes whose arguments cannot be filled in
(object ids of other apps, signed keys) need a row with ``SKIP`` and a reason.

Outcomes: "allow" (2xx, or a redirect that is not to a login page), "deny" (403, or a
redirect to a login page or, in Wagtail's admin, to the dashboard with a permission error),
"405"/"404"/"400" for what a plain GET gets, "*" for "Wagtail's own permission policy
decides; only a server error fails".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group, User
from django.urls import URLPattern, URLResolver, get_resolver

from config.routing import websocket_urlpatterns
from consult import roles
from consult.models import Submission
from consult.services import SubmissionInput, submit

ROLES = [
    "anonymous",
    "participant",
    "facilitator",
    "analyst",
    "moderator",
    "ministry_editor",
    "superuser",
]
ROLE_GROUPS = {
    "participant": roles.PARTICIPANT,
    "facilitator": roles.FACILITATOR,
    "analyst": roles.ANALYST,
    "moderator": roles.MODERATOR,
    "ministry_editor": roles.MINISTRY_EDITOR,
}
ADMIN_ROLES = ("analyst", "moderator", "ministry_editor", "superuser")


def outcomes(default: str = "deny", **per_role: str) -> dict[str, str]:
    return {role: per_role.get(role, default) for role in ROLES}


def allow(*allowed: str) -> dict[str, str]:
    return outcomes(**dict.fromkeys(allowed, "allow"))


PUBLIC = outcomes("allow")
LOGGED_IN = outcomes("allow", anonymous="deny")
MODERATORS = allow("moderator", "superuser")
SUPERUSER = allow("superuser")
ADMIN_ACCESS = allow(*ADMIN_ROLES)
# Inside Wagtail's admin: no access without the role; with it, Wagtail's policies decide.
WAGTAIL_POLICY = outcomes("*", anonymous="deny", participant="deny", facilitator="deny")
SKIP = None


@dataclass
class Row:
    route: str  # regular expression, full match against the route as written in the URLconf
    expect: dict[str, str] | None
    url: str | None = None  # a concrete URL for routes with arguments ({names} from samples)
    why: str = ""
    hits: int = field(default=0, compare=False)


TABLE: list[Row] = [
    # --- our public pages ---------------------------------------------------------------
    Row(r"healthz", PUBLIC),
    Row(r"favicon\.ico", PUBLIC),
    Row(r"receipt/", PUBLIC),
    Row(
        r"consultations/<int:page_id>/transparency/",
        PUBLIC,
        "/consultations/{page_id}/transparency/",
    ),
    Row(
        r"consultations/<int:page_id>/transparency\.json",
        PUBLIC,
        "/consultations/{page_id}/transparency.json",
    ),
    Row(r"appeal/", outcomes("405")),
    Row(
        r"consultations/<int:page_id>/comment/",
        outcomes("405"),
        "/consultations/{page_id}/comment/",
    ),
    Row(r"<slug:slug>/pack\.pdf", PUBLIC, "/{slug}/pack.pdf"),
    # A removed submission has no public page, for anyone.
    Row(r"<slug:slug>/comments/<int:pk>/", outcomes("404"), "/{slug}/comments/{submission_id}/"),
    Row(r"voice/<slug:slug>/record/", PUBLIC, "/voice/{slug}/record/"),
    Row(r"voice/<slug:slug>/intake/", allow("facilitator", "superuser"), "/voice/{slug}/intake/"),
    Row(
        r"voice/note/<uuid:public_id>/.*",
        SKIP,
        why="the note's random id is the author's capability; tests/consult/test_voice*.py "
        "check that only its author, facilitators and (for audio) moderators get in",
    ),
    Row(r"<slug:slug>/facilitate/", allow("facilitator", "superuser"), "/{slug}/facilitate/"),
    Row(r"privacy/", PUBLIC),
    Row(
        r"api/v1/.*",
        SKIP,
        why="the public read-only API: tests/api check that every endpoint answers anyone "
        "and shows only what the public pages show",
    ),
    Row(r"my-data/", LOGGED_IN),
    Row(r"my-data/download\.json", LOGGED_IN),
    Row(r"my-data/receipt\.json", PUBLIC, "/my-data/receipt.json?code={receipt_code}"),
    Row(r"my-data/delete/", LOGGED_IN),
    Row(r"accounts/(login|login/code|signup|password/reset)/", PUBLIC),
    Row(r"accounts/\^password/reset/key/.*", SKIP, why="needs a signed key"),
    Row(
        r"accounts/.*",
        outcomes("*"),
        why="django-allauth's own pages: each needs a pending sign-in stage, a signed key or "
        "a signed-in user and sends the rest to sign in; tests/test_accounts.py walks them",
    ),
    Row(r"i18n/setlang/", PUBLIC),
    Row(r"\^\(\(\?:\[\\w\\-\]\+/\)\*\)\$", PUBLIC, "{page_url}", "Wagtail page tree"),
    Row(r"_util/login/", PUBLIC),
    Row(r"_util/authenticate_with_password/.*", SKIP, why="needs a page view restriction"),
    Row(r"documents/.*", SKIP, why="needs a document id; Wagtail's collection privacy"),
    # --- moderators' queue in the Wagtail admin ------------------------------------------
    Row(r"admin/moderation/", MODERATORS),
    Row(r"admin/moderation/submissions/", MODERATORS),
    Row(
        r"admin/moderation/submission/<int:pk>/",
        MODERATORS,
        "/admin/moderation/submission/{submission_id}/",
    ),
    Row(r"admin/moderation/appeal/<int:pk>/", MODERATORS, "/admin/moderation/appeal/{appeal_id}/"),
    # --- analysts' admin views ---------------------------------------------------------
    Row(r"admin/analysis/", allow("analyst", "superuser")),
    Row(
        r"admin/analysis/<int:page_id>/",
        allow("analyst", "superuser"),
        "/admin/analysis/{page_id}/",
    ),
    Row(r"admin/analysis/<int:page_id>/run/", SKIP, why="POST only: test_analysis_admin.py"),
    Row(
        r"admin/analysis/runs/<int:run_id>/progress/",
        SKIP,
        why="needs a run: test_analysis_admin.py",
    ),
    Row(
        r"admin/analysis/runs/<int:run_id>/themes/",
        SKIP,
        why="needs a finished run: tests/analysis/test_workspace.py (analysts only)",
    ),
    # --- Wagtail admin -----------------------------------------------------------------
    Row(r"admin/password_reset/confirm/.*", SKIP, why="needs a signed token"),
    Row(r"admin/(login|password_reset)/.*", PUBLIC),
    Row(r"admin/(failwhale|test404)/", SKIP, why="Wagtail's deliberate error pages"),
    Row(r"admin/logout/", SKIP, why="would end the session under test"),
    Row(r"admin/", ADMIN_ACCESS),
    Row(r"admin/(jsi18n|sprite)/", PUBLIC, why="static assets of the admin UI"),
    Row(r"admin/workflows/task_chooser/[^<]*", WAGTAIL_POLICY),
    Row(
        r"admin/locales/new/",
        outcomes("deny", superuser="*"),
        why="Wagtail redirects when every content language already has a locale",
    ),
    Row(r"admin/(users|groups|sites|locales|workflows)/[^<(^]*", SUPERUSER),
    Row(r"admin/api/main/\^(pages|documents|images)/(find/)?", WAGTAIL_POLICY),
    Row(r"admin/[^<(^]*", WAGTAIL_POLICY),
    Row(r"admin/.*", SKIP, why="needs object ids; Wagtail's own permission policies"),
    # --- Django admin: superusers only -----------------------------------------------------
    Row(r"django-admin/login/", PUBLIC),
    Row(
        r"django-admin/(autocomplete|django_tasks_database/dbtaskresult/add|workers/tasklease/add)/",
        outcomes("deny"),
        why="needs query parameters / task results and leases are never added by hand",
    ),
    Row(r"django-admin/logout/", SKIP, why="would end the session under test"),
    Row(r"django-admin/[^<(^]*", SUPERUSER),
    Row(r"django-admin/.*", SKIP, why="needs object ids; staff only"),
]

# Routes inside Wagtail pages (RoutablePageMixin): the page tree's one URL pattern above
# serves them, so they get their own rows, as "<page model>:<route name>".
PAGE_ROUTE_TABLE: list[Row] = [
    Row(r"cms\.TownHallPage:index_route", PUBLIC, "{town_hall_url}"),
    # The facilitators' console: the town hall's own facilitators and the facilitator role
    # (which may run any town hall); anyone else is sent to sign in or refused.
    Row(r"cms\.TownHallPage:console", allow("facilitator", "superuser"), "{town_hall_url}console/"),
    # The projector's screen shows only what the public page shows, without controls.
    Row(r"cms\.TownHallPage:screen", PUBLIC, "{town_hall_url}screen/"),
    Row(
        r"cms\.ReportPage:.*",
        SKIP,
        why="the published report's formats, public once published: tests/cms/test_report.py "
        "and test_report_publication.py",
    ),
]

WS_TABLE: list[Row] = [
    Row(r"ws/ping/", PUBLIC),
    Row(
        r"ws/townhall/<int:page_id>/",
        SKIP,
        why="anyone may join; every action's permission is tested per role in tests/live",
    ),
    Row(
        r"ws/townhall/<int:page_id>/screen/",
        SKIP,
        why="the projector's read-only connection: anyone may watch, nobody may act "
        "(tests/live/test_console.py)",
    ),
]


def _walk(patterns, prefix=""):
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern):
            yield text


def all_routes() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def row_for(route: str, table: list[Row]) -> Row | None:
    return next((row for row in table if re.fullmatch(row.route, route)), None)


def classify(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status in (401, 403):
        return "deny"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        if response.wsgi_request.path.endswith("/login/"):
            return "allow"  # a logged-in user is sent on from the login page
        if (
            "login" in location
            or location.rstrip("/").endswith("/admin")
            and (response.wsgi_request.path != "/admin/")
        ):
            return "deny"
        return "allow"
    if 200 <= status < 300:
        return "allow"
    return str(status)


@pytest.fixture
def users(db):
    made = {"anonymous": None}
    for role, group in ROLE_GROUPS.items():
        user = User.objects.create_user(f"role-{role}", f"{role}@example.org", "pw-123456789")
        user.groups.add(Group.objects.get(name=group))
        made[role] = user
    made["superuser"] = User.objects.create_superuser("role-super", "su@example.org", "pw-1")
    return made


HELD, REMOVED = "HELD-TEXT-7781 waiting for review", "REMOVED-TEXT-7782 taken down"
ORIGINAL_CNIC, HIDDEN_NAME, HIDDEN_EMAIL = "35202-9988776-1", "Hidden Ayesha", "hidden@example.org"
PRIVATE = (HELD[:14], REMOVED[:17], ORIGINAL_CNIC, HIDDEN_NAME, HIDDEN_EMAIL)
MAY_SEE_PRIVATE = {"moderator", "superuser"}


def private_text_in(response) -> list[str]:
    """Held, removed and original text, and a hidden name or e-mail, found in a response."""
    if not response.get("Content-Type", "").startswith(("text/", "application/json")):
        return []
    body = response.content.decode(errors="replace")
    return [marker for marker in PRIVATE if marker in body]


@pytest.fixture
def samples(demo, users):
    from moderation import services

    spam = submit(
        demo,
        SubmissionInput(
            text="buy http://a.biz http://b.xyz http://c.top",
            stance="other",
            stakeholder="individual",
        ),
    )
    decision = services.decide(spam, action="remove", reason="spam", moderator=users["superuser"])
    appeal = services.file_appeal(spam.receipt_code, decision.pk, "not spam")
    # What only moderators may see: a held text, a removed text, an original before redaction.
    on_clause = {"clause_id": demo.current_version().clauses.first().pk}
    held = submit(
        demo, SubmissionInput(text=HELD, stance="other", stakeholder="individual", **on_clause)
    )
    Submission.objects.filter(pk=held.pk).update(is_public=False)
    removed = submit(
        demo, SubmissionInput(text=REMOVED, stance="other", stakeholder="individual", **on_clause)
    )
    services.decide(removed, action="remove", reason="off_topic", moderator=users["superuser"])
    submit(
        demo,
        SubmissionInput(
            text=f"My CNIC is {ORIGINAL_CNIC}.",
            stance="oppose",
            stakeholder="individual",
            name=HIDDEN_NAME,
            email=HIDDEN_EMAIL,
            **on_clause,
        ),
    )
    from cms.demo import make_town_hall

    town_hall = make_town_hall(demo)
    return {
        "town_hall_url": town_hall.url,
        "page_id": demo.pk,
        "page_url": demo.url,
        "slug": demo.slug,
        "receipt_code": spam.receipt_code,
        "submission_id": spam.pk,
        "appeal_id": appeal.pk,
    }


def test_every_url_is_in_the_table():
    unknown = [route for route in all_routes() if row_for(route, TABLE) is None]
    assert not unknown, (
        "These URLs have no row in tests/config/test_authorisation.py TABLE; decide who may use "
        f"them and add rows: {unknown}"
    )


def test_every_route_for_every_role(client, users, samples):
    failures, checked = [], 0
    client.raise_request_exception = False
    for route in all_routes():
        row = row_for(route, TABLE)
        if row is None or row.expect is None:
            continue
        if row.url:
            urls = [row.url.format(**samples)]
        elif re.search(r"[<(\\*]", route):
            failures.append(f"{route}: has arguments; give the row a url or SKIP it")
            continue
        else:  # a regex route with no groups ("api/main/^pages/") is a plain path
            urls = ["/" + route.replace("^", "").replace("$", "")]
        for role in ROLES:
            client.logout()
            if users[role] is not None:
                client.force_login(users[role])
            for url in urls:
                response = client.get(url)
                got = classify(response)
                checked += 1
                want = row.expect[role]
                if got.startswith("error") or (want != "*" and got != want):
                    failures.append(f"{role:16} GET {url}: expected {want}, got {got}")
                leaked = [] if role in MAY_SEE_PRIVATE else private_text_in(response)
                if leaked:
                    failures.append(f"{role:16} GET {url}: shows {leaked}")
    assert not failures, f"{len(failures)} of {checked} checks failed:\n" + "\n".join(failures)
    assert checked > 100


def all_page_routes() -> list[str]:
    """Every named route of every page model that has routes of its own."""
    from wagtail.contrib.routable_page.models import RoutablePageMixin
    from wagtail.models import get_page_models

    routes = []
    for model in get_page_models():
        if issubclass(model, RoutablePageMixin):
            for pattern in model.get_subpage_urls():
                routes.append(f"{model._meta.label}:{pattern.name}")
    return sorted(routes)


def test_every_page_route_is_in_the_table():
    routes = all_page_routes()
    assert routes, "no page model has routes of its own: is RoutablePageMixin still used?"
    unknown = [route for route in routes if row_for(route, PAGE_ROUTE_TABLE) is None]
    assert not unknown, f"Add page routes to PAGE_ROUTE_TABLE: {unknown}"


def test_every_page_route_for_every_role(client, users, samples):
    failures = []
    client.raise_request_exception = False
    for route in all_page_routes():
        row = row_for(route, PAGE_ROUTE_TABLE)
        if row is None or row.expect is None:
            continue
        url = row.url.format(**samples)
        for role in ROLES:
            client.logout()
            if users[role] is not None:
                client.force_login(users[role])
            got = classify(client.get(url))
            if got != row.expect[role]:
                failures.append(f"{role:16} GET {url}: expected {row.expect[role]}, got {got}")
    assert not failures, "\n".join(failures)


def test_every_websocket_route_is_in_the_table():
    routes = [str(p.pattern) for p in websocket_urlpatterns]
    unknown = [route for route in routes if row_for(route, WS_TABLE) is None]
    assert not unknown, f"Add WebSocket routes to WS_TABLE: {unknown}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
async def test_every_websocket_route_for_every_role(role, client):
    from asgiref.sync import sync_to_async

    from config.asgi import application

    @sync_to_async
    def session_cookie():
        if role == "anonymous":
            return ""
        user = User.objects.create_user(f"ws-{role}", password="pw-123456789")
        if role == "superuser":
            user.is_superuser = True
            user.save()
        else:  # the role groups are among the base rows (tests/conftest.py)
            user.groups.add(Group.objects.get_or_create(name=ROLE_GROUPS[role])[0])
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}"

    cookie = await session_cookie()
    for pattern in websocket_urlpatterns:
        route = str(pattern.pattern)
        row = row_for(route, WS_TABLE)
        if row is None or row.expect is None:
            continue
        headers = [(b"origin", b"http://testserver")]
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        communicator = WebsocketCommunicator(application, "/" + route, headers=headers)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        assert ("allow" if connected else "deny") == row.expect[role], (role, route)
