"""Which addresses a webhook may go to (pure: no Django).

An endpoint's URL is chosen by a customer of the installation, so without a check it would let
them make glapp's servers call addresses only those servers can reach (the cloud's metadata
service, a database on loopback, the office network). So a host must resolve only to public
unicast addresses: not private, loopback, link-local, multicast, reserved, unspecified or shared
(CGNAT), in IPv4 or IPv6, an IPv4-mapped or -translated IPv6 address judged as its IPv4. The URL
is checked when it is saved and every address again when a delivery connects (DNS may change:
`delivery.GuardedBackend`), unless the installation allows private targets (tests, an intranet)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedAddress(ValueError):
    """A URL or address a webhook may not go to; the message says why, for the endpoint's log."""


def refused_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a webhook may not go to this address, or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or _nat64(ip) or ip.sixtofour
        if inner is not None:
            return refused_reason(inner)
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "private"
    if ip.is_private or ip.is_reserved or not ip.is_global:
        return "private" if ip.is_private else "reserved"
    return None


_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not reachable from outside
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _nat64(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None


def check_url(url: str, *, allow_private: bool) -> tuple[str, int]:
    """The URL's host and port, or RefusedAddress: scheme http(s) (https unless private targets
    are allowed), no credentials in it, and a host whose every address is public."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedAddress(f"not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise RefusedAddress("the URL must start with https://")
    if parts.scheme != "https" and not allow_private:
        raise RefusedAddress("the URL must use https")
    if parts.username or parts.password:
        raise RefusedAddress("the URL may not hold a user name or password")
    host = parts.hostname
    if not host:
        raise RefusedAddress("the URL has no host")
    port = port or (443 if parts.scheme == "https" else 80)
    if not allow_private:
        check_host(host, port)
    return host, port


def check_host(host: str, port: int) -> list[str]:
    """The host's addresses, each allowed, or RefusedAddress naming the first that is not (or
    saying that it does not resolve)."""
    addresses = resolve(host, port)
    for address in addresses:
        reason = refused_reason(ipaddress.ip_address(address.split("%", 1)[0]))
        if reason:
            raise RefusedAddress(f"{host} resolves to a {reason} address ({address})")
    return addresses


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedAddress(f"{host} does not resolve") from exc
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    if not seen:
        raise RefusedAddress(f"{host} does not resolve")
    return seen
