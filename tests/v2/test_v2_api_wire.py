"""The 25 v2 endpoints over real HTTP: the exact wire request of each, and its answer as a model.

Data-driven from the checked-in endpoint facts (tools/v2_endpoints_spec.json): for every endpoint, the
call recorded from the existing client is made through ``ScaleClient(...).v2`` against a loopback
recording server, and what arrives must be the recorded request (method, path, query order and
encoding, Accept/Content-Type/Bearer auth, body up to JSON equality).
"""
import datetime
import json
import os
import subprocess
import sys
from typing import Any, Dict

import pytest
import requests
from support.v2_facts import ROOT, sample_model

import scaleapi
from scaleapi.api_client.v2 import ApiResponse
from scaleapi.api_client.v2._model import model_class
from scaleapi.api_client.v2.api._endpoints import ENDPOINTS

with open(os.path.join(ROOT, "tools", "v2_endpoints_spec.json"), encoding="utf-8") as _handle:
    FACTS = {end["name"]: end for end in json.load(_handle)["endpoints"]}
NAMES = sorted(FACTS)
KEY = "test_v2wirekey"
UTC = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


def call_args(name: str) -> Dict[str, Any]:
    """The recorded example call of an endpoint, as Python values."""
    args: Dict[str, Any] = {}
    for key, value in FACTS[name]["example"]["call"].items():
        if isinstance(value, dict) and "model" in value:
            value = model_class(value["model"]).from_dict(value["from_dict"])  # type: ignore[attr-defined]
        elif isinstance(value, str) and value.startswith("datetime.datetime(2025, 1, 2, 3, 4, 5"):
            value = UTC
        args[key] = value
    return args


def answer_for(name: str) -> Any:
    """A minimal JSON answer that fits the endpoint's 200 model."""
    model = FACTS[name]["returns"]
    if model == "Annotation":
        return {"id": "a1", "key": "k", "type": "text", "value": "v"}
    return sample_model(model, False) if model else {}


def test_generated_endpoint_layer_is_current() -> None:
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_v2_endpoints.py"), "--check"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_25_endpoints_75_methods_with_the_recorded_positional_order() -> None:
    import inspect  # pylint: disable=import-outside-toplevel

    api = scaleapi.V2Api
    assert len(ENDPOINTS) == 25
    methods = [n for n in dir(api) if not n.startswith("_") and callable(getattr(api, n))]
    assert len(methods) == 75
    for name, end in FACTS.items():
        for suffix in ("", "_with_http_info", "_without_preload_content"):
            params = list(inspect.signature(getattr(api, name + suffix)).parameters.values())[1:]
            positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
            assert positional == end["positional_order"]
            assert [p.name for p in params if p.kind is p.KEYWORD_ONLY] == [
                "_request_timeout", "_request_auth", "_content_type", "_headers", "_host_index"]


@pytest.mark.parametrize("name", NAMES)
def test_recorded_call_sends_the_recorded_request(name: str, wire: Any, v2_client: Any) -> None:
    expected = FACTS[name]["example"]["request"]
    wire.reset(lambda request: (200, answer_for(name)))
    result = getattr(v2_client.v2, name)(**call_args(name))
    seen = wire.seen[0]
    if name == "get_dataset_task_response_url":
        assert result is None
    assert seen.method == expected["method"]
    assert seen.path == expected["path"]
    assert seen.raw_query == expected["raw_query"]
    assert seen.headers["accept"] == "application/json"
    assert seen.headers.get("content-type") == expected["content_type"]
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["user-agent"].startswith("scaleapi/") and seen.headers["user-agent"].endswith(
        "pytest"
    )
    if expected["body"] is None:
        assert seen.body == b""
    else:
        assert seen.json == expected["body"]


@pytest.mark.parametrize("name", [n for n in NAMES if FACTS[n]["returns"]])
def test_answers_parse_into_the_endpoint_model_in_every_variant(name: str, wire: Any, v2_client: Any) -> None:
    body = answer_for(name)
    wire.reset(lambda request: (200, body, {"X-Seen": "yes"}))
    model = model_class(FACTS[name]["returns"])
    data = getattr(v2_client.v2, name)(**call_args(name))
    assert isinstance(data, model)
    assert data.to_dict() == model.from_dict(body).to_dict()  # type: ignore[attr-defined]
    info = getattr(v2_client.v2, name + "_with_http_info")(**call_args(name))
    assert isinstance(info, ApiResponse)
    assert info.status_code == 200 and info.headers["X-Seen"] == "yes"
    assert isinstance(info.data, model) and json.loads(info.raw_data) == body
    raw = getattr(v2_client.v2, name + "_without_preload_content")(**call_args(name))
    assert isinstance(raw, requests.Response) and raw.json() == body
    assert len(wire.seen) == 3


