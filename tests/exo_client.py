"""A client of the sandbox's Exchange admin endpoint, acting as a real client does: token, then InvokeCommand.

Shared by the sandbox's own tests and the engine tests (changes made behind the stack's back)."""

from __future__ import annotations

import ssl
from typing import Any

import httpx

from o365relay.sandbox.runner import Sandbox
from o365relay.sandbox.tokens import EXCHANGE_RESOURCE


class ExoCaller:
    """Drives the sandbox's Exchange endpoint the way a client does: token, then InvokeCommand."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.http = httpx.Client(verify=ssl.create_default_context(cafile=str(sandbox.ca_file)), timeout=10)
        self._token: str | None = None

    @property
    def url(self) -> str:
        return f"{self.sandbox.base_url}/adminapi/beta/{self.sandbox.tenant_id}/InvokeCommand"

    def token_response(
        self,
        client_id: str | None = None,
        secret: str | None = None,
        scope: str = f"{EXCHANGE_RESOURCE}/.default",
        **extra: str,
    ) -> httpx.Response:
        form = {
            "grant_type": "client_credentials",
            "client_id": client_id or self.sandbox.deployer_client_id,
            "scope": scope,
            **extra,
        }
        if secret is not None or "client_assertion" not in extra:
            form["client_secret"] = secret if secret is not None else self.sandbox.deployer_client_secret
        return self.http.post(
            f"{self.sandbox.base_url}/{self.sandbox.tenant_id}/oauth2/v2.0/token", data=form
        )

    def token(self, **kwargs: Any) -> str:
        response = self.token_response(**kwargs)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def invoke(
        self,
        cmdlet: str,
        params: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        url: str | None = None,
    ) -> httpx.Response:
        if token is None:
            self._token = self._token or self.token()
            token = self._token
        body = {"CmdletInput": {"CmdletName": cmdlet, "Parameters": params or {}}}
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.post(url or self.url, json=body, headers={**auth, **(headers or {})})

    def ok(self, cmdlet: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        response = self.invoke(cmdlet, params)
        assert response.status_code == 200, response.text
        return list(response.json()["value"])

    def fails(self, cmdlet: str, params: dict[str, Any] | None = None) -> tuple[str, str]:
        """(exception type, text) of a refused cmdlet, checking the whole real error shape."""
        response = self.invoke(cmdlet, params)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        err_id, exc_type, text = error["details"][0]["message"].split("|", 2)
        assert err_id and error["message"] == "Invalid Operation"
        assert error["innererror"]["internalexception"]["message"] == text
        assert error["innererror"]["internalexception"]["type"] == exc_type
        return exc_type, text
