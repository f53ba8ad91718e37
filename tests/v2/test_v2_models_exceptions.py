"""The v2 exceptions: each HTTP error in both families (v2 and ``scaleapi``), ``from_response``, the
other exception classes, and the wire JSON of a request body.
"""
import pickle

import pytest
from support.v2_errors import STATUS_EXCEPTIONS

import scaleapi
from scaleapi.api_client.v2 import exceptions as v2_exceptions


# --- exceptions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status,name,official,scale_cls", STATUS_EXCEPTIONS)
def test_http_errors_are_in_both_families(status: int, name: str, official: str, scale_cls: type) -> None:
    err = v2_exceptions.exception_for_status(status, "Reason", body='{"status_code": 1, "error": "x"}',
                                             headers={"X-Request-Id": "r1"})
    assert type(err).__name__ == name and isinstance(err, getattr(v2_exceptions, official))
    assert isinstance(err, v2_exceptions.ApiException) and isinstance(err, v2_exceptions.OpenApiException)
    assert isinstance(err, scale_cls) and isinstance(err, scaleapi.ScaleException)
    if 500 <= status <= 599:
        assert isinstance(err, v2_exceptions.ServiceException)
    assert (err.status, err.reason, err.code) == (status, "Reason", status)
    assert err.headers == {"X-Request-Id": "r1"} and err.data is None
    assert str(err).startswith(f"({status})\nReason: Reason\n") and '"error": "x"' in str(err)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and (again.status, again.body, str(again)) == (status, err.body, str(err))
    with pytest.raises(scale_cls):
        v2_exceptions.ApiException.from_response(status=status, reason="Reason", body="b")


def test_from_response_reads_a_response_object() -> None:
    class Response:
        """The attributes urllib3 and requests responses have."""

        status = 404
        reason = "Not Found"
        data = b'{"status_code": 404, "error": "no such task"}'
        headers = {"Content-Type": "application/json"}

    with pytest.raises(v2_exceptions.NotFoundException) as info:
        v2_exceptions.ApiException.from_response(http_resp=Response(), body=None, data=None)
    assert info.value.body == '{"status_code": 404, "error": "no such task"}'
    assert isinstance(info.value, scaleapi.ScaleResourceNotFound)


def test_the_other_exception_classes() -> None:
    type_error = v2_exceptions.ApiTypeError("bad", ["a", 0])
    assert isinstance(type_error, TypeError) and isinstance(type_error, scaleapi.ScaleException)
    assert type_error.path_to_item == ["a", 0]
    assert isinstance(v2_exceptions.ApiValueError("bad"), ValueError)
    assert isinstance(v2_exceptions.ApiKeyError("bad"), KeyError)
    assert isinstance(v2_exceptions.ApiAttributeError("bad"), AttributeError)
    for err in (type_error, v2_exceptions.ApiValueError("v", ["x"], model="M"),
                v2_exceptions.ResponseValidationError("r", ["y"], model="N")):
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is type(err) and str(again) == str(err)
        assert again.path_to_item == err.path_to_item


def test_to_json_uses_the_wire_separators_and_ascii_escapes() -> None:
    from scaleapi.api_client.v2 import CreateBatchRequest  # pylint: disable=import-outside-toplevel

    body = CreateBatchRequest(name="caf\u00e9", metadata={"a": [1, 2]}).to_json()
    assert body == '{"name": "caf\\u00e9", "staging_batch": false, "metadata": {"a": [1, 2]}}'
