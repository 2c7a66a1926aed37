#!/usr/bin/env python3
"""An OpenID provider on loopback for EduQL's federated sign-in tests.

The authorization code flow with PKCE (S256 only, enforced: a token request without the right
verifier is refused), single-use codes, RS256 ID tokens from a key in its JWKS (authlib), and
back-channel logout tokens. The "browser" is the test itself: /authorize signs in the person
named by `login_hint` at once, as a provider's login page would after their password.

A test steers it through /control (JSON): {"users": {sub: claims}} adds people; {"forge": kind}
makes the next ID token defective in one way ("none", "hmac", "bad_signature", "unknown_key",
"wrong_iss", "wrong_aud", "expired", "wrong_nonce", "future_iat"); {"rotate": true} replaces the
signing key with a new one (new `kid`) in the JWKS. GET /control shows the JWKS fetches and the
last token request; GET /control/logout-token?sub=…&sid=… gives a signed logout token.

Usage: oidc_provider.py PORT CLIENT_ID CLIENT_SECRET (prints "ready" once it listens).
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import warnings

warnings.simplefilter("ignore")
from authlib.jose import JsonWebKey, jwt  # noqa: E402


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Provider:
    def __init__(self, issuer, client_id, client_secret):
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.Lock()
        self.key = self.new_key()
        self.users = {}
        self.codes = {}
        self.forge = None
        self.jwks_fetches = 0
        self.last_token_request = None
        self.last_sid = None

    @staticmethod
    def new_key():
        return JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": secrets.token_hex(6)})

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "end_session_endpoint": self.issuer + "/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "backchannel_logout_supported": True,
            "backchannel_logout_session_supported": True,
        }

    def jwks(self):
        with self.lock:
            self.jwks_fetches += 1
            return {"keys": [self.key.as_dict(is_private=False, use="sig", alg="RS256")]}

    def sign(self, claims, forge=None):
        header = {"alg": "RS256", "kid": self.key.as_dict()["kid"], "typ": "JWT"}
        if forge == "none":
            return b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode()) + "."
        if forge == "hmac":
            # HS256 keyed with the provider's public key, as a confused verifier would check it.
            public = self.key.as_pem(is_private=False)
            signing_input = b64(json.dumps({"alg": "HS256", "kid": header["kid"], "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
            return signing_input + "." + b64(hmac.new(public, signing_input.encode(), hashlib.sha256).digest())
        key = self.new_key() if forge == "unknown_key" else self.key
        if forge == "unknown_key":
            header["kid"] = key.as_dict()["kid"]
        token = jwt.encode(header, claims, key).decode()
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
        claims = dict(self.users[grant["sub"]])
        claims.update({"iss": self.issuer, "sub": grant["sub"], "aud": self.client_id, "azp": self.client_id,
                       "iat": now, "exp": now + 300, "auth_time": now, "sid": grant["sid"]})
        if grant.get("nonce") is not None:
            claims["nonce"] = grant["nonce"]
        if forge == "wrong_iss":
            claims["iss"] = self.issuer + "/other"
        elif forge == "wrong_aud":
            claims["aud"] = "another-client"
            claims["azp"] = "another-client"
        elif forge == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif forge == "future_iat":
            claims["iat"], claims["exp"] = now + 3600, now + 7200
        elif forge == "wrong_nonce":
            claims["nonce"] = "not-the-nonce"
        return self.sign(claims, forge)

    def logout_token(self, sub, sid):
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 120, "jti": secrets.token_hex(8),
                  "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}
        if sub:
            claims["sub"] = sub
        if sid:
            claims["sid"] = sid
        return self.sign(claims)


class Handler(BaseHTTPRequestHandler):
    provider = None

    def log_message(self, *args):
        pass

    def answer(self, status, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self):
        provider = self.provider
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/.well-known/openid-configuration":
            return self.answer(200, provider.discovery())
        if url.path == "/jwks":
            return self.answer(200, provider.jwks())
        if url.path == "/control":
            return self.answer(200, {"jwks_fetches": provider.jwks_fetches, "last_token_request": provider.last_token_request,
                                     "last_sid": provider.last_sid})
        if url.path == "/control/logout-token":
            return self.answer(200, {"logout_token": provider.logout_token(query.get("sub"), query.get("sid"))})
        if url.path == "/authorize":
            redirect = query.get("redirect_uri", "")
            if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                return self.answer(400, {"error": "invalid_request"})
            if query.get("code_challenge_method") != "S256" or len(query.get("code_challenge", "")) < 43:
                return self.answer(400, {"error": "invalid_request", "error_description": "PKCE S256 is required"})
            if "openid" not in query.get("scope", "").split():
                return self.answer(400, {"error": "invalid_scope"})
            sub = query.get("login_hint")
            separator = "&" if "?" in redirect else "?"
            if sub not in provider.users:
                location = redirect + separator + urllib.parse.urlencode({"error": "access_denied", "state": query.get("state", "")})
                return self.answer(302, headers={"Location": location})
            code = secrets.token_urlsafe(24)
            with provider.lock:
                provider.codes[code] = {"sub": sub, "redirect_uri": redirect, "challenge": query["code_challenge"],
                                        "nonce": query.get("nonce"), "sid": "sid-" + secrets.token_hex(6), "used": False}
            location = redirect + separator + urllib.parse.urlencode({"code": code, "state": query.get("state", "")})
            return self.answer(302, headers={"Location": location})
        return self.answer(404, {"error": "not_found"})

    def do_POST(self):
        provider = self.provider
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/control":
            command = json.loads(self.body() or b"{}")
            with provider.lock:
                provider.users.update(command.get("users", {}))
                if "forge" in command:
                    provider.forge = command["forge"]
                if command.get("rotate"):
                    provider.key = Provider.new_key()
            return self.answer(200, {"ok": True, "kid": provider.key.as_dict()["kid"]})
        if url.path == "/token":
            form = dict(urllib.parse.parse_qsl(self.body().decode()))
            client_id, secret = form.get("client_id"), form.get("client_secret")
            authorization = self.headers.get("Authorization", "")
            if authorization.startswith("Basic "):
                client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
                client_id, secret = urllib.parse.unquote(client_id), urllib.parse.unquote(secret)
            provider.last_token_request = {k: v for k, v in form.items() if k != "client_secret"}
            if client_id != provider.client_id or not hmac.compare_digest(secret or "", provider.client_secret):
                return self.answer(401, {"error": "invalid_client"})
            if form.get("grant_type") != "authorization_code":
                return self.answer(400, {"error": "unsupported_grant_type"})
            with provider.lock:
                grant = provider.codes.get(form.get("code", ""))
                if grant is None or grant["used"]:
                    return self.answer(400, {"error": "invalid_grant", "error_description": "unknown or used code"})
                grant["used"] = True
            if grant["redirect_uri"] != form.get("redirect_uri"):
                return self.answer(400, {"error": "invalid_grant", "error_description": "redirect_uri differs"})
            verifier = form.get("code_verifier", "")
            if b64(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
                return self.answer(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
            provider.last_sid = grant["sid"]
            return self.answer(200, {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300,
                                     "id_token": provider.id_token(grant)})
        return self.answer(404, {"error": "not_found"})


def exit_with_parent():
    """Stops the provider once the process that started it is gone (a test run that ended or was killed)."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    port, client_id, client_secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    threading.Thread(target=exit_with_parent, daemon=True).start()
    Handler.provider = Provider(f"http://127.0.0.1:{port}", client_id, client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
