"""The sandbox tenant's state: one SQLite file (WAL) holding JSON documents, grouped by kind.

Why a document store: the sandbox mimics two services (Graph, Exchange) whose objects are JSON
already, and their shapes grow with every cmdlet; a table per kind would mean a migration per field.
So every object is a JSON document in ``objects(kind, id, data)``, and the API is five verbs per kind
(:meth:`Store.get`, :meth:`Store.list`, :meth:`Store.insert`, :meth:`Store.update`,
:meth:`Store.delete`) plus :meth:`Store.transaction`. Thread-safe: the HTTP server and the SMTP
servers run on different threads of one process and share one :class:`Store`.

Lookups by value scale like the service's: the fields in :data:`INDEXED` (identities, trustees,
mailboxes, app ids) are kept, lower-cased, in ``keys(kind, field, value, id)`` by every write, so
``list(kind, field=value)`` and :meth:`Store.lookup` read only the matching documents instead of
decoding the whole kind. A store opened with another index layout is re-indexed once.

Field naming: Graph-side kinds use Graph's camelCase names (so the Graph API can return them almost
as is); Exchange-side kinds use the cmdlet output's PascalCase names; ``x*`` keys are sandbox-only
(never returned by an API). The kinds and their documents (``id`` is always the document key):

==========================  ============================================================================
KIND                        document
==========================  ============================================================================
ORGANIZATION ("org")        id = tenant id; displayName, initialDomain, smtpClientAuthenticationDisabled
                            (bool, Set-TransportConfig), rejectDirectSend (bool, Set-OrganizationConfig),
                            xEntraPremium (bool: sign-in logs readable through Graph; default true)
DOMAIN                      id = domain name; isVerified, isDefault, isInitial, supportedServices[],
                            mxTarget (the MX host serviceConfigurationRecords returns; None for the
                            initial domain), xDkim {selector1CNAME, selector2CNAME} (read-only facts
                            used when New-DkimSigningConfig creates the config)
DKIM_CONFIG                 id = domain; the Get-DkimSigningConfig object (Domain, Enabled, Status,
                            Selector1CNAME, Selector2CNAME, Selector1KeySize, Selector2KeySize, ...)
AZURE_DNS_ZONE              id = "<subscription>/<resource group>/<zone>", lower-case (Azure DNS zones, ARM).
AZURE_RECORD_SET            id = "<zone id>/TXT/<relative name>", lower-case; etag, ttl, txt [[strings]].
DNS_RECORD                  id = lower-case FQDN; type ("CNAME"), value (target, no trailing dot).
                            The sandbox's DNS view: what the sandbox has been told is published.
DNS_VALUE                   id = "<FQDN> <TYPE> <value>"; name (lower-case FQDN), type ("TXT" or "MX"),
                            value (MX "<preference> <host>"), strings (TXT character-strings): the
                            TXT and MX records of the DNS view (:mod:`o365relay.sandbox.dns_view`).
USER                        id = object id; userPrincipalName, displayName, mail, mailNickname,
                            usageLocation, accountEnabled, assignedLicenses [{skuId, disabledPlans}],
                            proxyAddresses, xHasMailbox (bool), xSmtpClientAuthenticationDisabled
                            (None|True|False: the CAS tri-state), xPasswordHash (PBKDF2, see
                            :func:`hash_secret`; for legacy AUTH LOGIN senders), xExchangeGuid
SKU                         id = skuId; the subscribedSku object (skuPartNumber, prepaidUnits{enabled,...},
                            consumedUnits is computed by the Graph API from USER.assignedLicenses)
APPLICATION                 id = object id; appId, displayName, passwordCredentials [{keyId, displayName,
                            hint, endDateTime, xHash}], keyCredentials [{keyId, customKeyIdentifier
                            (SHA-1 thumbprint, hex upper), type "AsymmetricX509Cert", usage "Verify",
                            displayName, startDateTime, endDateTime, xCertificatePem}],
                            federatedIdentityCredentials [{id, name, issuer, subject, audiences}],
                            xOwners [owner object ids], plus whatever Graph property a client wrote
                            (graph_shapes fills the unset ones when read)
SERVICE_PRINCIPAL           id = object id; appId, displayName, servicePrincipalType ("Application"),
                            appRoles [{id, value, allowedMemberTypes, displayName}] (resource SPs only)
APP_ROLE_ASSIGNMENT         id = assignment id; principalId (SP object id), resourceId (resource SP
                            object id), appRoleId, principalDisplayName, resourceDisplayName,
                            xRoleValue (the role's value, e.g. "Exchange.ManageAsApp")
DIRECTORY_ROLE_ASSIGNMENT   id; principalId, roleDefinitionId (role template id), xRoleName
EXO_SERVICE_PRINCIPAL       id = ObjectId; the Get-ServicePrincipal object (AppId, ObjectId, DisplayName,
                            Identity, Name, Guid)
INBOUND_CONNECTOR           id = Guid; the Get-InboundConnector object
OUTBOUND_CONNECTOR          id = Guid; the Get-OutboundConnector object
CONNECTION_FILTER_POLICY    id = "Default"; the Get-HostedConnectionFilterPolicy object (IPAllowList,
                            IPBlockList, EnableSafeList, ...), stored once first set or seeded
AUTH_POLICY                 id = lower-case name; the Get-AuthenticationPolicy object (Name,
                            DistinguishedName, Guid, AllowBasicAuth<Protocol> booleans). Assignments:
                            USER.xAuthenticationPolicy and ORGANIZATION.defaultAuthenticationPolicy
                            (policy ids, or None)
RECIPIENT_PERMISSION        id; Identity (mailbox), Trustee, AccessControlType, AccessRights ["SendAs"],
                            IsInherited, InheritanceType, xMailboxId, xTrusteeId (USER or
                            EXO_SERVICE_PRINCIPAL id)
MAILBOX_PERMISSION          id; Identity, User, AccessRights ["FullAccess"], IsInherited, Deny,
                            InheritanceType, xMailboxId, xUserId
MESSAGE_TRACE               id = message trace id (one record per recipient, as Exchange keeps them);
                            the Graph exchangeMessageTrace shape: senderAddress, recipientAddress,
                            messageId, receivedDateTime (ISO 8601 Z), subject, size, fromIP, toIP,
                            status (Graph enum, lower camel: delivered|failed|...), xDetails [{id,
                            messageId, dateTime, event, action, description, data}]
SIGN_IN                     id = sign-in id; the Graph signIn shape (signins.py): createdDateTime,
                            userPrincipalName, userId, appId, clientAppUsed, ipAddress, status{errorCode,
                            failureReason, additionalDetails}, ...
==========================  ============================================================================
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Doc = dict[str, Any]
Rows = list[Any]  # SQLite result rows (named here: inside Store, ``list`` is the method)
Docs = list[Doc]

ORGANIZATION = "org"
DOMAIN = "domain"
DKIM_CONFIG = "dkimConfig"
DNS_RECORD = "dnsRecord"
DNS_VALUE = "dnsValue"
USER = "user"
SKU = "sku"
APPLICATION = "application"
SERVICE_PRINCIPAL = "servicePrincipal"
APP_ROLE_ASSIGNMENT = "appRoleAssignment"
DIRECTORY_ROLE_ASSIGNMENT = "directoryRoleAssignment"
EXO_SERVICE_PRINCIPAL = "exoServicePrincipal"
INBOUND_CONNECTOR = "inboundConnector"
OUTBOUND_CONNECTOR = "outboundConnector"
CONNECTION_FILTER_POLICY = "connectionFilterPolicy"
AUTH_POLICY = "authPolicy"
RECIPIENT_PERMISSION = "recipientPermission"
MAILBOX_PERMISSION = "mailboxPermission"
MESSAGE_TRACE = "messageTrace"
AZURE_DNS_ZONE = "azureDnsZone"
AZURE_RECORD_SET = "azureRecordSet"
SIGN_IN = "signIn"

KINDS = frozenset(
    {
        ORGANIZATION,
        DOMAIN,
        DKIM_CONFIG,
        DNS_RECORD,
        DNS_VALUE,
        USER,
        SKU,
        APPLICATION,
        SERVICE_PRINCIPAL,
        APP_ROLE_ASSIGNMENT,
        DIRECTORY_ROLE_ASSIGNMENT,
        EXO_SERVICE_PRINCIPAL,
        INBOUND_CONNECTOR,
        OUTBOUND_CONNECTOR,
        CONNECTION_FILTER_POLICY,
        AUTH_POLICY,
        RECIPIENT_PERMISSION,
        MAILBOX_PERMISSION,
        MESSAGE_TRACE,
        AZURE_DNS_ZONE,
        AZURE_RECORD_SET,
        SIGN_IN,
    }
)

DB_FILE = "tenant.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS objects_kind_seq ON objects (kind, seq);
CREATE INDEX IF NOT EXISTS objects_seq ON objects (seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (kind, field, value, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS keys_kind_id ON keys (kind, id);
"""

