"""Bot Framework tokens signed with a test key, and a loopback OpenID key set
(JWKS) the SDK's validation is pointed at, so the authenticated path of
`/api/messages` runs for real: signature, audience, issuer, expiry, service URL."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.com"
KID = "planbot-test-key"


class TokenIssuer:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}
        self.app = web.Application()
        self.app.router.add_get("/keys", self._keys)

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response(self.jwks)

    def token(self, *, audience: str, service_url: str, issuer: str = ISSUER, expires_in: int = 3600, key: Any = None, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": issuer, "aud": audience, "serviceurl": service_url, "nbf": now - 10, "iat": now - 10, "exp": now + expires_in, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": KID})


class StaticToken:
    """A token provider for the connector (in place of MSAL, which would ask Entra)."""

    def __init__(self, configuration: Any) -> None:
        self.configuration = configuration

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return "token-from-entra"


class StaticConnections:
    def __init__(self, configuration: Any) -> None:
        self.provider = StaticToken(configuration)
        self.configuration = configuration

    def get_connection(self, connection_name: str | None = None) -> StaticToken:
        return self.provider

    def get_default_connection(self) -> StaticToken:
        return self.provider

    def get_token_provider(self, claims_identity: Any, service_url: str) -> StaticToken:
        return self.provider

    def get_token_provider_from_activity(self, claims_identity: Any, activity: Any) -> StaticToken:
        return self.provider

    def get_default_connection_configuration(self) -> Any:
        return self.configuration
