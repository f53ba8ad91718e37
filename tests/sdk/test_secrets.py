"""The API key never shows: not in a repr, an exception, a pickle, or a DEBUG log line."""
import logging
import pickle
from typing import Any, List

import pytest
from support.sdk import image_task_payload

from scaleapi import ScaleClient, TaskType
from scaleapi.exceptions import ScaleException

SECRET = "test_SeCrEt_0f1e2d3c4b5a69788796a5b4"
BAD_SECRET = "live_WrOnG_7e6d5c4b3a2918f7e6d5c4b3"  # a live key with no data: 404s, not 401s
REFUSED = "NotAScaleKey_9a8b7c6d5e4f"  # not Scale-shaped: the emulator answers 401


def _texts(objects: List[Any]) -> str:
    return "\n".join(f"{obj!r} {obj!s}" for obj in objects)


def test_key_never_leaks(emu: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Exercise successes and failures with DEBUG logging on, then look for the key everywhere."""
    caplog.set_level(logging.DEBUG)
    errors: List[ScaleException] = []
    with ScaleClient(SECRET, api_instance_url=emu.url) as client:
        project = client.create_project("secret p", TaskType.ImageAnnotation)
        batch = client.create_batch("secret p", "secret b")
        task = client.create_task(TaskType.ImageAnnotation, **image_task_payload(project="secret p"))
        page = client.tasks(project="secret p")
        teammates = client.list_teammates()
        for failing in (
            lambda: client.get_task("000000000000000000000000"),
            lambda: client.create_batch("secret p", "secret b"),
            lambda: client.create_task(TaskType.ImageAnnotation, project="secret p"),
            lambda: client.tasks(bogus=1),
        ):
            with pytest.raises(ScaleException) as err:
                failing()
            errors.append(err.value)
        models = [client, client.api, project, batch, task, page, *teammates, client.with_options(timeout=3)]
        pickles = [pickle.dumps(obj) for obj in models]
    for key in (BAD_SECRET, REFUSED):
        with ScaleClient(key, api_instance_url=emu.url) as other:
            with pytest.raises(ScaleException) as err:
                other.get_batch("nope")
            errors.append(err.value)
            models.append(other)
    assert errors[-1].code == 401

    everything = "\n".join(
        [
            _texts(models),
            _texts(errors),
            "\n".join(str(e.args) for e in errors),
            caplog.text,
            "\n".join(str(record.args) for record in caplog.records),
        ]
    )
    assert any(record.name.startswith("scaleapi") for record in caplog.records)
    for key in (SECRET, BAD_SECRET, REFUSED):
        assert key not in everything
        assert all(key.encode() not in blob for blob in pickles)


def test_unpickled_model_works_and_carries_no_key(client: ScaleClient, project: str) -> None:
    """A pickled Task holds no key, yet its helpers work again in this process."""
    task = client.create_task(TaskType.ImageAnnotation, **image_task_payload(project=project))
    blob = pickle.dumps(task)
    key = client.api._api_key
    assert key is not None and key.encode() not in blob
    again = pickle.loads(blob)
    assert again == task and again.set_tags(["after-pickle"]).tags == ["after-pickle"]
