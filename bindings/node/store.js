// The platform's side of the component's state, kept over one key-value
// store the caller supplies (in memory by default). Layout of its keys:
//   kv/<bucket>/<key>            the component's own state (wasi:keyvalue)
//   record/<kind>/<id>           platform records, triggers, notifications
//   meta/notifications           the last notification number
// Any bucket name works: each is a prefix, so a component that opens one
// bucket or nine needs no change here.

/** The default store: a Map, gone with the process. */
export class MemoryStore {
  constructor() {
    this.data = new Map();
  }
  get(key) {
    return this.data.get(key);
  }
  set(key, value) {
    this.data.set(key, Uint8Array.from(value));
  }
  delete(key) {
    this.data.delete(key);
  }
  keys(prefix) {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  /** All writes or none: nothing here can fail halfway. */
  apply(writes) {
    for (const [key, value] of writes) {
      if (value == null) this.data.delete(key);
      else this.data.set(key, Uint8Array.from(value));
    }
  }
}

/** Where key `key` of bucket `bucket` lives. */
export const kvKey = (bucket, key) => `kv/${bucket}/${key}`;

/** `woo:trigger:<name>:<subject number>[:<key>]` (wit/platform.wit). */
export function triggerId(t) {
  const parts = t.subjectId.split(":");
  const number = parts.length >= 3 ? parts.slice(2).join(":") : t.subjectId;
  return `woo:trigger:${t.name}:${number}` + (t.key ? `:${t.key}` : "");
}

const text = new TextEncoder();

function triggerBody(t, id) {
  let body = {};
  try {
    const parsed = JSON.parse(t.data);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed;
  } catch {
    // data that is not a JSON object is left out
  }
  Object.assign(body, { kind: "trigger", id, trigger: t.name });
  body[t.subjectId.startsWith("woo:order:") ? "order_id" : "subject_id"] = t.subjectId;
  return Object.assign(body, { contact_id: t.contactId ?? null, time: t.time });
}

/**
 * `platform.commit`: every write of `batch` in one `store.apply` (all or
 * nothing). Returns one `created` flag per record, in order.
 */
export async function commitBatch(store, batch) {
  const writes = [];
  const created = [];
  const staged = new Set();
  const known = async (key) => staged.has(key) || (await store.get(key)) != null;
  for (const r of batch.records) {
    const key = `record/${r.kind}/${r.id}`;
    created.push(!(await known(key)));
    staged.add(key);
    writes.push([key, text.encode(r.body)]);
  }
  for (const t of batch.triggers) {
    const id = triggerId(t);
    const key = `record/trigger/${id}`;
    if (await known(key)) continue; // fired once, ever: the first is kept
    staged.add(key);
    writes.push([key, text.encode(JSON.stringify(triggerBody(t, id)))]);
  }
  if (batch.notifications.length > 0) {
    const last = await store.get("meta/notifications");
    let seq = last == null ? 0 : Number(new TextDecoder().decode(last));
    for (const n of batch.notifications) {
      seq += 1;
      const id = `woo:notification:${seq}`;
      const body = { kind: "notification", id, notification: n.topic, recipient: n.recipient, subject: n.subject, body: n.body };
      writes.push([`record/notification/${id}`, text.encode(JSON.stringify(body))]);
    }
    writes.push(["meta/notifications", text.encode(String(seq))]);
  }
  for (const [bucket, key, value] of batch.state) writes.push([kvKey(bucket, key), value]);
  await store.apply(writes);
  return created;
}
