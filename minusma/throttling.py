"""Who a request comes from, for rate limits and login lockouts alike.

The client's address is REMOTE_ADDR unless NUM_PROXIES (DJANGO_NUM_PROXIES) says how many proxies of our own
stand in front: only then is X-Forwarded-For read, and only the entry our last proxy added. A header the client
writes itself never decides who it is.
"""

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str:
    """The client's address, as DRF's throttles see it (NUM_PROXIES decides whether X-Forwarded-For counts)."""
    return BaseThrottle().get_ident(request)
