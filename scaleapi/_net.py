"""Network facts shared by the SDK and the emulator, decided without any lookup."""
from typing import Optional


def is_loopback_host(host: Optional[str]) -> bool:
    """True for 127.0.0.0/8, ::1 (also IPv4-mapped) and the ``localhost`` names; no DNS lookup.

    Used by the SDK (warn before a key goes over plain http to another machine) and by the emulator
    (callbacks go to loopback hosts only unless allowed).
    """
    if not host:
        return False
    # ipaddress is imported on first use: `import scaleapi` stays light.
    import ipaddress  # pylint: disable=import-outside-toplevel

    name = host.strip("[]").lower().rstrip(".")
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return name == "localhost" or name.endswith(".localhost")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
