"""The console's two defences: the Host check (against DNS rebinding) and per-page tokens (CSRF).

* A request is served only when its ``Host`` header names one of the emulator's own names
  (``127.0.0.1``, ``localhost``, ``[::1]`` and the ``--host`` value) with the port the request
  arrived on (or no port). A page served from any other name, even one that resolves to
  127.0.0.1, is refused, so a web site cannot read the console through a rebound DNS name.
* Every page carries its own token, ``nonce.signature``: an HMAC of a fresh random nonce under a
  secret made when the console starts. A state-changing request (POST) must send a valid token in
  its ``token`` field, and an ``Origin`` header, when it names a site, must be the console's own. A page
  on another origin can neither read a token nor forge one.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, Dict, FrozenSet, Iterable, Optional, Tuple
from urllib.parse import urlsplit

WSGIEnviron = Dict[str, Any]

#: Where the emulator mounts the console.
PREFIX = "/_emulator/console"
#: Names every console answers to, whatever ``--host`` is.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_NONCE_BYTES = 16


def split_host(value: str) -> Optional[Tuple[str, Optional[str]]]:
    """``(name, port or None)`` from a ``Host`` header value; None when it does not parse.

    The name is lowercased, without the brackets of an IPv6 literal or a trailing dot.
    """
    value = value.strip()
    if not value:
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:] if rest else None
    else:
        name, sep, port_text = value.partition(":")
        port = port_text if sep else None
        if ":" in port_text:
            return None
    if port is not None and not (port.isascii() and port.isdigit()):
        return None
    name = name.lower()
    return (name[:-1] if name.endswith(".") else name), port


class Guard:
    """Decides which requests the console serves and issues and checks page tokens."""

    def __init__(self, bind_host: str, extra_names: Iterable[str] = ()) -> None:
        names = set(LOOPBACK_NAMES)
        for host in (bind_host, *extra_names):
            parsed = split_host(host if not (":" in host and not host.startswith("[")) else f"[{host}]")
            if parsed is not None:
                names.add(parsed[0])
        self.names: FrozenSet[str] = frozenset(names)
        self._secret = secrets.token_bytes(32)

    # -- Host ----------------------------------------------------------------------------------

    def host_allowed(self, environ: WSGIEnviron) -> bool:
        """True when the request's ``Host`` names this emulator and the port it was reached on."""
        parsed = split_host(str(environ.get("HTTP_HOST") or ""))
        if parsed is None:
            return False
        name, port = parsed
        return name in self.names and (port is None or port == str(environ.get("SERVER_PORT")))

    def origin_allowed(self, environ: WSGIEnviron) -> bool:
        """True when ``Origin`` is the request's own host and port, or is absent or ``null`` (sent
        by browsers that hide it; the token alone decides then)."""
        origin = environ.get("HTTP_ORIGIN")
        if origin is None or origin == "null":
            return True
        try:
            netloc = urlsplit(str(origin)).netloc
        except ValueError:
            return False
        return netloc.lower() == str(environ.get("HTTP_HOST") or "").lower()

    # -- tokens --------------------------------------------------------------------------------

    def new_token(self) -> str:
        """A fresh token for one page."""
        nonce = secrets.token_urlsafe(_NONCE_BYTES)
        return f"{nonce}.{self._sign(nonce)}"

    def token_valid(self, token: Optional[str]) -> bool:
        """True for a token this console issued."""
        if not token or token.count(".") != 1:
            return False
        nonce, signature = token.split(".")
        return bool(nonce) and hmac.compare_digest(signature, self._sign(nonce))

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode("utf-8"), hashlib.sha256).hexdigest()
