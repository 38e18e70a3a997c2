"""Security headers on every response, and which proxies to believe about the client.

The policy allows only the app's own files: no inline script or style anywhere (the PWA
and the status page keep theirs in files), no framing, camera for this origin only (the
QR scanner). JSON answers get a policy that allows nothing, and no page-only headers. HSTS
goes out only on a request that came over TLS; behind a reverse proxy that is known from
X-Forwarded-Proto, believed only from FIELDROLL_TRUSTED_PROXIES hops.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    # Chart.js and Preact set element.style through the CSSOM, which style-src does not govern.
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS_MAX_AGE_S = 365 * 24 * 3600

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


# A JSON answer is never rendered as a page: it needs only what stops a browser from sniffing
# it into one or framing it. The page headers above would add about 450 bytes to every sync
# answer, uncompressed, on a 2G link.
JSON_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def add_security_headers(response: Response) -> Response:
    """Put the security headers on `response` (fewer on JSON); HSTS only when the request came over TLS."""
    for name, value in (JSON_HEADERS if response.mimetype == "application/json" else HEADERS).items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE_S}")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response; believe forwarded headers from trusted proxies only."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.after_request(add_security_headers)
