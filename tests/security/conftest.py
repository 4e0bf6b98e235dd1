"""The authorisation table's users (one per role) and sample objects, for the route walks."""

from tests.config.test_authorisation import samples, users

__all__ = ["samples", "users"]
