"""``ScaleClient``: the entry point of the SDK.

Each method is one request through ``Api`` (the only object that does HTTP), wrapped in a model.
The methods live in small mixins by resource: ``_client_tasks``, ``_client_batches``,
``_client_projects`` (projects and files), ``_client_teams`` (teammates and Studio) and
``_client_bulk`` (bulk updates, waiting and export, built on the others).
"""
import os
from types import FunctionType
from typing import Any, Mapping, Optional, Tuple, Union

from . import _constants as C
from ._client_batches import BatchesMixin
from ._closing import Closing
from ._client_bulk import BulkMixin
from ._client_projects import ProjectsMixin
from ._client_tasks import TasksMixin
from ._client_teams import TeamsMixin
from ._client_v2_lists import V2ListsMixin
from ._hints import check_keywords
from ._task_query import TASK_QUERY_TO_FILTER
from .api import Api, Timeout
from .exceptions import ScaleException

__all__ = ["ScaleClient"]


class ScaleClient(  # pylint: disable=too-many-ancestors  # six method groups, their base, Closing
    TasksMixin, BatchesMixin, ProjectsMixin, TeamsMixin, BulkMixin, V2ListsMixin, Closing
):
    """A client of the Scale v1 API.

    Configuration comes from the arguments, then the environment, then the defaults.

    Args:
        api_key: your API key; defaults to env ``SCALE_API_KEY``.
        source: a word added to the User-Agent.
        api_instance_url: the full base URL ending in ``/v1``; defaults to env ``SCALE_API_BASE_URL``,
            then to the public API.
        verify: ``False`` to skip TLS verification, or a CA bundle path.
        proxies: a requests-style proxies dict.
        cert: a client certificate path or ``(cert, key)`` pair.
        timeout: seconds, or a ``(connect, read)`` pair, for every request.
        max_retries: retries after the first attempt, for calls that are safe to repeat.
        retry_budget: seconds that long work (the bulk methods, ``export_tasks``, the waiters and
            the list generators) goes on retrying a call that is safe to repeat, past
            ``max_retries``; default ``_constants.DEFAULT_RETRY_BUDGET`` (10 minutes).

    Raises:
        ScaleException: no API key was given and ``SCALE_API_KEY`` is not set.
    """

    def __init__(  # pylint: disable=too-many-arguments,too-many-positional-arguments
        self,
        api_key: Optional[str] = None,
        source: Optional[str] = None,
        api_instance_url: Optional[str] = None,
        verify: Optional[Union[bool, str]] = None,
        proxies: Optional[Mapping[str, str]] = None,
        cert: Optional[Union[str, Tuple[str, str]]] = None,
        *,
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        retry_budget: Optional[float] = None,
    ) -> None:
        key = api_key or os.environ.get(C.ENV_API_KEY)
        if not key:
            raise ScaleException(
                f"Please provide a valid API Key: pass api_key= or set the {C.ENV_API_KEY} variable."
            )
        base_url = api_instance_url or os.environ.get(C.ENV_BASE_URL) or C.DEFAULT_BASE_URL
        self.api = Api(
            key,
            source,
            base_url,
            verify,
            proxies,
            cert,
            timeout=timeout,
            max_retries=max_retries,
            retry_budget=retry_budget,
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self.api.close()

    def __repr__(self) -> str:
        return f"ScaleClient(api={self.api!r})"


def _present_as(cls: type) -> None:
    """Make the public methods ``cls`` inherits from its mixins report as ``<cls>.<name>()``.

    Python names a function by its ``__qualname__`` in argument errors and tracebacks, so a bad call
    would otherwise name a private mixin (``TasksMixin.get_tasks()``). ``get_tasks`` and
    ``get_tasks_count`` also get the closest valid name for a misspelled keyword.
    """
    for base in cls.__mro__[1:]:
        for name, attr in vars(base).items():
            if not name.startswith("_") and isinstance(attr, FunctionType) and getattr(cls, name) is attr:
                # A checking wrapper (check_keywords, same_signature_as) and the method it wraps: both
                # name the method, so Python's own argument errors name it too; a signature template
                # further down (another method) keeps its name.
                func: Any = attr
                while isinstance(func, FunctionType) and func.__qualname__.endswith(f".{name}"):
                    func.__qualname__ = f"{cls.__name__}.{name}"
                    func = getattr(func, "__wrapped__", None)
    for name in ("get_tasks", "get_tasks_count"):
        setattr(cls, name, check_keywords(getattr(cls, name), TASK_QUERY_TO_FILTER))


_present_as(ScaleClient)
