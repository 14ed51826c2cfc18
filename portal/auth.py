"""What the portal's forms and auditor sign-in share for the app's lifetime: the signing secret
(portal/secret.py), the used sign-in nonces (portal/nonces.py) and the sign-in rate limit."""

from __future__ import annotations

from dataclasses import dataclass

from portal.nonces import UsedNonces
from portal.ratelimit import RateLimit
from portal.secret import load_secret
from portal.settings import Settings


@dataclass(frozen=True)
class Auth:
    """The secret, the nonce store and the per-address limit of sign-in tries."""

    secret: bytes
    nonces: UsedNonces
    sign_in_limit: RateLimit

    @classmethod
    def load(cls, settings: Settings) -> Auth:
        """From the settings' data directory (a random secret and memory without one)."""
        return cls(
            load_secret(settings.data_dir),
            UsedNonces.under(settings.data_dir),
            RateLimit(settings.trace_per_minute),
        )