def test_positional_arguments_in_table_order(wire: Any, v2_client: Any) -> None:
    wire.reset(lambda request: (200, answer_for("get_task")))
    v2_client.v2.get_task("t/1 x", ["project"])
    assert wire.seen[0].raw_query == "task_id=t/1%20x&expand=project"


def test_query_encoding_datetimes_and_v1_enum_members(wire: Any, v2_client: Any) -> None:
    wire.reset(lambda request: (200, {"tasks": []}))
    v2_client.v2.get_tasks(project_name="a b/c&d+e:é", status=scaleapi.TaskStatus.Completed,
                           completed_after=datetime.datetime(2025, 1, 2, 3, 4, 5),
                           completed_before=datetime.datetime(
                               2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2))))
    assert wire.seen[0].raw_query == (
        "project_name=a%20b/c%26d%2Be%3A%C3%A9&status=completed"
        "&completed_after=2025-01-02T03%3A04%3A05.000000"
        "&completed_before=2025-01-02T03%3A04%3A05.000000%2B0200"
    )


def test_path_parameters_keep_nothing_safe(wire: Any, v2_client: Any) -> None:
    v2_client.v2.get_dataset_task_response_url("t/1", "a 2")
    assert wire.seen[0].path == "/v2/datasets/task/t%2F1/response_url/a%202"


def test_a_dict_body_is_converted_through_its_model(wire: Any, v2_client: Any) -> None:
    wire.reset(lambda request: (200, answer_for("set_task_metadata")))
    v2_client.v2.set_task_metadata({"task_id": "t", "metadata": {}})
    assert wire.seen[0].json == {"task_id": "t", "metadata": {}, "merge": False}
    v2_client.v2.pause_batch({})
    assert wire.seen[1].json == {}


def test_call_options(wire: Any, v2_client: Any) -> None:
    wire.reset(lambda request: (200, answer_for("get_project")))
    v2_client.v2.get_project(project_id="p", _headers={"User-Agent": "mine", "X-Extra": "1"},
                             _request_timeout=(2, 5))
    assert wire.seen[0].headers["user-agent"] == "mine" and wire.seen[0].headers["x-extra"] == "1"
    v2_client.v2.get_project(project_id="p", _request_auth={"in": "header", "key": "Authorization",
                                                            "value": "Bearer other"})
    assert wire.seen[1].headers["authorization"] == "Bearer other"
    v2_client.v2.create_batch_without_preload_content(
        {"name": "b", "project_name": "p"}, _content_type="application/json; charset=utf-8"
    )
    assert wire.seen[2].headers["content-type"] == "application/json; charset=utf-8"
    with pytest.raises(ValueError, match="_host_index"):
        v2_client.v2.get_project(project_id="p", _host_index=1)
    with pytest.raises(ValueError):
        v2_client.v2.get_project(project_id="p", _request_timeout=-1)
    assert len(wire.seen) == 3


def test_configuration_host_and_token_apply_per_call(wire: Any, v2_client: Any) -> None:
    config = v2_client.v2.api_client.configuration
    assert config.host == wire.url[: -len("/v1")]
    assert "test_" not in repr(config)
    config.access_token = "test_changed"
    v2_client.v2.get_project_without_preload_content(project_id="p")
    assert wire.seen[0].headers["authorization"] == "Bearer test_changed"


@pytest.mark.parametrize("call, field", [
    (lambda v2: v2.get_task(None), "task_id"),
    (lambda v2: v2.get_task(5), "task_id"),
    (lambda v2: v2.get_tasks(project_id=5), "project_id"),
    (lambda v2: v2.get_tasks(limit=0), "limit"),
    (lambda v2: v2.get_tasks(limit=101), "limit"),
    (lambda v2: v2.get_tasks(limit="5"), "limit"),
    (lambda v2: v2.get_tasks(limit=True), "limit"),
    (lambda v2: v2.get_tasks(status="finished"), "status"),
    (lambda v2: v2.get_tasks(expand="project"), "expand"),
    (lambda v2: v2.get_tasks(expand=["nope"]), "expand"),
    (lambda v2: v2.get_tasks(completed_after="yesterday"), "completed_after"),
    (lambda v2: v2.get_tasks(completed_after=5), "completed_after"),
    (lambda v2: v2.create_batch(None), "create_batch_request"),
    (lambda v2: v2.create_batch({"name": "b", "project": "p"}), "project"),
    (lambda v2: v2.create_batch("b"), "CreateBatchRequest"),
    (lambda v2: v2.get_dataset_task_response_url("t", None), "attachment_id"),
])
def test_bad_arguments_are_refused_before_any_request(
    call: Any, field: str, wire: Any, v2_client: Any
) -> None:
    with pytest.raises(ValueError, match=field) as caught:
        call(v2_client.v2)
    assert isinstance(caught.value, scaleapi.ScaleInvalidRequest)
    assert not wire.seen


