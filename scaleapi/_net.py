"""Network facts shared by the SDK and the emulator, decided without any lookup."""
import re
from typing import Optional

#: Where a ``localhost`` name is connected: RFC 6761 reserves these names for loopback, so they are
#: never handed to a resolver (which might send them to DNS, off the machine).
LOCALHOST_ADDRESS = "127.0.0.1"

_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\Z")


def loopback_address(host: Optional[str]) -> Optional[str]:
    """The loopback IP literal to connect to for ``host``, or None when it is not loopback; no DNS.

    IP literals in 127.0.0.0/8 and ``::1`` come back as themselves (an IPv4-mapped ``::ffff:127.x``
    as its IPv4 form); ``localhost`` and ``*.localhost`` names, in any case and with or without one
    trailing dot, come back as :data:`LOCALHOST_ADDRESS`. Anything else, including ``127.0.0.1.``
    (a name, not an address) and names with empty labels, is not loopback.
    """
    if not host:
        return None
    # ipaddress is imported on first use: `import scaleapi` stays light.
    import ipaddress  # pylint: disable=import-outside-toplevel

    name = host.lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return str(address) if address.is_loopback else None
    if name.endswith("."):
        name = name[:-1]  # the fully qualified spelling of the same name
    labels = name.split(".")
    if labels[-1] != "localhost" or not all(_LABEL.match(label) for label in labels):
        return None
    return LOCALHOST_ADDRESS


def is_loopback_host(host: Optional[str]) -> bool:
    """True for 127.0.0.0/8, ::1 (also IPv4-mapped) and the ``localhost`` names; no DNS lookup.

    Used by the SDK (warn before a key goes over plain http to another machine) and by the emulator
    (callbacks go to loopback hosts only unless allowed). See :func:`loopback_address`.
    """
    return loopback_address(host) is not None
