"""/auditor: an auditor signs in with Sign-In with Ethereum using the scenario's real auditor key
(its role granted on chain and indexed), then downloads every report format with any filter.
Refused: a wrong signature, an address without the role, a replayed or expired challenge, a
post without the form's token, a tampered cookie; a non-auditor never gets the journal formats."""

from __future__ import annotations

import base64
import csv
import io
import json
import shutil
import sqlite3
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from ledger.chain.bindings import AUDITOR_ROLE
from ledger.cli.main import app
from ledger.reports.formats import FORMATS
from ledger.reports.formats.csv_format import ENCODING
from ledger.write.keys import Keystore
from ledger.write.sign_in import sign
from ledger.write.staff import StaffBook, StaffMember
from portal import auditor_auth
from portal.app import create_app
from portal.secret import SECRET_ENV
from portal.settings import Settings
from tests.portal.auditor import post_code, sign_in, sign_in_form
from tests.portal.conftest import Indexed
from tests.portal.html import ZH, one, soup, text
from tests.portal.routes.test_reports import EVERYTHING, STEM, raw_event_count, unzip

PASSPHRASE = "correct horse battery"


def problem(response: object) -> str:
    return text(one(soup(response), "#problem"))  # type: ignore[arg-type]


def test_auditor_signs_in_with_the_key_holding_the_role(
    client: TestClient, indexed: Indexed
) -> None:
    auditor = indexed.world.staff["auditor"]
    fields, challenge = sign_in_form(client)
    assert challenge.domain == "testserver" and challenge.uri == "http://testserver/auditor"
    assert challenge.expires_at - challenge.issued_at == 300
    response = post_code(client, fields, sign(auditor, challenge))
    assert response.status_code == 303 and response.headers["location"] == "/auditor"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("auditor=")
    for attribute in ("HttpOnly", "Path=/auditor", "SameSite=strict", "Max-Age=1800"):
        assert attribute in cookie, cookie
    assert "Secure" not in cookie  # plain http (a test server); see the https test
    page = soup(client.get("/auditor"))
    assert auditor.address in text(one(page, "#auditor"))
    form = one(page, "form#report-form")
    assert form["action"] == "/auditor/download"
    assert [str(o["value"]) for o in form.select("select#format option")] == list(FORMATS)
    assert one(form, "input#site")["name"] == "site"


def test_sign_in_page_shows_the_eip_4361_message_and_the_command(client: TestClient) -> None:
    response = client.get("/auditor/sign-in")
    assert response.headers["cache-control"] == "no-store"
    assert "Path=/auditor" in response.headers["set-cookie"]  # the CSRF cookie, for /auditor only
    page = soup(response)
    message = text(one(page, "#message"))
    assert message.startswith("testserver wants you to sign in with your Ethereum account:")
    for line in ("URI: http://testserver/auditor", "Version: 1", "Chain ID:", "Nonce:"):
        assert line in message
    assert text(one(page, "#command")).startswith("aidledger auditor sign-in-code --as NAME ")
    zh = soup(client.get("/auditor/sign-in", headers=ZH))
    assert text(one(zh, "main h1")) == "审计员登录"


def test_cookie_is_secure_over_https(indexed: Indexed) -> None:
    app = create_app(indexed.database_url, Settings(indexed.database_url))
    with TestClient(app, base_url="https://testserver") as secure:
        response = sign_in(secure, indexed.world.staff["auditor"])
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]


def test_wrong_signature_is_refused(client: TestClient, indexed: Indexed) -> None:
    fields, challenge = sign_in_form(client)
    forged = sign(indexed.world.staff["outsider"], challenge).split(":")[1]
    response = post_code(client, fields, f"{indexed.world.staff['auditor'].address}:{forged}")
    assert response.status_code == 400
    assert "signature does not match" in problem(response)
    assert "auditor=" not in response.headers.get("set-cookie", "")
    assert post_code(client, *sign_in_form(client)[:1], "hello").status_code == 400


def test_an_address_without_the_auditor_role_is_refused(
    client: TestClient, indexed: Indexed
) -> None:
    for name in ("outsider", "intake"):
        response = sign_in(client, indexed.world.staff[name])
        assert response.status_code == 403
        assert "does not hold the auditor role" in problem(response)
        assert client.get("/auditor", follow_redirects=False).status_code == 303
    stranger = sign_in(client, Account.create())
    assert stranger.status_code == 403


def test_a_used_challenge_cannot_sign_in_again(client: TestClient, indexed: Indexed) -> None:
    fields, challenge = sign_in_form(client)
    code = sign(indexed.world.staff["auditor"], challenge)
    assert post_code(client, fields, code).status_code == 303
    client.cookies.delete("auditor", path="/auditor")
    replayed = post_code(client, fields, code)
    assert replayed.status_code == 400
    assert "already been used" in problem(replayed)