def test_a_missing_required_argument_is_a_type_error_naming_it(wire: Any, v2_client: Any) -> None:
    with pytest.raises(TypeError, match="task_id"):
        v2_client.v2.get_task()  # pylint: disable=no-value-for-parameter
    assert not wire.seen


def test_enum_parameters_accept_members_values_and_v1_members(wire: Any, v2_client: Any) -> None:
    wire.reset(lambda request: (200, {"tasks": []}))
    v2_client.v2.get_tasks(status=scaleapi.TaskStatus.Pending, expand=[scaleapi.ExpandableEnumTask.PROJECT],
                           opts=("submissions", scaleapi.Option.ANNOTATION_DETAILS))
    assert wire.seen[0].raw_query == "status=pending&expand=project&opts=submissions&opts=annotation_details"


def test_unmapped_2xx_returns_none_and_a_non_json_2xx_is_a_scale_exception(wire: Any, v2_client: Any) -> None:
    wire.reset(lambda request: (201, {"id": "p"}))
    assert v2_client.v2.get_project(project_id="p") is None
    wire.reset(lambda request: (204, b""))
    assert v2_client.v2.get_project_with_http_info(project_id="p").data is None
    wire.reset(lambda request: (200, b"<h1>hi</h1>", {"Content-Type": "text/html"}))
    with pytest.raises(scaleapi.ScaleException, match="text/html"):
        v2_client.v2.get_project(project_id="p")
    wire.reset(lambda request: (200, b"{not json"))
    with pytest.raises(scaleapi.ScaleException, match="not JSON"):
        v2_client.v2.get_project(project_id="p")
    wire.reset(lambda request: (200, {"id": 5, "name": "n"}))
    with pytest.raises(scaleapi.ScaleException, match="Project.id"):
        v2_client.v2.get_project(project_id="p")


def test_response_url_follows_the_302(wire: Any, v2_client: Any) -> None:
    def answer(request: Any) -> Any:
        if request.path.startswith("/v2/"):
            return 302, b"", {"Location": "/files/target"}
        return 200, b"file bytes", {"Content-Type": "application/octet-stream"}

    wire.reset(answer)
    assert v2_client.v2.get_dataset_task_response_url("t", "a") is None
    info = v2_client.v2.get_dataset_task_response_url_with_http_info("t", "a")
    assert info.status_code == 200 and info.raw_data == b"file bytes" and info.data is None
    raw = v2_client.v2.get_dataset_task_response_url_without_preload_content("t", "a")
    assert raw.url.endswith("/files/target") and raw.history[0].status_code == 302
    assert wire.seen[1].headers["authorization"] == f"Bearer {KEY}"  # same origin keeps the key


def test_lazy_loading_in_a_subprocess() -> None:
    code = (
        "import sys, scaleapi\n"
        "c = scaleapi.ScaleClient('test_k', api_instance_url='http://127.0.0.1:9/v1')\n"
        "assert not [m for m in sys.modules if m.startswith('scaleapi.api_client')], 'early'\n"
        "assert 'pydantic' not in sys.modules\n"
        "v = c.v2\n"
        "assert type(v).__name__ == 'V2Api' and c.v2 is v\n"
        "assert 'scaleapi.api_client.v2.api.v2_api' in sys.modules\n"
        "assert scaleapi.V2Task.__module__ == 'scaleapi.api_client.v2.models.task'\n"
        "assert {'ApiClient', 'Configuration', 'ExpandableEnumTask', 'Option', 'V2Api', 'V2Task'} <= "
        "set(scaleapi.__all__)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": ROOT})


@pytest.mark.parametrize("given, host", [
    ("http://127.0.0.1:5000/v1", "http://127.0.0.1:5000"),
    ("http://127.0.0.1:5000/v1/", "http://127.0.0.1:5000"),
    ("http://127.0.0.1:5000/scale/v1", "http://127.0.0.1:5000/scale"),
])
def test_v2_host_from_api_instance_url(given: str, host: str) -> None:
    with scaleapi.ScaleClient("test_k", api_instance_url=given) as client:
        assert client.v2.api_client.configuration.host == host


def test_v2_host_from_the_environment(monkeypatch: Any, wire: Any) -> None:
    monkeypatch.setenv("SCALE_API_BASE_URL", wire.url)
    with scaleapi.ScaleClient("test_k") as client:
        client.v2.get_datasets_without_preload_content()
    assert wire.seen[0].path == "/v2/datasets"


def test_default_host_is_the_public_api() -> None:
    with scaleapi.ScaleClient("test_k") as client:
        assert client.v2.api_client.configuration.host == "https://api.scale.com"


