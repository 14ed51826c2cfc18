"""Jinja2 environments (one per language, autoescaped) and rendering a page with its headers.

One environment per language keeps gettext per request without shared mutable state: each has
that language's catalogue installed (new-style gettext, so `_("%(n)s")` escapes its values), and
the `sentence` filter that writes the read layer's sentences in it (portal/sentences.py).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from portal.context import Chrome
from portal.i18n import LANGUAGES, translations
from portal.sentences import code_word, render, template

TEMPLATES = Path(__file__).with_name("templates")


def environment(locale: str) -> Environment:
    """An autoescaping environment speaking `locale`."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code: no stat() of each on every render
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["sentence"] = render  # the read layer's sentences: `s | sentence(fmt)`
    env.filters["sentence_template"] = template  # `"pool" | sentence_template(fmt)`, for scripts
    env.globals["code_word"] = code_word  # code_word("earmark_kind", "purpose", fmt)
    return env


@dataclass(frozen=True)
class Renderer:
    """Renders templates in the visitor's language, with validators keyed on the mirror."""

    envs: dict[str, Environment]

    @classmethod
    def create(cls) -> Renderer:
        """Environments for every language."""
        return cls({lang.tag: environment(lang.locale) for lang in LANGUAGES})

    def html(self, chrome: Chrome, template: str, page: Any = None) -> str:
        """The page's HTML."""
        env = self.envs[chrome.lang.tag]
        return env.get_template(template).render(chrome=chrome, page=page)

    def response(
        self, request: Request, chrome: Chrome, template: str, page: Any = None, status: int = 200
    ) -> Response:
        """An HTML response with its ETag, Cache-Control, Vary and Content-Language."""
        body = self.html(chrome, template, page)
        response = HTMLResponse(body, status_code=status)
        add_validators(response, etag_of(request, chrome))
        response.headers["content-language"] = chrome.lang.tag
        return response


def etag_of(request: Request, chrome: Chrome) -> str:
    """A weak ETag naming everything a page depends on: mirror position, verify, lag, URL."""
    status = chrome.status
    parts = [
        chrome.lang.tag,
        request.url.path,
        request.url.query,
        "none" if status is None else f"{status.seq}:{status.head}:{status.last_block}",
        "" if status is None or status.last_verify is None else repr(status.last_verify),
        ",".join(chrome.notices),
        str(int(time.time()) // 86_400),  # alerts count days: a new day is a new page
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def add_validators(response: Response, etag: str) -> None:
    """ETag plus revalidate-every-time caching; the answer varies with the language."""
    response.headers["etag"] = etag
    response.headers["cache-control"] = "no-cache"
    response.headers["vary"] = "Cookie, Accept-Language"


def not_modified(request: Request, etag: str) -> bool:
    """Whether the client's If-None-Match already holds `etag`."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    tags = {tag.strip() for tag in header.split(",")}
    return etag in tags or etag.removeprefix("W/") in tags or "*" in tags
