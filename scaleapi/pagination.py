"""Pages of results, and the generators that walk them without ever looping forever.

A page is a ``Paginator``: a list of models that also carries the listing's ``total``, ``limit``,
``offset``, ``has_more`` and (for tasks) ``next_token``. The walkers hold one page at a time (plus one
small number per page seen: a hash of its documents' keys), so memory stays nearly constant however
long the listing; they raise ``ScalePaginationError`` as soon as a page breaks the paging rules in a
way that would otherwise make them fetch the same pages again and again: a cursor that comes back, or
the same documents again under a fresh cursor or offset.
"""
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Generator,
    Generic,
    List,
    Optional,
    Set,
    Tuple,
    TypeVar,
)

from .batches import Batch
from .exceptions import ScaleException, ScalePaginationError
from .tasks import Task

if TYPE_CHECKING:  # pragma: no cover
    from .client import ScaleClient

__all__ = ["Paginator", "Tasklist", "Batchlist", "walk_cursor_pages", "walk_offset_pages"]

T = TypeVar("T")


class Paginator(List[T], Generic[T]):
    """One page of a listing: a list of its documents, plus the listing's paging fields.

    Args:
        docs: the documents of this page.
        total: how many documents match the query across all pages.
        limit: the page size the server used.
        offset: where this page starts.
        has_more: whether another page follows.
        next_token: the cursor of the next page (task listings only).
    """

    def __init__(  # pylint: disable=too-many-arguments
        self,
        docs: List[T],
        total: int,
        limit: int,
        offset: int,
        has_more: bool,
        next_token: Optional[str] = None,
    ) -> None:
        super().__init__(docs)
        self.docs = docs
        self.total = total
        self.limit = limit
        self.offset = offset
        self.has_more = has_more
        self.next_token = next_token

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(len={len(self)}, total={self.total}, limit={self.limit}, "
            f"offset={self.offset}, has_more={self.has_more}, next_token={self.next_token!r})"
        )


class Tasklist(Paginator[Task]):
    """A page of tasks, from ``ScaleClient.tasks()``."""

    @classmethod
    def from_json(cls, page: Any, client: Optional["ScaleClient"]) -> "Tasklist":
        """Build a page from a ``GET tasks`` answer; missing paging keys get neutral defaults."""
        docs, fields = _page_fields(page, "tasks", "total")
        return cls([Task(doc, client) for doc in docs], **fields)


class Batchlist(Paginator[Batch]):
    """A page of batches, from ``ScaleClient.batches()``."""

    @classmethod
    def from_json(cls, page: Any, client: Optional["ScaleClient"]) -> "Batchlist":
        """Build a page from a ``GET batches`` answer (total from ``totalDocs``, else ``total``)."""
        docs, fields = _page_fields(page, "batches", "totalDocs")
        fields.pop("next_token")
        return cls([Batch(doc, client) for doc in docs], **fields)


def _page_fields(page: Any, what: str, total_key: str) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
    if not isinstance(page, dict):
        raise ScaleException(f"GET {what} answered with a {type(page).__name__}, not a page object")
    docs = page.get("docs")
    if not isinstance(docs, list) or not all(isinstance(doc, dict) for doc in docs):
        raise ScaleException(f"GET {what} answered with a page whose 'docs' is not a list of objects")
    total = page.get(total_key, page.get("total", page.get("totalDocs")))
    limit = page.get("limit")
    offset = page.get("offset")
    token = page.get("next_token")
    return docs, {
        "total": total if isinstance(total, int) else len(docs),
        "limit": limit if isinstance(limit, int) else len(docs),
        "offset": offset if isinstance(offset, int) else 0,
        "has_more": bool(page.get("has_more", False)),
        "next_token": token if isinstance(token, str) and token else None,
    }


class _Progress:
    """Remembers each page by a hash of its documents' keys, to notice a page served again.

    Pages of one listing are disjoint, so a page holding exactly the documents of an earlier one
    means the server is going round in circles (e.g. a fresh ``next_token`` for the same page).
    """

    def __init__(self) -> None:
        self._pages: Set[int] = set()

    def check(self, page: "Paginator[Any]") -> None:
        """Raise ``ScalePaginationError`` if ``page`` holds the same documents as an earlier page."""
        try:
            signature = hash(frozenset(hash(doc) for doc in page))
        except TypeError:  # documents without a hash (not models): nothing to compare
            return
        if signature in self._pages:
            raise ScalePaginationError(
                f"the server sent the same {len(page)} documents again on a later page "
                f"(next_token {page.next_token!r}, offset {page.offset}), so the listing makes no progress"
            )
        self._pages.add(signature)


def walk_cursor_pages(
    fetch: Callable[[Optional[str]], Paginator[T]],
) -> Generator[T, None, None]:
    """Yield every document of a cursor-paged listing, one page in memory at a time.

    Args:
        fetch: returns the page for a cursor (``None`` for the first page).

    Raises:
        ScalePaginationError: a page says ``has_more`` but gives no new cursor, or is empty while
            claiming more, or a cursor comes back that was already followed, or a page holds the
            same documents as an earlier one (under a fresh cursor).
    """
    seen: Set[str] = set()  # cursors only (short strings), never documents
    progress = _Progress()
    token: Optional[str] = None
    while True:
        page = fetch(token)
        if page.has_more or token is not None:
            progress.check(page)
        yield from page
        if not page.has_more:
            return
        if not page:
            raise ScalePaginationError("the server sent an empty page that claims has_more")
        token = page.next_token
        if token is None:
            raise ScalePaginationError("the server claims has_more but sent no next_token")
        if token in seen:
            raise ScalePaginationError(f"the server sent next_token {token!r} a second time")
        seen.add(token)
        del page


def walk_offset_pages(
    fetch: Callable[[int], Paginator[T]],
) -> Generator[T, None, None]:
    """Yield every document of an offset-paged listing, advancing by each page's ``limit``.

    Args:
        fetch: returns the page that starts at an offset (0 first).

    Raises:
        ScalePaginationError: a page claims ``has_more`` while reporting a ``limit`` below 1 or
            holding no documents, or holds the same documents as an earlier page (a server that
            ignores the offset).
    """
    progress = _Progress()
    offset = 0
    while True:
        page = fetch(offset)
        if page.has_more or offset:
            progress.check(page)
        yield from page
        if not page.has_more:
            return
        if page.limit < 1:
            raise ScalePaginationError(
                f"the server claims has_more but reports limit {page.limit}, so the offset cannot advance"
            )
        if not page:
            raise ScalePaginationError("the server sent an empty page that claims has_more")
        offset += page.limit
        del page
