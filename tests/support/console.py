"""A plain HTTP client of the emulator console that remembers the last page's token."""
from __future__ import annotations

import re
from typing import Any, Dict, Optional

import requests

PREFIX = "/_emulator/console"
_TOKEN = re.compile(r'name="token" value="([^"]+)"')


class ConsolePage:
    """GETs console pages as a browser would (``Accept: text/html``) and POSTs their forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers["Accept"] = "text/html"
        self.token: Optional[str] = None

    def url(self, path: str) -> str:
        """The absolute URL of a console path (``/faults``) or of a path from the root (``//x``)."""
        return f"{self.base}{PREFIX}{path}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """GET a console page and keep its token."""
        kwargs.setdefault("timeout", 10)
        response = self.session.get(self.url(path), **kwargs)
        found = _TOKEN.search(response.text)
        if found is not None:
            self.token = found.group(1)
        return response

    def post(self, path: str, data: Optional[Dict[str, str]] = None, token: bool = True,
             **kwargs: Any) -> requests.Response:
        """POST a form (with the last page's token unless ``token`` is False); redirects not followed."""
        form = dict(data or {})
        if token and self.token is not None:
            form.setdefault("token", self.token)
        kwargs.setdefault("timeout", 10)
        kwargs.setdefault("allow_redirects", False)
        return self.session.post(self.url(path), data=form, **kwargs)

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()