# Fields each kind is looked up by (case-insensitive; a list field indexes each element). Addresses
# in ADDRESS_FIELDS ("SMTP:a@b") are indexed by the address after the type prefix, as Exchange
# resolves them. Changing this re-indexes existing stores on open (meta "keys").
INDEXED: dict[str, tuple[str, ...]] = {
    USER: ("userPrincipalName", "mail", "mailNickname", "displayName", "xExchangeGuid", "proxyAddresses"),
    APPLICATION: ("appId", "displayName"),
    SERVICE_PRINCIPAL: ("appId", "displayName"),
    APP_ROLE_ASSIGNMENT: ("principalId", "resourceId"),
    DIRECTORY_ROLE_ASSIGNMENT: ("principalId",),
    EXO_SERVICE_PRINCIPAL: ("AppId", "ObjectId", "Identity", "DisplayName", "Name"),
    INBOUND_CONNECTOR: ("Name",),
    OUTBOUND_CONNECTOR: ("Name",),
    RECIPIENT_PERMISSION: ("xMailboxId", "xTrusteeId"),
    MAILBOX_PERMISSION: ("xMailboxId", "xUserId"),
    MESSAGE_TRACE: ("xMessageTraceId",),
}
ADDRESS_FIELDS = frozenset({"proxyAddresses"})
_KEYS_META = "keys"


