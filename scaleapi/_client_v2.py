"""``ScaleClient.v2`` (the v2 API, built on first use) and the page walk of the v2 list generators.

The generators themselves (``v2_get_tasks`` and the others) are written from the endpoint table, in
``_client_v2_lists``.

Nothing from ``scaleapi.api_client`` is imported until ``.v2`` is first touched, so ``import
scaleapi`` and ``ScaleClient(...)`` load no v2 module. The generators walk ``next_token`` pages
through the client's long-work copy (``with_options(_long_work=True)``), so a page fetch rides out an
outage within the retry budget, and refuse a cursor that would make them loop: an empty token, a
token already followed, or a page that adds nothing (empty, or the same items again).
"""
from typing import TYPE_CHECKING, Any, Callable, Dict, Generator, List, Optional, Sequence, Set, Tuple

from ._client_base import ClientBase
from .exceptions import ScalePaginationError

if TYPE_CHECKING:  # pragma: no cover
    from .api_client.v2.api.v2_api import V2Api

__all__ = ["V2Mixin"]


def _signature(items: Sequence[Any]) -> Optional[frozenset]:  # type: ignore[type-arg]
    """The ids of a page's items (None when they carry none), to notice a page served again."""
    ids = [(item.get("task_id") or item.get("id")) if isinstance(item, dict)
           else (getattr(item, "task_id", None) or getattr(item, "id", None)) for item in items]
    if not ids or any(not isinstance(one, str) for one in ids):
        return None
    return frozenset(ids)


def _read_page(page: Any, items: str, models: Optional[Tuple[type, type]]) -> Tuple[List[Any], Any, bool]:
    """A page's items, its ``next_token``, and whether the items are still JSON to read one by one.

    A page that came back as decoded JSON is checked without its items (so a bad ``next_token`` or
    other field raises as it would for the whole page), and its items are read as they are handed
    out: only one task's objects are alive at a time, not a whole page of them.
    """
    if not isinstance(page, dict) or models is None:
        return list(getattr(page, items, None) or []), getattr(page, "next_token", None), False
    raw = page.get(items)
    if not isinstance(raw, list):
        models[0].from_dict(page)  # type: ignore[attr-defined]  # raises the error naming the field
        return [], None, False  # pragma: no cover - from_dict refuses a page without its list
    models[0].from_dict({**page, items: []})  # type: ignore[attr-defined]
    return raw, page.get("next_token"), True


def walk_v2_pages(fetch: Callable[[Optional[str]], Any], items: str,
                  models: Optional[Tuple[type, type]] = None) -> Generator[Any, None, None]:
    """Yield every item (attribute ``items`` of each page) of a ``next_token``-paged v2 listing.

    ``fetch`` returns a page model, or the page's decoded JSON when ``models`` (the page model and
    the item model) says how to read it.

    Raises:
        ScalePaginationError: the server sent an empty ``next_token``, one already followed, an empty
            page with a ``next_token``, or the same items again under a fresh token.
    """
    seen: Set[str] = set()
    pages: Set[frozenset] = set()  # type: ignore[type-arg]
    token: Optional[str] = None
    while True:
        docs, next_token, raw = _read_page(fetch(token), items, models)
        signature = _signature(docs)
        if signature is not None:
            if signature in pages:
                raise ScalePaginationError(
                    f"the server sent the same {len(docs)} items again (next_token {token!r}), "
                    "so the listing makes no progress")
            pages.add(signature)
        if raw and models is not None:
            read = models[1].from_dict  # type: ignore[attr-defined]
            for doc in docs:
                yield read(doc)
        else:
            yield from docs
        token = next_token
        if token is None:
            return
        if not isinstance(token, str) or not token:
            raise ScalePaginationError(f"the server sent next_token {token!r}, which cannot be followed")
        if not docs:
            raise ScalePaginationError(f"the server sent an empty page with next_token {token!r}")
        if token in seen:
            raise ScalePaginationError(f"the server sent next_token {token!r} a second time")
        seen.add(token)


class V2Mixin(ClientBase):
    """``v2`` of ``ScaleClient``, and the page walk of its ``v2_get_*`` generators (``_client_v2_lists``)."""

    @property
    def v2(self) -> "V2Api":
        """The v2 API (``V2Api``) on this client's connection pool, timeouts, retries and settings.

        Its host is ``api_instance_url`` (or ``SCALE_API_BASE_URL``) without the trailing ``/v1``.
        """
        built = self.__dict__.get("_v2")
        if built is not None and (built[1] is None or built[1] is self.api):
            kept: "V2Api" = built[0]  # set by hand (kept as is), or built for this very transport
            return kept
        # pylint: disable=import-outside-toplevel
        from .api_client.v2.api.v2_api import V2Api
        from .api_client.v2.api_client import ApiClient
        from .api_client.v2.configuration import Configuration, v2_host

        config = Configuration(host=v2_host(self.api.base_url))
        config.access_token = self.api._api_key  # pylint: disable=protected-access
        v2 = V2Api(ApiClient(config, api=self.api))
        self.__dict__["_v2"] = (v2, self.api)
        return v2

    @v2.setter
    def v2(self, value: "V2Api") -> None:
        self.__dict__["_v2"] = (value, None)

    def _v2_walk(self, endpoint: str, items: str, arguments: Dict[str, Any]) -> Generator[Any, None, None]:
        """Walk ``endpoint``'s pages with a generator's ``arguments`` (its ``locals()``: every parameter)."""
        from .api_client.v2.api._base import page_models  # pylint: disable=import-outside-toplevel

        filters = {name: value for name, value in arguments.items() if name != "self"}

        v2 = self.with_options(_long_work=True).v2
        fetch = getattr(v2, "_page", None)
        if fetch is None:  # a V2Api of another kind, set by hand: its pages come back as models
            method = getattr(v2, endpoint)
            return walk_v2_pages(lambda token: method(**filters, next_token=token), items)
        return walk_v2_pages(lambda token: fetch(endpoint, **filters, next_token=token), items,
                             page_models(endpoint, items))
