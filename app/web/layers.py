"""What wraps every HTTP answer, innermost first: the security headers, the versioned and
compressed assets, and the client's address as a trusted proxy names it.

The app adds them as its middleware (app/main.py), and the join taken at the app's
entrance (pages.Joins) wraps itself in the same ones, in the same order: one list, so
that a layer added here is on both.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.web.assets import StaticAssets
from app.web.headers import SecurityHeaders


def layers(trusted_proxies: str) -> list[tuple[Any, dict[str, Any]]]:
    """Each layer's class and options, innermost first."""
    return [
        (SecurityHeaders, {}),
        (StaticAssets, {}),  # versioned, long-cached, compressed assets (app/web/assets.py)
        # The client's address and scheme as a trusted reverse proxy names them (README).
        (ProxyHeadersMiddleware, {"trusted_hosts": trusted_proxies}),
    ]


def wrapped(inner: ASGIApp, trusted_proxies: str) -> ASGIApp:
    """``inner`` inside every layer, as the app's middleware wraps its routes."""
    for layer, options in layers(trusted_proxies):
        inner = layer(inner, **options)
    return inner
