"""The state and helpers the steps of official_client_flow.py share (the steps are in its mixins).

Imported by official_client_flow.py once the repository is off ``sys.path``: ``scaleapi`` here is
the official client (see that script's docstring).
"""
from __future__ import annotations

import inspect
import struct
import uuid
import zlib
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Type

from flow_steps import Mismatch, expect
import scaleapi


def expect_raises(
    exc_type: Type[BaseException], func: Callable[[], Any], code: Optional[int] = None
) -> BaseException:
    """Call ``func`` and require it to raise ``exc_type`` (with ``.code == code`` if given)."""
    try:
        result = func()
    except exc_type as exc:  # the expected outcome
        if code is not None:
            expect(
                getattr(exc, "code", None) == code,
                f"expected code {code}, got {getattr(exc, 'code', None)!r}",
            )
        return exc
    except Exception as exc:  # noqa: BLE001  (reported as a mismatch)
        raise Mismatch(
            f"expected {exc_type.__name__}, got {type(exc).__name__}: {describe_exception(exc)}"
        ) from exc
    raise Mismatch(f"expected {exc_type.__name__}, but the call returned {result!r}")


def describe_exception(exc: BaseException) -> Dict[str, Any]:
    """A JSON-able description of an exception raised by a step."""
    info: Dict[str, Any] = {"class": type(exc).__name__, "message": str(exc)}
    code = getattr(exc, "code", None)
    if code is not None:
        info["code"] = code
    return info


def has_param(func: Callable[..., Any], name: str) -> bool:
    """Whether the installed client's ``func`` accepts a parameter called ``name``."""
    return name in inspect.signature(func).parameters


def tiny_png() -> bytes:
    """A valid 2x2 RGB PNG, built at run time."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def utc_naive(moment: datetime) -> str:
    """A naive ISO string in UTC, the way the official test suite writes time filters."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat()

class FlowState:  # pylint: disable=too-many-instance-attributes
    """What the steps share; state flows from one step to the next through attributes."""

    def __init__(
        self, base_url: str, key: str, https_url: Optional[str] = None, ca_bundle: Optional[str] = None
    ) -> None:
        self.base_url = base_url
        self.key = key
        self.https_url = https_url
        self.ca_bundle = ca_bundle
        self.client = scaleapi.ScaleClient(key, source="compat-check", api_instance_url=base_url)
        run = uuid.uuid4().hex[:8]
        self.project = f"compat project {run}"  # a space, so name encoding is exercised too
        self.batch = f"compat/batch {run}"  # a slash: encoded as %2F in paths
        self.rapid_project = f"compat rapid {run}"
        self.rapid_batch = f"compat rapid batch {run}"
        self.text_project = f"compat text {run}"
        self.studio_project = f"compat studio {run}"
        self.studio_batches = [f"compat studio batch {run} {i}" for i in range(2)]
        self.group = f"compat group {run}"
        self.https_project = f"compat https {run}"
        self.unique_id = f"compat-unique-{run}"
        self.invitee = f"member-{run}@example.com"
        self.labeler = f"labeler-{run}@example.com"
        self.task_ids: List[str] = []
        self.window_start = ""
        self.window_start_batch = ""

    def _task_payload(self, **extra: Any) -> Dict[str, Any]:
        payload: Dict[str, Any] = {
            "instruction": "Draw a box around each car.",
            "attachment_type": "image",
            "attachment": "http://i.imgur.com/v4cBreD.jpg",
            "geometries": {"box": {"objects_to_annotate": ["car"], "min_height": 10, "min_width": 10}},
        }
        payload.update(extra)
        return payload
