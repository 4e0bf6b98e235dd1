"""``{% process_timeline page as events %}``: the process record on any page."""

from django import template

from cms.process_record import cached_process_timeline

register = template.Library()


@register.simple_tag
def process_timeline(consultation):
    return cached_process_timeline(consultation)