def test_an_expired_challenge_is_refused(
    client: TestClient, indexed: Indexed, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields, challenge = sign_in_form(client)
    code = sign(indexed.world.staff["auditor"], challenge)
    later = challenge.expires_at + 1
    monkeypatch.setattr(auditor_auth, "time", SimpleNamespace(time=lambda: later))
    response = post_code(client, fields, code)
    assert response.status_code == 400
    assert "expired" in problem(response)


def test_a_challenge_from_another_browser_or_without_the_token_is_refused(
    client: TestClient, indexed: Indexed
) -> None:
    fields, challenge = sign_in_form(client)
    code = sign(indexed.world.staff["auditor"], challenge)
    no_token = post_code(client, {**fields, "csrf": ""}, code)
    assert no_token.status_code == 403 and "expired" in problem(no_token)
    client.cookies.clear()  # another browser: another CSRF cookie
    other_fields, _ = sign_in_form(client)
    moved = post_code(client, {**fields, "csrf": other_fields["csrf"]}, code)
    assert moved.status_code == 400 and "not shown by this portal" in problem(moved)


def test_a_tampered_cookie_signs_nobody_in(client: TestClient, indexed: Indexed) -> None:
    assert sign_in(client, indexed.world.staff["auditor"]).status_code == 303
    good = client.cookies.get("auditor", path="/auditor")
    assert good is not None
    payload, mac = good.split(".")
    outsider = indexed.world.staff["outsider"].address
    later = orjson.dumps({"a": outsider, "e": int(time.time()) + 10**6})
    forged_payload = base64.urlsafe_b64encode(later).decode().rstrip("=")
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    client.cookies.clear()
    client.cookies.set("auditor", good)  # the real cookie, set as the forged ones are: works
    assert client.get("/auditor", follow_redirects=False).status_code == 200
    for value in (f"{payload}.{flipped}", f"{forged_payload}.{mac}", payload, "x.y"):
        client.cookies.clear()
        client.cookies.set("auditor", value)
        page = client.get("/auditor", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/auditor/sign-in"
        download = client.get(
            "/auditor/download", params={**EVERYTHING, "format": "csv"}, follow_redirects=False
        )
        assert download.status_code == 303


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_without_a_session_no_journal_format(client: TestClient, fmt: str) -> None:
    params = {**EVERYTHING, "format": fmt}
    assert client.get("/reports/download", params=params).status_code == 403
    response = client.get("/auditor/download", params=params, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/auditor/sign-in"


def test_auditor_downloads_the_csv_journal_of_every_event(
    client: TestClient, indexed: Indexed
) -> None:
    assert sign_in(client, indexed.world.staff["auditor"]).status_code == 303
    response = client.get("/auditor/download", params={**EVERYTHING, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    files = unzip(response.content)
    manifest = orjson.loads(files[f"{STEM}.csv.manifest.json"])
    assert set(files) == {*(f["name"] for f in manifest["files"]), f"{STEM}.csv.manifest.json"}
    journal = list(csv.reader(io.StringIO(files[f"{STEM}.csv"].decode(ENCODING))))
    assert len(journal) - 1 == raw_event_count(indexed) == manifest["tables"]["journal"]["rows"]


def test_auditor_filters_by_site_and_currency(client: TestClient, indexed: Indexed) -> None:
    assert sign_in(client, indexed.world.staff["auditor"]).status_code == 303
    site = "0x" + indexed.world.sites["hospital"].hex()
    params = {**EVERYTHING, "format": "json", "site": "hospital", "currency": "cny"}
    response = client.get("/auditor/download", params=params)
    assert response.status_code == 200, response.text[:300]
    stem = f"{STEM}-CNY-site-{site[2:10]}"
    manifest = orjson.loads(unzip(response.content)[f"{stem}.json.manifest.json"])
    assert manifest["filters"] == {"currency": "CNY", "site": site}
    wrong = client.get("/auditor/download", params={**params, "site": "<b>nowhere</b>"})
    assert wrong.status_code == 400
    assert "There is no site <b>nowhere</b>" in problem(wrong)


def test_sign_out_ends_the_session(client: TestClient, indexed: Indexed) -> None:
    assert sign_in(client, indexed.world.staff["auditor"]).status_code == 303
    token = str(one(soup(client.get("/auditor")), "form#sign-out input[name=csrf]")["value"])
    out = client.post("/auditor/sign-out", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303 and 'auditor=""' in out.headers["set-cookie"]
    assert client.get("/auditor", follow_redirects=False).status_code == 303


def test_sign_in_tries_are_rate_limited(indexed: Indexed) -> None:
    settings = Settings(indexed.database_url, trace_per_minute=2)
    with TestClient(create_app(indexed.database_url, settings)) as limited:
        fields, _ = sign_in_form(limited)
        answers = [post_code(limited, fields, "x").status_code for _ in range(3)]
    assert answers == [400, 400, 429]


@pytest.fixture
def keys(tmp_path: Path, indexed: Indexed) -> dict[str, str]:
    """A data directory holding the scenario's auditor and outsider keys as `staff add` keeps
    them (encrypted keystores, staff.json); the environment the command runs with."""
    data = tmp_path / "data"
    book = StaffBook(data / "staff.json")
    members = []
    for name in ("auditor", "outsider"):
        account = indexed.world.staff[name]
        sealed = Account.encrypt(account.key, PASSPHRASE, kdf="scrypt", iterations=2**10)
        path = Keystore(data / "keys").path(account.address)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(sealed))
        members.append(StaffMember(f"{name}-wang", name, account.address))
    book.save(members)
    return {"AIDLEDGER_DATA_DIR": str(data), "AIDLEDGER_KEY_PASSPHRASE": PASSPHRASE}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, ["auditor", "sign-in-code", *args], env=env)


def test_the_command_signs_the_portals_challenge_with_the_staff_key(
    client: TestClient, keys: dict[str, str], indexed: Indexed
) -> None:
    fields, challenge = sign_in_form(client)
    result = run(keys, "--as", "auditor-wang", fields["challenge"])
    assert result.exit_code == 0, result.output
    code = result.stdout.strip()
    assert code.startswith(indexed.world.staff["auditor"].address + ":0x")
    assert challenge.message(indexed.world.staff["auditor"].address) in result.stderr
    assert post_code(client, fields, code).status_code == 303
    assert client.get("/auditor").status_code == 200


def test_the_command_refuses_what_it_cannot_sign(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fields, challenge = sign_in_form(client)
    outsider = run(keys, "--as", "outsider-wang", fields["challenge"])
    assert outsider.exit_code == 0 and "not auditor" in outsider.stderr
    assert post_code(client, fields, outsider.stdout.strip()).status_code == 403
    damaged = run(keys, "--as", "auditor-wang", fields["challenge"][:-10])
    assert damaged.exit_code == 1 and "damaged" in str(damaged.exception)
    nobody = run(keys, "--as", "nobody", sign_in_form(client)[0]["challenge"])
    assert nobody.exit_code == 1
    expired = replace(challenge, issued_at=1, expires_at=2).encode()
    assert "expired" in str(run(keys, "--as", "auditor-wang", expired).exception)


def test_a_revoked_auditor_is_out_once_the_mirror_shows_it(
    indexed: Indexed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "s" * 48)  # one secret, as every worker of one portal shares
    auditor = indexed.world.staff["auditor"]
    revoked = tmp_path / "revoked.sqlite3"
    shutil.copyfile(indexed.database_url.removeprefix("sqlite:///"), revoked)
    with sqlite3.connect(revoked) as db:  # what indexing a RoleChanged(granted=false) leaves
        changed = db.execute(
            "UPDATE role_members SET granted = 0 WHERE role = ? AND lower(account) = ?",
            ("0x" + AUDITOR_ROLE.hex(), auditor.address.lower()),
        ).rowcount
    assert changed == 1
    url = f"sqlite:///{revoked}"
    with TestClient(create_app(indexed.database_url)) as before:
        assert sign_in(before, auditor).status_code == 303
        session_cookie = before.cookies.get("auditor", path="/auditor")
    with TestClient(create_app(url)) as after:
        assert sign_in(after, auditor).status_code == 403
        assert session_cookie is not None
        after.cookies.set("auditor", session_cookie)
        assert after.get("/auditor", follow_redirects=False).status_code == 303


def test_auditor_form_posts_with_a_rates_file(client: TestClient, indexed: Indexed) -> None:
    assert sign_in(client, indexed.world.staff["auditor"]).status_code == 303
    form = one(soup(client.get("/auditor")), "form#report-form")
    assert form["method"] == "post" and form["enctype"] == "multipart/form-data"
    token = str(one(form, "input[name=csrf]")["value"])
    today = time.strftime("%Y-%m-%d", time.gmtime())
    fields = {**EVERYTHING, "format": "json", "csrf": token, "rates_currency": "CNY"}
    rates = f"date,currency,rate\n{today},USD,7.1\n".encode()
    response = client.post("/auditor/download", data=fields, files={"rates": ("r.csv", rates)})
    assert response.status_code == 200, response.text[:300]
    doc = orjson.loads(unzip(response.content)[f"{STEM}.json"])
    columns = doc["journal"]["columns"]
    assert {"rate_date", "rate", "amount_CNY"} <= set(columns)
    usd = [r for r in doc["journal"]["rows"] if r[columns.index("currency")] == "USD"]
    assert usd and all(r[columns.index("rate")] == "7.1" for r in usd)
    bad = client.post(
        "/auditor/download", data=fields, files={"rates": ("r.csv", b"day,code\n1,2\n")}
    )
    assert bad.status_code == 400
    assert "r.csv: the header lacks" in problem(bad) and "/tmp" not in problem(bad)
    stale = client.post("/auditor/download", data={**fields, "csrf": "x" * 43})
    assert stale.status_code == 400 and "expired" in problem(stale)
