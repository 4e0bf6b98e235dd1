"""The demo consultation `make run` loads and the tests share: the draft AI rules with sample
submissions of every kind, a second draft version, a live town hall and a first analysis."""

from cms.demo.consultation import DEMO_SLUG, load_demo, load_draft
from cms.demo.town_hall import make_town_hall

__all__ = ["DEMO_SLUG", "load_demo", "load_draft", "make_town_hall"]
