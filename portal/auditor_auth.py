"""Auditor sign-in on the portal: Sign-In with Ethereum against the auditor role in the mirror.

1. `/auditor/sign-in` shows a fresh `Challenge` (ledger/write/sign_in.py: this portal's domain
   and URI, the mirror's chain id, a random nonce, five minutes to live) and, hidden in the form,
   its MAC: HMAC(secret, challenge + the visitor's CSRF cookie), so a challenge is only accepted
   from the browser it was shown to and nothing is stored until it is used.
2. The auditor runs `aidledger auditor sign-in-code CHALLENGE --as NAME` and pastes the code.
3. The portal checks the MAC and the expiry, recovers the address from the signature over the
   EIP-4361 message, records the nonce as used (portal/nonces.py: a replay is refused), and
   checks that the address holds the auditor role in the mirror (`ledger.queries.roles`).
4. It sets the `auditor` cookie: address and expiry, HMAC-signed, HttpOnly, SameSite=Strict,
   Secure over https, path /auditor, 30 minutes. Every auditor request checks the signature,
   the expiry and the role again (a revoked auditor is out at the next indexed block).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from enum import StrEnum

from eth_utils import is_hex_address, to_checksum_address
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from ledger.queries.roles import is_auditor
from ledger.write.sign_in import Challenge, SignInError, signer_of
from portal import csrf
from portal.auth import Auth

CHALLENGE_SECONDS = 300
SESSION_SECONDS = 1_800
COOKIE = "auditor"
COOKIE_PATH = "/auditor"


class SignInProblem(StrEnum):
    """Why a sign-in failed (its words are in auditor_sign_in.html)."""

    FORM = "form"  # no or a wrong CSRF token
    CHALLENGE = "challenge"  # the challenge was not shown by this portal to this browser
    EXPIRED = "expired"
    CODE = "code"  # not `<address>:<signature>`
    SIGNATURE = "signature"  # the signature is not the address's
    REPLAYED = "replayed"  # the nonce was used before
    NOT_AUDITOR = "not_auditor"
    EMPTY = "empty"  # the mirror has no chain yet
    TOO_MANY = "too_many"


class SignInFailedError(Exception):
    """A sign-in refused for `problem`."""

    def __init__(self, problem: SignInProblem, status: int = 400) -> None:
        super().__init__(problem)
        self.problem = problem
        self.status = status


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _mac(secret: bytes, purpose: str, value: str) -> str:
    return _b64(hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).digest())


def new_challenge(
    request: Request, chain_id: int, csrf_cookie: str, secret: bytes
) -> tuple[Challenge, str]:
    """A challenge for this portal's address and its MAC bound to the visitor's CSRF cookie."""
    now = int(time.time())
    netloc = request.url.netloc
    challenge = Challenge(
        domain=netloc,
        uri=f"{request.url.scheme}://{netloc}{COOKIE_PATH}",
        chain_id=chain_id,
        nonce=secrets.token_hex(16),
        issued_at=now,
        expires_at=now + CHALLENGE_SECONDS,
    )
    token = challenge.encode()
    return challenge, _mac(secret, "challenge", f"{csrf_cookie}:{token}")


def sign_in(request: Request, session: Session, auth: Auth, form: dict[str, str]) -> str:
    """The checksum address of an auditor who signed the challenge in `form`, or
    SignInFailedError. Consumes the challenge's nonce once its signature is good."""
    cookie = csrf.cookie_of(request)
    if cookie is None or not csrf.valid(request, auth.secret, form.get("csrf", "")):
        raise SignInFailedError(SignInProblem.FORM, 403)
    token = form.get("challenge", "")
    expected = _mac(auth.secret, "challenge", f"{cookie}:{token}")
    if not hmac.compare_digest(expected, form.get("mac", "")):
        raise SignInFailedError(SignInProblem.CHALLENGE)
    challenge = Challenge.decode(token)  # made by us: the MAC matched
    if challenge.domain != request.url.netloc:
        raise SignInFailedError(SignInProblem.CHALLENGE)
    if challenge.expires_at < time.time():
        raise SignInFailedError(SignInProblem.EXPIRED)
    code = form.get("code", "")
    if not is_hex_address("".join(code.split()).partition(":")[0]):
        raise SignInFailedError(SignInProblem.CODE)
    try:
        address = signer_of(challenge, code)
    except SignInError:
        raise SignInFailedError(SignInProblem.SIGNATURE) from None
    if not auth.nonces.use(challenge.nonce, challenge.expires_at):
        raise SignInFailedError(SignInProblem.REPLAYED)
    if not is_auditor(session, address):
        raise SignInFailedError(SignInProblem.NOT_AUDITOR, 403)
    return address


def set_session(response: Response, request: Request, secret: bytes, address: str) -> None:
    """Give the browser the signed auditor cookie for `address`."""
    payload = _b64(json.dumps({"a": address, "e": int(time.time()) + SESSION_SECONDS}).encode())
    response.set_cookie(
        COOKIE,
        f"{payload}.{_mac(secret, 'session', payload)}",
        max_age=SESSION_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session(response: Response) -> None:
    """Remove the auditor cookie."""
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def signed_in(request: Request, session: Session, secret: bytes) -> str | None:
    """The auditor of this request: a cookie signed by us, not expired, whose address holds
    the auditor role in the mirror now; None otherwise."""
    payload, _, mac = request.cookies.get(COOKIE, "").partition(".")
    if not payload or not hmac.compare_digest(_mac(secret, "session", payload), mac):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        address, expires = str(data["a"]), int(data["e"])
    except (ValueError, KeyError, TypeError):
        return None
    if expires < time.time() or not is_hex_address(address):
        return None
    return to_checksum_address(address) if is_auditor(session, address) else None
