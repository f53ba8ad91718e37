"""API keys: the check that a key can be sent, its fingerprint, and the registry that lets a pickled
client find its key again without the key ever being written into the pickle."""
import hashlib
import os
import threading
from typing import Dict, Optional

from . import _constants as C

__all__ = ["key_fingerprint", "key_problem", "recall_key", "remember_key"]

# Process-wide memory of keys by fingerprint, so a client unpickled in this process (or a forked child)
# finds its key again.
_KEYS_BY_FINGERPRINT: Dict[str, str] = {}
_KEYS_LOCK = threading.Lock()


def key_fingerprint(api_key: str) -> str:
    """A short, non-reversible name for a key, safe to show in reprs and logs."""
    # surrogatepass: a key read from the environment may hold lone surrogates, and the
    # UnicodeEncodeError that would otherwise escape carries the whole key.
    return hashlib.sha256(api_key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def key_problem(api_key: object) -> Optional[str]:
    """Why ``api_key`` cannot be sent as the Basic-auth user name, or None if it can.

    The answer never contains the key: only the position and code point of the first bad character.
    No exception is raised on the way (an encoding error would carry the whole key in its args).
    """
    if not isinstance(api_key, str):
        return f"the API key must be a str, not {type(api_key).__name__}"
    for index, char in enumerate(api_key):
        code = ord(char)
        # requests encodes the user name as Latin-1; control characters are never part of a key.
        if code > 0xFF or code < 0x20 or 0x7F <= code <= 0x9F:
            return (
                f"the API key cannot be sent in an HTTP header: character {index + 1} of "
                f"{len(api_key)} is U+{code:04X}; copy the key again without it"
            )
    return None


def remember_key(api_key: str) -> str:
    """Keep ``api_key`` in this process's registry; returns its fingerprint."""
    fingerprint = key_fingerprint(api_key)
    with _KEYS_LOCK:
        _KEYS_BY_FINGERPRINT[fingerprint] = api_key
    return fingerprint


def recall_key(fingerprint: str) -> Optional[str]:
    """The key with this fingerprint: one remembered in this process, else ``SCALE_API_KEY`` if it
    matches, else None."""
    with _KEYS_LOCK:
        known = _KEYS_BY_FINGERPRINT.get(fingerprint)
    if known is not None:
        return known
    env_key = os.environ.get(C.ENV_API_KEY)
    if env_key and key_problem(env_key) is None and key_fingerprint(env_key) == fingerprint:
        with _KEYS_LOCK:
            return _KEYS_BY_FINGERPRINT.setdefault(fingerprint, env_key)
    return None
