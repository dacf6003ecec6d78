// The worker thread that runs the component. jco's WASI HTTP is
// synchronous (it blocks its thread until the answer is in), and so is
// every import: a key-value read the component makes must be answered before
// it goes on. The caller's store lives on the main thread (it may be async:
// a database), so each store operation is a message to the main thread and
// an Atomics.wait here until the answer is on our port.
import { parentPort, workerData, receiveMessageOnPort } from "node:worker_threads";
import { readFile } from "node:fs/promises";
import * as shim from "@bytecodealliance/preview2-shim";
import { instantiate } from "./component/woo_plugin.js";

const { port, signal, componentDir } = workerData;
const flag = new Int32Array(signal);

/** Ask the main thread to run `op` on the store; wait for its answer. */
function ask(op, ...args) {
  Atomics.store(flag, 0, 0);
  port.postMessage({ op, args });
  Atomics.wait(flag, 0, 0);
  const answer = receiveMessageOnPort(port);
  if (!answer) throw new Error(`woo-connector: no answer from the store for ${op}`);
  if (answer.message.error !== undefined) throw new Error(answer.message.error);
  return answer.message.value;
}

// ---- wasi:keyvalue/store@0.2.0-draft ----------------------------------------
class Bucket {
  constructor(name) {
    this.name = name;
  }
  key(k) {
    return `kv/${this.name}/${k}`;
  }
  // A read that fails throws: the call traps rather than reading "absent"
  // (a lost key would look like "not connected").
  get(key) {
    const v = ask("get", this.key(key));
    return v == null ? undefined : v;
  }
  set(key, value) {
    try {
      ask("set", this.key(key), value);
      return { tag: "ok", val: undefined };
    } catch (e) {
      return { tag: "err", val: { tag: "other", val: String(e.message ?? e) } };
    }
  }
  delete(key) {
    try {
      ask("delete", this.key(key));
      return { tag: "ok", val: undefined };
    } catch (e) {
      return { tag: "err", val: { tag: "other", val: String(e.message ?? e) } };
    }
  }
  exists(key) {
    return ask("get", this.key(key)) != null;
  }
  listKeys(_cursor) {
    const prefix = this.key("");
    return { keys: ask("keys", prefix).map((k) => k.slice(prefix.length)), cursor: undefined };
  }
}
const keyvalueStore = { Bucket, open: (name) => new Bucket(name) };
// Not imported by the connector world; here for hosts of worlds that do.
const keyvalueAtomics = {
  increment(bucket, key, delta) {
    const now = bucket.get(key);
    const next = (now == null ? 0n : BigInt(new TextDecoder().decode(now))) + delta;
    bucket.set(key, new TextEncoder().encode(String(next)));
    return next;
  },
};
// wasi:keyvalue/batch: the connector reads a page's state with one
// get-many, answered here with ONE message to the store's thread.
const keyvalueBatch = {
  getMany: (bucket, keys) =>
    ask("getMany", keys.map((k) => bucket.key(k))).map((v, i) => (v == null ? undefined : [keys[i], v])),
  setMany: (bucket, pairs) => pairs.forEach(([k, v]) => bucket.set(k, v)),
  deleteMany: (bucket, keys) => keys.forEach((k) => bucket.delete(k)),
};

// ---- woo:connector/platform@0.2.0 -------------------------------------------
const platform = {
  commit(batch) {
    try {
      return { tag: "ok", val: ask("commit", batch) };
    } catch (e) {
      return { tag: "err", val: String(e.message ?? e) };
    }
  },
  progress(kind, done, total) {
    parentPort.postMessage({ event: "progress", kind, done: Number(done), total: Number(total) });
  },
  log(level, message) {
    parentPort.postMessage({ event: "log", level, message });
  },
};

