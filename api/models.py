"""API keys: optional, for clients that need more than the per-address limit."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def key_digest(key: str) -> str:
    """A key is 256 random bits, so a plain SHA-256 is enough: nothing to brute-force."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A key is shown once when made; only its digest is stored, found by its prefix."""

    name = models.CharField(_("for whom"), max_length=120)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("API key")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, name: str, **fields) -> tuple[ApiKey, str]:
        """A new key: the object and the key itself (never stored)."""
        prefix = secrets.token_hex(4)
        key = f"{prefix}.{secrets.token_urlsafe(32)}"
        return cls.objects.create(name=name, prefix=prefix, digest=key_digest(key), **fields), key

    def set_new_key(self) -> str:
        prefix = secrets.token_hex(4)
        key = f"{prefix}.{secrets.token_urlsafe(32)}"
        self.prefix, self.digest = prefix, key_digest(key)
        return key

    @classmethod
    def find(cls, key: str) -> ApiKey | None:
        prefix = key.split(".", 1)[0][:16]
        found = cls.objects.filter(prefix=prefix, is_active=True).first()
        if found is None or not secrets.compare_digest(found.digest, key_digest(key)):
            return None
        return found
