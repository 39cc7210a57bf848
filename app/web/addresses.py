"""The join address: which address phones reach this laptop at.

A facilitator who opens Samling on ``localhost`` gets a projector that tells phones to
go to ``127.0.0.1`` — an address that is the phone itself. This module finds the
laptop's own network addresses, so the facilitator page can offer them and warn until
one is chosen, and checks an address a page asks the QR code for against them.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
_CACHE_SECONDS = 30.0
_cache: tuple[float, list[str]] | None = None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) is this
    machine's loopback: an address no phone can reach it at."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _usable(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    unusable = address.is_loopback or address.is_link_local or address.is_multicast
    return not (unusable or address.is_unspecified)


def _found() -> list[str]:
    """This machine's IPv4 addresses on its networks, the one of its default route
    first. Nothing is sent: connecting a UDP socket only picks the route."""
    found: list[str] = []
    for probe in ("10.255.255.255", "192.168.255.255", "172.31.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                address = udp.getsockname()[0]
        except OSError:
            continue
        if _usable(address) and address not in found:
            found.append(address)
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET, socket.SOCK_DGRAM)
    except OSError:
        infos = []
    for info in infos:
        address = str(info[4][0])
        if _usable(address) and address not in found:
            found.append(address)
    return found


def network_addresses() -> list[str]:
    """The laptop's network addresses (cached for half a minute)."""
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > _CACHE_SECONDS:
        _cache = (now, _found())
    return list(_cache[1])


def join_bases(scheme: str, port: int | None) -> list[str]:
    """The origins phones could use: each network address with this server's port."""
    default = 443 if scheme == "https" else 80
    suffix = f":{port}" if port is not None and port != default else ""
    return [f"{scheme}://{address}{suffix}" for address in network_addresses()]


def same_origin(a: str, b: str) -> bool:
    first, second = urlsplit(a), urlsplit(b)
    return (first.scheme, first.hostname, first.port) == (second.scheme, second.hostname, second.port)