// ---- wasi:http/outgoing-handler: only the connected store --------------------
let allowed = null; // "https://host:port" of the store being connected or connected
const outgoingHandler = {
  handle(request, options) {
    const scheme = request.scheme();
    const origin = `${scheme?.tag === "HTTP" ? "http" : scheme?.tag === "HTTPS" ? "https" : "other"}://${request.authority()}`;
    if (allowed === null || origin !== allowed) {
      parentPort.postMessage({ event: "log", level: "warn", message: `refused a request to ${origin}: not the connected store` });
      return { tag: "err", val: { tag: "HTTP-request-denied" } };
    }
    return shim.http.outgoingHandler.handle(request, options);
  },
};

/** `https://host:port` of a store URL (default ports written out, as the shim's authority has them). */
function originOf(url) {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === "https:" ? "443" : "80");
    return `${u.protocol}//${u.hostname.includes(":") ? `[${u.hostname}]` : u.hostname}:${port}`;
  } catch {
    return null;
  }
}

// jco's instantiation mode keys the imports by interface name WITHOUT the
// version ('wasi:keyvalue/store', not '...@0.2.0-draft').
const imports = {
  "wasi:cli/environment": shim.cli.environment,
  "wasi:cli/exit": shim.cli.exit,
  "wasi:cli/stdin": shim.cli.stdin,
  "wasi:cli/stdout": shim.cli.stdout,
  "wasi:cli/stderr": shim.cli.stderr,
  "wasi:cli/terminal-input": shim.cli.terminalInput,
  "wasi:cli/terminal-output": shim.cli.terminalOutput,
  "wasi:cli/terminal-stdin": shim.cli.terminalStdin,
  "wasi:cli/terminal-stdout": shim.cli.terminalStdout,
  "wasi:cli/terminal-stderr": shim.cli.terminalStderr,
  "wasi:clocks/monotonic-clock": shim.clocks.monotonicClock,
  "wasi:clocks/wall-clock": shim.clocks.wallClock,
  "wasi:http/types": shim.http.types,
  "wasi:http/outgoing-handler": outgoingHandler,
  "wasi:io/error": shim.io.error,
  "wasi:io/poll": shim.io.poll,
  "wasi:io/streams": shim.io.streams,
  "wasi:random/random": shim.random.random,
  "wasi:random/insecure-seed": shim.random.insecureSeed,
  "wasi:keyvalue/store": keyvalueStore,
  "wasi:keyvalue/atomics": keyvalueAtomics,
  "wasi:keyvalue/batch": keyvalueBatch,
  "woo:connector/types": {},
  "woo:connector/platform": platform,
};

const component = await instantiate(
  (name) => readFile(new URL(name, componentDir)).then((bytes) => WebAssembly.compile(bytes)),
  imports,
);
const api = {
  connection: component.connection,
  sync: component.sync,
  tools: component.tools,
  direct: component.direct,
  webhook: component.webhook,
};
// A connection kept in the store from an earlier run allows its store again.
allowed = originOf(api.connection.status().storeUrl);

/** bigint (u64) → number, everywhere in a result (counts stay far below 2^53). */
function plain(v) {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Uint8Array) return v;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

parentPort.on("message", ({ id, iface, fn, args }) => {
  try {
    if (iface === "connection" && fn === "connect") allowed = originOf(args[0].storeUrl);
    const value = api[iface][fn](...args);
    if (iface === "connection" && (fn === "connect" || fn === "disconnect")) {
      allowed = originOf(api.connection.status().storeUrl);
    }
    parentPort.postMessage({ id, value: plain(value) });
  } catch (e) {
    if (iface === "connection" && fn === "connect") allowed = originOf(api.connection.status().storeUrl);
    // A WIT `error` arrives as jco's ComponentError, its variant in `payload`.
    if (e && typeof e === "object" && "payload" in e) parentPort.postMessage({ id, error: plain(e.payload) });
    else parentPort.postMessage({ id, trap: String(e?.stack ?? e) });
  }
});
parentPort.postMessage({ ready: true });
