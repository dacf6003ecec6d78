"""Run the woo connector component (`woo_plugin.wasm`, world `connector`)
on the PyPI `wasmtime` package.

The host supplies what the component imports besides standard WASI:
`wasi:keyvalue/{store,batch}@0.2.0-draft` (any bucket name, each a key prefix over
one caller-supplied store) and `woo:connector/platform@0.2.0` (an atomic
`commit` of records, triggers, notifications and state, plus progress and
log lines). See HOSTING.md at the repository root.

    from woo_connector import Connector
    c = Connector("woo_plugin.wasm")
    c.connect("http://127.0.0.1:8080", "ck_...", "cs_...")
    c.list_tools(); c.call_tool("list-orders", {"per_page": 5}); c.import_all()
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import wasmtime
from wasmtime import component as wc

PACKAGE = "woo:connector"
VERSION = "0.2.0"
KINDS = ["contacts", "orders", "transactions", "products", "collections"]
RECORD_KINDS = ["contact", "order", "transaction", "product", "collection"]


class ConnectorError(Exception):
    """An `error` of the WIT (`types.error`): `tag` is the variant
    (`invalid-input`, `auth`, `not-found` ...), `detail` its payload."""

    def __init__(self, tag: str, detail: Any):
        super().__init__(f"{tag}: {detail}")
        self.tag = tag
        self.detail = detail


class MemoryStore:
    """The default store: one dict, gone with the process. Any object with
    the same five methods works (a database table, Redis ...); `apply` must
    write all or nothing."""

    def __init__(self) -> None:
        self.data: Dict[str, bytes] = {}
        self.lock = threading.Lock()

    def get(self, key: str) -> Optional[bytes]:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        self.data[key] = bytes(value)

    def delete(self, key: str) -> None:
        self.data.pop(key, None)

    def keys(self, prefix: str) -> List[str]:
        return sorted(k for k in self.data if k.startswith(prefix))

    def apply(self, writes: List[Tuple[str, Optional[bytes]]]) -> None:
        with self.lock:
            staged = dict(self.data)
            for key, value in writes:
                if value is None:
                    staged.pop(key, None)
                else:
                    staged[key] = bytes(value)
            self.data = staged


def kv_key(bucket: str, key: str) -> str:
    """Where key `key` of bucket `bucket` lives in the one store."""
    return f"kv/{bucket}/{key}"


def trigger_id(t: Any) -> str:
    """`woo:trigger:<name>:<subject number>[:<key>]` (platform.wit)."""
    subject = getattr(t, "subject-id")
    parts = subject.split(":", 2)
    number = parts[2] if len(parts) == 3 else subject
    name = t.name
    return f"woo:trigger:{name}:{number}" + (f":{t.key}" if t.key else "")


def _record(**fields: Any) -> wc.Record:
    r = wc.Record()
    for k, v in fields.items():
        setattr(r, k, v)
    return r


def _plain(v: Any) -> Any:
    """A component value as plain Python: records become dicts (snake_case
    keys), variants {"tag", "val"}."""
    if isinstance(v, wc.Record):
        return {k.replace("-", "_"): _plain(x) for k, x in vars(v).items()}
    if isinstance(v, wc.Variant):
        return {"tag": v.tag, "val": _plain(v.payload)}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


class Connector:
    """One connection's component instance. Calls are synchronous (each runs
    the component to completion, HTTP included)."""

    def __init__(
        self,
        wasm: str,
        store: Any = None,
        on_log: Optional[Callable[[str, str], None]] = None,
        on_progress: Optional[Callable[[str, int, int], None]] = None,
    ) -> None:
        self.kv = store if store is not None else MemoryStore()
        self.on_log = on_log or (lambda level, msg: print(f"{level}: {msg}", file=sys.stderr) if level != "debug" else None)
        self.on_progress = on_progress or (lambda kind, done, total: None)
        self.engine = wasmtime.Engine()
        self.component = wc.Component.from_file(self.engine, wasm)
        self.linker = wc.Linker(self.engine)
        self.linker.add_wasip2()
        self.linker.add_wasi_http()
        self.buckets: Dict[int, str] = {}
        self.next_bucket = 1
        self._define_imports()
        self.store = wasmtime.Store(self.engine)
        self.store.set_wasi(wasmtime.WasiConfig())
        self.store.set_wasi_http()
        self.instance = self.linker.instantiate(self.store, self.component)

    # ---- imports -------------------------------------------------------

    def _define_imports(self) -> None:
        bucket_type = wc.ResourceType.host(0x6B76)  # any number, unique to this host
        with self.linker.root() as root:
            with root.add_instance("wasi:keyvalue/store@0.2.0-draft") as kv:
                kv.add_resource("bucket", bucket_type, lambda _store, rep: self.buckets.pop(rep, None))
                kv.add_func("open", self._open)
                kv.add_func("[method]bucket.get", self._get)
                kv.add_func("[method]bucket.set", self._set)
                kv.add_func("[method]bucket.delete", self._delete)
                kv.add_func("[method]bucket.exists", self._exists)
                kv.add_func("[method]bucket.list-keys", self._list_keys)
            # An import reads each page's state with one get-many.
            with root.add_instance("wasi:keyvalue/batch@0.2.0-draft") as batch:
                batch.add_func("get-many", self._get_many)
                batch.add_func("set-many", self._set_many)
                batch.add_func("delete-many", self._delete_many)
            with root.add_instance(f"{PACKAGE}/types@{VERSION}"):
                pass
            with root.add_instance(f"{PACKAGE}/platform@{VERSION}") as p:
                p.add_func("commit", self._commit)
                p.add_func("progress", lambda _s, kind, done, total: self.on_progress(kind, done, total))
                p.add_func("log", lambda _s, level, message: self.on_log(level, message))

    def _bucket(self, store: Any, b: Any) -> str:
        return self.buckets[b.to_host(store).rep]

    def _open(self, _store: Any, name: str) -> Any:
        rep = self.next_bucket
        self.next_bucket += 1
        self.buckets[rep] = name
        return wc.ResourceHost.own(rep, 0x6B76)

    def _get(self, store: Any, b: Any, key: str) -> Any:
        # A failing read raises: the call traps instead of reading "absent".
        v = self.kv.get(kv_key(self._bucket(store, b), key))
        return None if v is None else bytes(v)

    def _set(self, store: Any, b: Any, key: str, value: bytes) -> Any:
        try:
            self.kv.set(kv_key(self._bucket(store, b), key), bytes(value))
        except Exception as e:  # the guest handles a failed write
            return wc.Variant("other", str(e))
        return None

    def _delete(self, store: Any, b: Any, key: str) -> Any:
        try:
            self.kv.delete(kv_key(self._bucket(store, b), key))
        except Exception as e:
            return wc.Variant("other", str(e))
        return None

    def _get_many(self, store: Any, b: Any, keys: List[str]) -> Any:
        # Like `_get`, a failing read raises; a missing key is None.
        bucket = self._bucket(store, b)
        values = [self.kv.get(kv_key(bucket, k)) for k in keys]
        return [None if v is None else (k, bytes(v)) for k, v in zip(keys, values)]

    def _set_many(self, store: Any, b: Any, pairs: List[Tuple[str, bytes]]) -> Any:
        for key, value in pairs:
            failed = self._set(store, b, key, value)
            if failed is not None:
                return failed
        return None

    def _delete_many(self, store: Any, b: Any, keys: List[str]) -> Any:
        for key in keys:
            failed = self._delete(store, b, key)
            if failed is not None:
                return failed
        return None

    def _exists(self, store: Any, b: Any, key: str) -> Any:
        return self.kv.get(kv_key(self._bucket(store, b), key)) is not None

    def _list_keys(self, store: Any, b: Any, _cursor: Optional[int]) -> Any:
        prefix = kv_key(self._bucket(store, b), "")
        return _record(keys=[k[len(prefix):] for k in self.kv.keys(prefix)], cursor=None)

    def _commit(self, _store: Any, batch: Any) -> Any:
        """All or nothing: one `apply` of every write. Returns one `created`
        flag per record, or the error text (then nothing was stored)."""
        try:
            writes: List[Tuple[str, Optional[bytes]]] = []
            created: List[bool] = []
            staged: Dict[str, bool] = {}
            for r in batch.records:
                key = f"record/{r.kind}/{r.id}"
                known = staged.get(key, self.kv.get(key) is not None)
                created.append(not known)
                staged[key] = True
                writes.append((key, r.body.encode()))
            for t in batch.triggers:
                tid = trigger_id(t)
                key = f"record/trigger/{tid}"
                if key in staged or self.kv.get(key) is not None:
                    continue  # fired once, ever: the first stays
                staged[key] = True
                writes.append((key, json.dumps(self._trigger_body(t, tid)).encode()))
            seq = int((self.kv.get("meta/notifications") or b"0").decode())
            for n in batch.notifications:
                seq += 1
                body = {"kind": "notification", "id": f"woo:notification:{seq}", "notification": n.topic,
                        "recipient": n.recipient, "subject": n.subject, "body": n.body}
                writes.append((f"record/notification/woo:notification:{seq}", json.dumps(body).encode()))
            if batch.notifications:
                writes.append(("meta/notifications", str(seq).encode()))
            for bucket, key, value in batch.state:
                writes.append((kv_key(bucket, key), bytes(value)))
            self.kv.apply(writes)
            return created
        except Exception as e:
            return f"{type(e).__name__}: {e}"

    @staticmethod
    def _trigger_body(t: Any, tid: str) -> Dict[str, Any]:
        try:
            body = json.loads(t.data)
            body = body if isinstance(body, dict) else {}
        except ValueError:
            body = {}
        subject = getattr(t, "subject-id")
        body.update({"kind": "trigger", "id": tid, "trigger": t.name})
        body["order_id" if subject.startswith("woo:order:") else "subject_id"] = subject
        body.update({"contact_id": getattr(t, "contact-id"), "time": t.time})
        return body

    # ---- exports -------------------------------------------------------

    def _call(self, interface: str, func: str, *args: Any) -> Any:
        outer = self.instance.get_export_index(self.store, f"{PACKAGE}/{interface}@{VERSION}")
        index = self.instance.get_export_index(self.store, func, outer)
        f = self.instance.get_func(self.store, index)
        result = f(self.store, *args)
        f.post_return(self.store)
        return result

    def _result(self, interface: str, func: str, *args: Any) -> Any:
        """Call a function returning `result<T, error>`: T, or ConnectorError."""
        r = self._call(interface, func, *args)
        if isinstance(r, wc.Variant):
            raise ConnectorError(r.tag, _plain(r.payload))
        return r

    def connect(self, store_url: str, consumer_key: str, consumer_secret: str,
                signature_method: Optional[str] = None, owner_email: Optional[str] = None) -> Dict[str, Any]:
        cfg = _record(**{"store-url": store_url, "consumer-key": consumer_key, "consumer-secret": consumer_secret,
                         "signature-method": signature_method, "owner-email": owner_email})
        return _plain(self._result("connection", "connect", cfg))

    def status(self) -> Dict[str, Any]:
        return _plain(self._result("connection", "status"))

    def disconnect(self) -> None:
        self._result("connection", "disconnect")

    def list_tools(self) -> List[Dict[str, Any]]:
        return _plain(self._call("tools", "list-tools"))

    def call_tool(self, name: str, arguments: Dict[str, Any]) -> Any:
        return json.loads(self._result("tools", "call-tool", name, json.dumps(arguments)))

    def import_all(self, kinds: Iterable[str] = KINDS) -> Dict[str, Any]:
        return _plain(self._result("sync", "import", list(kinds)))

    def sync_pass(self, kinds: Optional[Iterable[str]] = None) -> Dict[str, Any]:
        return _plain(self._result("sync", "sync-pass", None if kinds is None else list(kinds)))

    def get_settings(self) -> Dict[str, Any]:
        return _plain(self._result("sync", "get-settings"))

    def set_settings(self, **changes: Any) -> None:
        current = self._result("sync", "get-settings")
        for k, v in changes.items():
            setattr(current, k.replace("_", "-"), v)
        self._result("sync", "set-settings", current)

    def handle_webhook(self, headers: Dict[str, str], body: bytes) -> str:
        return self._result("webhook", "handle-delivery", list(headers.items()), bytes(body))

    # ---- what the platform holds ----------------------------------------

    def records(self, kind: str) -> Dict[str, Any]:
        """The records of `kind` (`contact`, `order` ..., `trigger`) by id."""
        prefix = f"record/{kind}/"
        return {k[len(prefix):]: json.loads(self.kv.get(k)) for k in self.kv.keys(prefix)}
