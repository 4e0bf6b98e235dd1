"""Language switch as plain links: works without JavaScript, cookies or a POST."""

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """One entry per language: the current URL in that language (``/ur/...`` for Urdu)."""
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "bidi": info["bidi"],
                "url": translate_url(path, code),
                "current": code == current,
            }
        )
    return links


@register.simple_tag
def home_url():
    """The site root in the active language (``/`` or ``/ur/``)."""
    return reverse("wagtail_serve", args=("",))
