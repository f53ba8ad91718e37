"""Checks shared by the v2 model tests: a model class by name, and a parse/dump/reparse round trip."""
import json
from typing import Any

from scaleapi.api_client.v2._model import model_class


def cls_of(name: str) -> Any:
    """The v2 model class called ``name``."""
    return model_class(name)


def roundtrip(cls: Any, data: Any) -> Any:
    """Parse, check to_dict/to_json agree and reparse equal; return the parsed value."""
    parsed = cls.from_dict(data)
    dumped = parsed.to_dict()
    assert json.loads(parsed.to_json()) == dumped
    assert json.loads(json.dumps(dumped)) == dumped  # JSON-ready: no model objects inside
    again = cls.from_dict(dumped)
    assert again == parsed
    assert again.to_dict() == dumped
    return parsed