def test_with_options_copy_gets_its_own_v2(v2_client: Any) -> None:
    first = v2_client.v2
    other = v2_client.with_options(timeout=3)
    assert other.v2 is not first and other.v2.api_client.api is other.api
    assert v2_client.v2 is first


def test_proxies_and_verify_are_applied(wire: Any) -> None:
    from support.recording_server import RecordingServer  # pylint: disable=import-outside-toplevel

    proxy = RecordingServer()
    try:
        proxy.reset(lambda request: (200, {"datasets": []}))
        with pytest.warns(UserWarning, match="verify"):
            client = scaleapi.ScaleClient("test_k", api_instance_url=wire.url, verify=False,
                                          proxies={"http": f"http://127.0.0.1:{proxy.port}"})
        with client:
            client.v2.get_datasets()
        assert not wire.seen
        assert proxy.seen[0].target == f"http://127.0.0.1:{wire.port}/v2/datasets"
        assert proxy.seen[0].headers["authorization"] == "Bearer test_k"
    finally:
        proxy.close()


def test_a_pickled_client_keeps_no_key_and_its_v2_still_authenticates(wire: Any) -> None:
    import pickle  # pylint: disable=import-outside-toplevel

    client = scaleapi.ScaleClient("test_picklesecret", api_instance_url=wire.url)
    client.v2.get_datasets_without_preload_content()
    data = pickle.dumps(client)
    assert b"picklesecret" not in data
    copy = pickle.loads(data)
    copy.v2.get_datasets_without_preload_content()
    assert wire.seen[-1].headers["authorization"] == "Bearer test_picklesecret"
    client.close()
    copy.close()


def test_official_offline_checks() -> None:
    # pylint: disable=import-outside-toplevel
    from scaleapi.api_client.v2.models.batch_operation_request import BatchOperationRequest
    from scaleapi.api_client.v2.models.create_batch_request import CreateBatchRequest
    from scaleapi.api_client.v2.models.set_batch_metadata_request import SetBatchMetadataRequest

    by_id = BatchOperationRequest(batch_id="b1")
    assert by_id.batch_id == "b1" and by_id.batch_name is None
    by_name = BatchOperationRequest(batch_name="n1")
    assert by_name.batch_name == "n1" and by_name.batch_id is None
    create = CreateBatchRequest(name="n", project_name="p")
    assert create.name == "n" and create.project_name == "p"
    assert SetBatchMetadataRequest(batch_id="b1", metadata={"ok": True}).metadata == {"ok": True}
    client = scaleapi.ScaleClient("test_offline", "pytest")
    assert hasattr(client, "v2")


def test_standalone_api_client(wire: Any) -> None:
    config = scaleapi.Configuration(host=wire.url[: -len("/v1")], access_token="test_standalone")
    api = scaleapi.V2Api(scaleapi.ApiClient(config))
    api.get_datasets_without_preload_content()
    assert wire.seen[0].path == "/v2/datasets"
    assert wire.seen[0].headers["authorization"] == "Bearer test_standalone"
    with pytest.raises(scaleapi.ScaleConfigurationError, match="access_token"):
        scaleapi.V2Api(scaleapi.ApiClient(scaleapi.Configuration(host=config.host))).get_datasets()


def test_a_header_value_with_a_line_break_is_refused_without_showing_it(wire: Any, v2_client: Any) -> None:
    v2_client.v2.api_client.configuration.access_token = "test_broken\nkey"
    with pytest.raises(ValueError) as caught:
        v2_client.v2.get_datasets()
    assert "broken" not in str(caught.value) and "Authorization" in str(caught.value)
    v2_client.v2.api_client.configuration.access_token = KEY
    with pytest.raises(ValueError, match="X-A"):
        v2_client.v2.get_datasets(_headers={"X-A": "1\r\nX-B: 2"})
    assert not wire.seen


def test_a_v2_set_by_hand_is_kept(v2_client: Any) -> None:
    mine = scaleapi.V2Api(scaleapi.ApiClient(scaleapi.Configuration(host="http://127.0.0.1:9",
                                                                     access_token="test_mine")))
    v2_client.v2 = mine
    assert v2_client.v2 is mine
    assert "V2Api" in dir(scaleapi) and "V2Task" in dir(scaleapi)


@pytest.mark.parametrize("setting, named", [
    ({"verify": "/nonexistent/ca.pem"}, "CA certificate bundle"),
    ({"cert": "/nonexistent/client.pem"}, "certificate file"),
])
def test_verify_and_cert_reach_the_v2_transport(setting: Dict[str, str], named: str) -> None:
    # requests reads these paths before connecting: the error proves the v2 call carried them
    with scaleapi.ScaleClient("test_k", api_instance_url="https://127.0.0.1:9/v1", max_retries=0,
                              **setting) as client:  # type: ignore[arg-type]
        with pytest.raises(scaleapi.ScaleConnectionError, match=named):
            client.v2.get_datasets()
