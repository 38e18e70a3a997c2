"""Passkeys (WebAuthn): staff register and sign in; trainees register for check-in."""

from server.webauthn.views import bp

__all__ = ["bp"]
