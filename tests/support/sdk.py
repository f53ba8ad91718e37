"""Constants and payloads shared by the SDK tests (a plain module, importable from any test file)."""
from typing import Any, Dict

TEST_KEY = "test_sdk_0123456789abcdef"
LIVE_KEY = "live_sdk_0123456789abcdef"


def image_task_payload(**overrides: Any) -> Dict[str, Any]:
    """A valid imageannotation payload (the official test suite's shape)."""
    payload: Dict[str, Any] = {
        "callback_url": "http://www.example.com/callback",
        "instruction": "Draw a box around each baby cow and big cow.",
        "attachment_type": "image",
        "attachment": "http://i.imgur.com/v4cBreD.jpg",
        "geometries": {
            "box": {"objects_to_annotate": ["Baby Cow", "Big Cow"], "min_height": 10, "min_width": 10}
        },
    }
    payload.update(overrides)
    return payload


def cow_task_payload(project: str, **extra: Any) -> Dict[str, Any]:
    """A small valid imageannotation payload in ``project`` (the fault tier's shape); ``extra`` is added."""
    payload: Dict[str, Any] = {
        "project": project,
        "instruction": "Box the cows.",
        "attachment_type": "image",
        "attachment": "https://example.com/cow.jpg",
        "geometries": {"box": {"objects_to_annotate": ["cow"]}},
    }
    payload.update(extra)
    return payload