class StoreError(Exception):
    """A programming error against the store (unknown kind, duplicate or missing id)."""


class Store:
    """Thread-safe JSON document store over one SQLite connection.

    ``list`` returns documents in insertion order. Documents returned are copies: mutate them and
    call :meth:`update` (or :meth:`put`) to persist. Wrap multi-step changes in :meth:`transaction`
    so a concurrent reader never sees half of them and a failure leaves nothing behind.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Owner-only before SQLite opens it: the store holds issued secrets' hashes and sandbox
        # credentials (its -wal and -shm files take the database file's mode).
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._reindex_if_stale()

    @classmethod
    def open(cls, state_dir: Path) -> Store:
        """Open (creating if needed) the store of a sandbox state directory."""
        return cls(Path(state_dir) / DB_FILE)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All-or-nothing block; re-entrant (inner blocks join the outer one)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    # -- the five verbs --------------------------------------------------------------------------

    def get(self, kind: str, id: str) -> Doc | None:
        """The document, or None."""
        _check_kind(kind)
        with self._lock:
            row = self._db.execute("SELECT data FROM objects WHERE kind=? AND id=?", (kind, id)).fetchone()
        return json.loads(row[0]) if row else None

    def list(self, kind: str, *, where: Callable[[Doc], bool] | None = None, **equals: Any) -> list[Doc]:
        """Documents of a kind in insertion order, filtered by ``field=value`` pairs and/or ``where``.

        String comparisons in ``equals`` are case-insensitive, as directory lookups are. When one of
        the fields is indexed, only the documents holding that value are read.
        """
        _check_kind(kind)
        indexed = next((f for f, v in equals.items() if isinstance(v, str) and f in INDEXED.get(kind, ())), None)
        with self._lock:
            if indexed is None:
                rows = self._db.execute("SELECT data FROM objects WHERE kind=? ORDER BY seq", (kind,)).fetchall()
            else:
                rows = self._keyed(kind, (indexed,), equals[indexed], extra_ids=())
        docs = [json.loads(r[0]) for r in rows]
        return [d for d in docs if _matches(d, equals) and (where is None or where(d))]

    def lookup(self, kind: str, identity: Any, fields: tuple[str, ...]) -> Docs:
        """Documents whose id, or any of the indexed ``fields``, equals ``identity`` (case-insensitive),
        in insertion order: how Exchange resolves an ``-Identity`` that may be any of several names."""
        _check_kind(kind)
        missing = set(fields) - set(INDEXED.get(kind, ()))
        if missing:
            raise StoreError(f"{kind}: {', '.join(sorted(missing))} not indexed")
        value = str(identity)
        with self._lock:
            return [json.loads(r[0]) for r in self._keyed(kind, fields, value, extra_ids=(value, value.lower()))]

    def _keyed(self, kind: str, fields: tuple[str, ...], value: str, extra_ids: tuple[str, ...]) -> Rows:
        """Rows of the documents holding ``value`` in one of ``fields`` (or with one of ``extra_ids``)."""
        marks = ",".join("?" * len(fields))
        ids = "".join(" UNION SELECT ?" for _ in extra_ids)
        query = (f"SELECT data FROM objects WHERE kind=? AND id IN (SELECT id FROM keys WHERE kind=? "  # noqa: S608
                 f"AND field IN ({marks}) AND value=?{ids}) ORDER BY seq")  # only placeholders are formatted in
        return self._db.execute(query, (kind, kind, *fields, value.lower(), *extra_ids)).fetchall()

    def find(self, kind: str, **equals: Any) -> Doc | None:
        """The first document whose fields equal ``equals`` (case-insensitive strings), or None."""
        found = self.list(kind, **equals)
        return found[0] if found else None

    def insert(self, kind: str, doc: Doc) -> Doc:
        """Add a document; ``doc["id"]`` is generated (a GUID) when absent. Duplicate id: StoreError."""
        _check_kind(kind)
        doc = dict(doc)
        doc.setdefault("id", new_id())
        with self.transaction():
            try:
                self._db.execute(
                    "INSERT INTO objects (kind, id, seq, data) VALUES (?, ?, ?, ?)",
                    (kind, doc["id"], self._next_seq(), json.dumps(doc)),
                )
            except sqlite3.IntegrityError as error:
                raise StoreError(f"{kind} {doc['id']!r} already exists") from error
            self._index(kind, [doc])
        return doc

    def update(self, kind: str, id: str, changes: Doc) -> Doc:
        """Merge ``changes`` (top-level keys) into a document and return it. Missing id: StoreError."""
        with self.transaction():
            doc = self.get(kind, id)
            if doc is None:
                raise StoreError(f"{kind} {id!r} does not exist")
            doc.update(changes)
            doc["id"] = id
            self._replace(kind, doc)
        return doc

    def put(self, kind: str, doc: Doc) -> Doc:
        """Insert or replace a whole document (keeps its list position when it exists)."""
        with self.transaction():
            if self.get(kind, doc["id"]) is None:
                return self.insert(kind, doc)
            self._replace(kind, doc)
        return dict(doc)

    def delete(self, kind: str, id: str) -> bool:
        """Remove a document; True when it existed."""
        _check_kind(kind)
        with self.transaction():
            cursor = self._db.execute("DELETE FROM objects WHERE kind=? AND id=?", (kind, id))
            self._db.execute("DELETE FROM keys WHERE kind=? AND id=?", (kind, id))
        return cursor.rowcount > 0

    def _replace(self, kind: str, doc: Doc) -> None:
        self._db.execute("UPDATE objects SET data=? WHERE kind=? AND id=?", (json.dumps(doc), kind, doc["id"]))
        self._db.execute("DELETE FROM keys WHERE kind=? AND id=?", (kind, doc["id"]))
        self._index(kind, [doc])

    def _index(self, kind: str, docs: Docs) -> None:
        """Add the ``keys`` rows of freshly written documents (caller holds the lock)."""
        self._db.executemany("INSERT OR IGNORE INTO keys (kind, field, value, id) VALUES (?, ?, ?, ?)",
                             [(kind, f, v, d["id"]) for d in docs for f, v in _key_values(kind, d)])

    def _reindex_if_stale(self) -> None:
        """Rebuild ``keys`` when the store was written with another :data:`INDEXED` (or none)."""
        layout = json.dumps(INDEXED, sort_keys=True)
        if self.get_meta(_KEYS_META) == layout:
            return
        with self.transaction():
            self._db.execute("DELETE FROM keys")
            for kind in INDEXED:
                rows = self._db.execute("SELECT data FROM objects WHERE kind=?", (kind,)).fetchall()
                self._index(kind, [json.loads(r[0]) for r in rows])
            self.set_meta(_KEYS_META, layout)

    def count(self, kind: str) -> int:
        _check_kind(kind)
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM objects WHERE kind=?", (kind,)).fetchone()[0])

    # -- conveniences used everywhere ------------------------------------------------------------

    def organization(self) -> Doc:
        """The one ORGANIZATION document (the store is seeded before use)."""
        docs = self.list(ORGANIZATION)
        if not docs:
            raise StoreError("the sandbox store has not been seeded")
        return docs[0]

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def insert_many(self, kind: str, docs: Sequence[Doc]) -> Sequence[Doc]:
        """Insert documents (ids generated when absent) all-or-nothing, with one sequence lookup.

        Why: message trace writes one row per recipient, and a 10,000-recipient message through
        :meth:`insert` costs one ``MAX(seq)`` scan per row.
        """
        _check_kind(kind)
        rows = [{**doc, "id": doc.get("id") or str(uuid.uuid4())} for doc in docs]
        with self.transaction(), self._lock:
            first = self._next_seq()
            try:
                self._db.executemany(
                    "INSERT INTO objects (kind, id, seq, data) VALUES (?, ?, ?, ?)",
                    [(kind, row["id"], first + n, json.dumps(row)) for n, row in enumerate(rows)],
                )
            except sqlite3.IntegrityError as error:
                raise StoreError(f"{kind}: duplicate id among {len(rows)} new documents") from error
            self._index(kind, rows)
        return rows

    def count_matching(self, kind: str, *, distinct: str | None = None,
                       since: tuple[str, str] | None = None, **equals: str) -> int:
        """How many documents of ``kind`` match, counted inside SQLite (no document is decoded).

        ``equals``: top-level string fields, compared case-insensitively; ``since``: (field, value) with
        the field's string >= value (ISO 8601 timestamps in one format compare correctly);
        ``distinct``: count distinct values of that field instead of documents. Why: the SMTP quotas
        count a mailbox's recent trace rows on every message.
        """
        _check_kind(kind)
        fields = [*equals, *([since[0]] if since else []), *([distinct] if distinct else [])]
        for field in fields:
            if not field.isidentifier():
                raise StoreError(f"bad field name {field!r}")
        where = ["kind = ?"] + [f"lower(json_extract(data, '$.{f}')) = lower(?)" for f in equals]
        params: list[Any] = [kind, *equals.values()]
        if since:
            where.append(f"json_extract(data, '$.{since[0]}') >= ?")
            params.append(since[1])
        counted = f"COUNT(DISTINCT json_extract(data, '$.{distinct}'))" if distinct else "COUNT(*)"
        query = f"SELECT {counted} FROM objects WHERE {' AND '.join(where)}"  # noqa: S608 - fields checked above
        with self._lock:
            row = self._db.execute(query, params).fetchone()
        return int(row[0])

    def _next_seq(self) -> int:
        row = self._db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM objects").fetchone()
        return int(row[0])


def new_id() -> str:
    """A fresh object id (GUID), as Entra and Exchange make them."""
    return str(uuid.uuid4())


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise StoreError(f"unknown kind {kind!r}")


def _key_values(kind: str, doc: Doc) -> Iterator[tuple[str, str]]:
    """The (field, lower-cased value) pairs a document is indexed under."""
    for field in INDEXED.get(kind, ()):
        value = doc.get(field)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield field, (item.split(":", 1)[-1] if field in ADDRESS_FIELDS else item).lower()


def _matches(doc: Doc, equals: dict[str, Any]) -> bool:
    for key, want in equals.items():
        have = doc.get(key)
        if isinstance(want, str) and isinstance(have, str):
            if have.lower() != want.lower():
                return False
        elif have != want:
            return False
    return True


_PBKDF2_ROUNDS = 20_000  # sandbox secrets: slow enough to be a real hash, fast enough for tests


def hash_secret(secret: str) -> str:
    """PBKDF2-SHA256 hash of a client secret or mailbox password, as stored (never the secret)."""
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_secret(secret: str, stored: str | None) -> bool:
    """Constant-time check of a secret against :func:`hash_secret`'s output."""
    if not stored or not stored.startswith("pbkdf2$"):
        return False
    _, salt_b64, digest_b64 = stored.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), base64.b64decode(salt_b64), _PBKDF2_ROUNDS)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))

