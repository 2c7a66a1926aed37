#!/usr/bin/env python3
"""An ЕСИА-shaped provider on loopback for EduQL's ЕСИА sign-in tests.

The endpoints ЕСИА has and the way it uses them: /aas/oauth2/v2/ac (authorization), /aas/oauth2/v3/te
(token), /rs/prns/{oid} (the person, Bearer), /idp/ext/Logout (with redirect_url); no discovery
document and no JWKS. `client_secret` must be the signature of client_id + scope + timestamp + state
+ redirect_uri (at the token endpoint + code, under a state of its own), `timestamp` in ЕСИА's
format and recent, `state` a UUID, `client_certificate_hash` the registered one. The signature is
the stand-in signer's (esia_signer.py: HMAC-SHA256 under SIGNER_KEY), checked the way ЕСИА checks
its GOST one: over exactly those parameters. ID tokens are RS256 under the key of a self-signed
certificate, with no `kid`, a numeric `sub` (the oid) and `urn:esia:sbj`.

/control (JSON): {"people": {oid: person}} adds people (firstName, lastName, birthDate dd.MM.yyyy,
trusted, snils); {"next": oid} is who signs in at the next authorization; {"forge": kind} makes the
next ID token defective ("none", "hmac", "bad_signature", "other_key", "wrong_iss", "wrong_aud",
"expired", "wrong_nonce", "no_nonce", "with_kid", "organization"); {"rotate": true} replaces the
signing key and certificate. GET /control: the current certificate (PEM), the last token request,
the last rejection, the last logout. POST /sign: the stand-in signer as an HTTP service.

Usage: esia_provider.py PORT CLIENT_ID SIGNER_KEY CERTIFICATE_HASH (prints "ready" once it listens).
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

warnings.simplefilter("ignore")
from authlib.jose import jwt  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

ISSUER = "http://esia.gosuslugi.ru/"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_key():
    """An RSA key and a self-signed certificate for it, as ЕСИА publishes its own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ESIA test " + secrets.token_hex(4))])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256()))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return {"private": private, "certificate": certificate.public_bytes(serialization.Encoding.PEM).decode()}


