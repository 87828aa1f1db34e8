"""CORS for reads only."""

from corsheaders.middleware import CorsMiddleware


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """CORS for the API's reads only: a page on another site may GET (and preflight) the API, but a write's answer
    carries no Access-Control-Allow-Origin, and preflights allow only the safe methods (CORS_ALLOW_METHODS)."""

    def is_enabled(self, request) -> bool:
        return request.method in ("GET", "HEAD", "OPTIONS") and super().is_enabled(request)
