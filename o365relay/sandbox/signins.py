"""The sandbox's Entra sign-in log: one ``signIn`` per SMTP AUTH LOGIN attempt on the submission endpoint.

Shape from Graph's public documentation (microsoft-graph-docs-contrib, ``api-reference/v1.0/resources/
signin.md`` and ``api/signin-list.md``): id, createdDateTime, userDisplayName, userPrincipalName, userId,
appId, appDisplayName, ipAddress, clientAppUsed, correlationId, conditionalAccessStatus, isInteractive,
resourceDisplayName, resourceId, status {errorCode, failureReason, additionalDetails}, risk fields,
deviceDetail, location. A Basic (legacy) SMTP AUTH sign-in is logged with clientAppUsed ``Authenticated
SMTP``, one of Entra's legacy-authentication client apps, against Office 365 Exchange Online.

What is deliberately *not* logged here: an app-only ``AUTH XOAUTH2`` submission. In Microsoft's service
the OAuth client-credentials token request is a service-principal sign-in, which ``GET
/v1.0/auditLogs/signIns`` (user sign-ins) does not list; discovery learns OAuth senders from message
trace instead (docs/basic-auth-exit.md).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from o365relay.sandbox import store as st
from o365relay.sandbox.trace import iso

EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"
EXCHANGE_APP_NAME = "Office 365 Exchange Online"
AUTHENTICATED_SMTP = "Authenticated SMTP"
# Entra's sign-in error codes for a legacy password sign-in (AADSTS50126, AADSTS50034).
BAD_PASSWORD = (50126, "Error validating credentials due to invalid username or password.")
NO_SUCH_USER = (50034, "The user account does not exist in the directory.")


def record_basic(store: st.Store, login: str, user: st.Doc | None, ip: str,
                 failure: tuple[int, str] | None = None, when: dt.datetime | None = None) -> None:
    """Log one Basic SMTP AUTH sign-in (``failure`` None = Entra accepted the password)."""
    code, reason = failure or (0, None)
    store.insert(st.SIGN_IN, {
        "id": str(uuid.uuid4()),
        "createdDateTime": iso(when or dt.datetime.now(dt.UTC)),
        "userDisplayName": (user or {}).get("displayName"),
        "userPrincipalName": str((user or {}).get("userPrincipalName") or login).lower(),
        "userId": (user or {}).get("id", ""),
        "appId": EXCHANGE_APP_ID,
        "appDisplayName": EXCHANGE_APP_NAME,
        "ipAddress": ip,
        "clientAppUsed": AUTHENTICATED_SMTP,
        "correlationId": str(uuid.uuid4()),
        "conditionalAccessStatus": "notApplied",
        "isInteractive": True,
        "resourceDisplayName": EXCHANGE_APP_NAME,
        "resourceId": EXCHANGE_APP_ID,
        "riskDetail": "none",
        "riskLevelAggregated": "none",
        "riskLevelDuringSignIn": "none",
        "riskState": "none",
        "riskEventTypes": [],
        "status": {"errorCode": code, "failureReason": reason, "additionalDetails": None},
        "deviceDetail": {"deviceId": "", "displayName": None, "operatingSystem": None, "browser": None,
                         "isCompliant": None, "isManaged": None, "trustType": None},
        "location": {"city": None, "state": None, "countryOrRegion": None, "geoCoordinates": None},
    })


def view(doc: st.Doc) -> dict[str, Any]:
    """The signIn as Graph returns it (createdDateTime to the second, like the documented sample)."""
    moment = dt.datetime.fromisoformat(doc["createdDateTime"].replace("Z", "+00:00"))
    return {**doc, "createdDateTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


def newest_first(store: st.Store) -> list[st.Doc]:
    return sorted(store.list(st.SIGN_IN), key=lambda d: d["createdDateTime"], reverse=True)
