"""Template helpers for the report's data tables."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ counts|get_item:stance }}``: dictionary lookup with a variable key."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None
