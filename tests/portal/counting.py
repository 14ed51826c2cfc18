"""A test client of the portal that counts the SQL statements each request runs (on the app's
engine), for the query-budget and kept-answer tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import event

from portal.app import create_app


class Counted:
    """A client and the SQL statements its last request ran."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.statements = 0

    def fetch(self, path: str, **kw: object) -> tuple[int, bytes, dict[str, str]]:
        """GET `path`, counting from zero: status, body and headers."""
        self.statements = 0
        response = self.client.get(path, **kw)  # type: ignore[arg-type]
        return response.status_code, response.content, dict(response.headers)


C = TypeVar("C", bound=Counted)


@contextmanager
def counted_client(database_url: str, kind: type[C]) -> Iterator[C]:
    """A `kind` over a portal on `database_url`, counting every statement its engine runs."""
    app = create_app(database_url)
    with TestClient(app) as client:
        counter = kind(client)

        def count(*_: object) -> None:
            counter.statements += 1

        event.listen(app.state.portal.engine, "before_cursor_execute", count)
        yield counter