class ESIA:
    def __init__(self, client_id, signer_key, certificate_hash):
        self.client_id = client_id
        self.signer_key = signer_key.encode()
        self.certificate_hash = certificate_hash
        self.lock = threading.Lock()
        self.key = new_key()
        self.people = {}
        self.next = None
        self.codes = {}
        self.tokens = {}
        self.forge = None
        self.last_token_request = None
        self.last_rejection = None
        self.last_logout = None

    def signed(self, secret, *parts):
        expected = b64(hmac.new(self.signer_key, "".join(parts).encode(), hashlib.sha256).digest())
        return hmac.compare_digest(secret or "", expected)

    def fresh(self, timestamp):
        try:
            moment = datetime.datetime.strptime(timestamp or "", "%Y.%m.%d %H:%M:%S %z")
        except ValueError:
            return False
        return abs((datetime.datetime.now(datetime.timezone.utc) - moment).total_seconds()) < 300

    def check_client(self, params, *signed_parts):
        """Why ЕСИА would refuse the client's parameters, or None."""
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if not UUID.match(params.get("state") or ""):
            return "state must be a UUID"
        if not self.fresh(params.get("timestamp")):
            return "timestamp missing, malformed or not recent"
        if params.get("client_certificate_hash") != self.certificate_hash:
            return "client_certificate_hash is not the registered one"
        if not self.signed(params.get("client_secret"), *signed_parts):
            return "client_secret is not the signature of the parameters"
        return None

    def sign(self, claims, forge):
        header = {"alg": "RS256", "typ": "JWT", "sbt": "id"}
        if forge == "with_kid":
            header["kid"] = "some-key"
        if forge == "none":
            return b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode()) + "."
        if forge == "hmac":
            public = self.key["certificate"].encode()
            signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
            return signing_input + "." + b64(hmac.new(public, signing_input.encode(), hashlib.sha256).digest())
        private = new_key()["private"] if forge == "other_key" else self.key["private"]
        token = jwt.encode(header, claims, private).decode()
        if forge == "bad_signature":
            head, body, signature = token.split(".")
            raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
            raw[len(raw) // 2] ^= 0x01
            token = head + "." + body + "." + b64(bytes(raw))
        return token

    def id_token(self, grant):
        with self.lock:
            forge, self.forge = self.forge, None
        now = int(time.time())
        oid = grant["oid"]
        person = self.people[str(oid)]
        claims = {"iss": ISSUER, "sub": oid, "aud": self.client_id, "nbf": now, "iat": now, "exp": now + 3600,
                  "auth_time": now, "amr": "PWD", "urn:esia:sid": "sid-" + secrets.token_hex(6),
                  "urn:esia:sbj": {"urn:esia:sbj_typ": "P", "urn:esia:sbj_is_tru": bool(person.get("trusted")),
                                   "urn:esia:sbj_oid": oid, "urn:esia:sbj_nam": "OID." + str(oid)}}
        if grant.get("nonce") and forge != "no_nonce":
            claims["nonce"] = grant["nonce"]
        if forge == "wrong_iss":
            claims["iss"] = "http://esia-portal1.test.gosuslugi.ru/"
        elif forge == "wrong_aud":
            claims["aud"] = "ANOTHER"
        elif forge == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif forge == "wrong_nonce":
            claims["nonce"] = "not-the-nonce"
        elif forge == "organization":
            claims["urn:esia:sbj"]["urn:esia:sbj_typ"] = "L"
        return self.sign(claims, forge)


class Handler(BaseHTTPRequestHandler):
    esia = None

    def log_message(self, *args):
        pass

    def answer(self, status, body=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def redirect(self, target, params):
        separator = "&" if "?" in target else "?"
        return self.answer(302, headers={"Location": target + separator + urllib.parse.urlencode(params)})

    def do_GET(self):
        esia = self.esia
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/control":
            return self.answer(200, {"certificate": esia.key["certificate"], "last_token_request": esia.last_token_request,
                                     "last_rejection": esia.last_rejection, "last_logout": esia.last_logout})
        if url.path == "/aas/oauth2/v2/ac":
            problem = esia.check_client(query, query.get("client_id", ""), query.get("scope", ""), query.get("timestamp", ""),
                                        query.get("state", ""), query.get("redirect_uri", ""))
            if problem is None and (query.get("response_type") != "code" or query.get("access_type") not in ("online", "offline")):
                problem = "response_type must be code, access_type online or offline"
            if problem is None and "openid" not in query.get("scope", "").split():
                problem = "scope must hold openid"
            if problem is not None:
                esia.last_rejection = problem
                return self.answer(400, {"error": "invalid_request", "error_description": problem})
            if esia.next is None or str(esia.next) not in esia.people:
                return self.redirect(query["redirect_uri"], {"error": "access_denied", "state": query["state"]})
            code = secrets.token_urlsafe(24)
            with esia.lock:
                esia.codes[code] = {"oid": int(esia.next), "redirect_uri": query["redirect_uri"], "scope": query["scope"],
                                    "nonce": query.get("nonce"), "state": query["state"], "used": False}
            return self.redirect(query["redirect_uri"], {"code": code, "state": query["state"]})
        match = re.match(r"^/rs/prns/([0-9]+)$", url.path)
        if match:
            authorization = self.headers.get("Authorization", "")
            oid = esia.tokens.get(authorization[7:]) if authorization.startswith("Bearer ") else None
            if oid is None or str(oid) != match.group(1):
                return self.answer(401, {"code": "ESIA-005011", "message": "the token is not for this person"})
            person = dict(esia.people[str(oid)])
            person.setdefault("eTag", secrets.token_hex(8))
            return self.answer(200, person)
        if url.path == "/idp/ext/Logout":
            esia.last_logout = query
            if query.get("client_id") != esia.client_id or not query.get("redirect_url"):
                return self.answer(400, {"error": "invalid_request"})
            return self.answer(302, headers={"Location": query["redirect_url"]})
        return self.answer(404, {"error": "not_found"})

    def do_POST(self):
        esia = self.esia
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/control":
            command = json.loads(self.body() or b"{}")
            with esia.lock:
                esia.people.update({str(k): v for k, v in command.get("people", {}).items()})
                if "next" in command:
                    esia.next = command["next"]
                if "forge" in command:
                    esia.forge = command["forge"]
                if command.get("rotate"):
                    esia.key = new_key()
            return self.answer(200, {"ok": True, "certificate": esia.key["certificate"]})
        if url.path == "/sign":
            signature = hmac.new(esia.signer_key, self.body(), hashlib.sha256).digest()
            return self.answer(200, raw=base64.b64encode(signature))
        if url.path == "/aas/oauth2/v3/te":
            form = dict(urllib.parse.parse_qsl(self.body().decode()))
            esia.last_token_request = {k: v for k, v in form.items() if k != "client_secret"}
            with esia.lock:
                grant = esia.codes.get(form.get("code", ""))
                fresh_grant = grant is not None and not grant["used"]
                if fresh_grant:
                    grant["used"] = True
            problem = esia.check_client(form, form.get("client_id", ""), form.get("scope", ""), form.get("timestamp", ""),
                                        form.get("state", ""), form.get("redirect_uri", ""), form.get("code", ""))
            if problem is None and (form.get("grant_type") != "authorization_code" or form.get("token_type") != "Bearer"):
                problem = "grant_type must be authorization_code, token_type Bearer"
            if problem is None and not fresh_grant:
                problem = "unknown or used code"
            if problem is None and (grant["redirect_uri"] != form.get("redirect_uri") or grant["state"] == form.get("state")):
                problem = "redirect_uri differs, or the state is the authorization's"
            if problem is not None:
                esia.last_rejection = problem
                return self.answer(400, {"error": "invalid_grant", "error_description": problem})
            access = secrets.token_urlsafe(32)
            esia.tokens[access] = grant["oid"]
            return self.answer(200, {"access_token": access, "id_token": esia.id_token(grant), "state": form["state"],
                                     "token_type": "Bearer", "expires_in": 3600, "refresh_token": secrets.token_urlsafe(16)})
        return self.answer(404, {"error": "not_found"})


def exit_with_parent():
    """Stops once the process that started it is gone (a test run that ended or was killed)."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    port, client_id, signer_key, certificate_hash = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    threading.Thread(target=exit_with_parent, daemon=True).start()
    Handler.esia = ESIA(client_id, signer_key, certificate_hash)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
