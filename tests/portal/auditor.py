"""Signing in to the portal's auditor page as a test's browser would: read the challenge from
the sign-in page, sign it with a real key, post the code."""

from __future__ import annotations

import httpx2
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from ledger.write.sign_in import Challenge, sign
from tests.portal.html import one, soup


def sign_in_form(client: TestClient) -> tuple[dict[str, str], Challenge]:
    """The sign-in form's hidden fields and its challenge."""
    form = one(soup(client.get("/auditor/sign-in")), "form#sign-in")
    assert form["method"] == "post" and form["action"] == "/auditor/sign-in"
    fields = {str(i["name"]): str(i["value"]) for i in form.select("input[type=hidden]")}
    return fields, Challenge.decode(fields["challenge"])


def post_code(client: TestClient, fields: dict[str, str], code: str) -> httpx2.Response:
    """Post a sign-in code with the form's fields (no redirect followed)."""
    return client.post("/auditor/sign-in", data={**fields, "code": code}, follow_redirects=False)


def sign_in(client: TestClient, account: LocalAccount) -> httpx2.Response:
    """Sign in with `account`'s key."""
    fields, challenge = sign_in_form(client)
    return post_code(client, fields, sign(account, challenge))
