// woo-connector for Node: the component runs in a worker thread; this side
// owns the store (in memory unless the caller gives one) and offers the calls.
import { Worker, MessageChannel } from "node:worker_threads";
import { MemoryStore, commitBatch } from "./store.js";

export { MemoryStore } from "./store.js";

export const KINDS = ["contacts", "orders", "transactions", "products", "collections"];

/** A WIT `error` (wit/types.wit): `tag` is its case, `detail` its payload. */
export class ConnectorError extends Error {
  constructor(error) {
    const detail = error.val;
    super(`${error.tag}${detail === undefined ? "" : `: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`}`);
    this.name = "ConnectorError";
    this.tag = error.tag;
    this.detail = detail;
  }
}

export class Connector {
  /** Use `Connector.open(options)`. */
  constructor(worker, store) {
    this.worker = worker;
    this.store = store;
    this.next = 1;
    this.pending = new Map();
  }

  /**
   * Start the component in a worker thread over `options.store` (a
   * MemoryStore when absent). Over HTTPS, a store whose certificate is not
   * signed by a public CA needs NODE_EXTRA_CA_CERTS set when node starts.
   */
  static async open(options = {}) {
    const store = options.store ?? new MemoryStore();
    const onLog = options.onLog ?? ((level, message) => level !== "debug" && console.error(`${level}: ${message}`));
    const onProgress = options.onProgress ?? (() => {});
    const signal = new SharedArrayBuffer(4);
    const flag = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL("./worker.js", import.meta.url), {
      workerData: { port: port2, signal, componentDir: new URL("./component/", import.meta.url).href },
      transferList: [port2],
    });
    const self = new Connector(worker, store);
    // The worker blocks on `flag` until each store operation is answered.
    port1.on("message", async ({ op, args }) => {
      let answer;
      try {
        const value =
          op === "commit"
            ? await commitBatch(store, args[0])
            : op === "getMany" // wasi:keyvalue/batch: a page's reads in one message
              ? await Promise.all(args[0].map((k) => store.get(k)))
              : await store[op](...args);
        answer = { value: value ?? null };
      } catch (e) {
        answer = { error: String(e?.message ?? e) };
      }
      port1.postMessage(answer);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
    port1.unref();
    await new Promise((resolve, reject) => {
      worker.on("message", (m) => {
        if (m.ready) resolve();
        else if (m.event === "log") onLog(m.level, m.message);
        else if (m.event === "progress") onProgress(m.kind, m.done, m.total);
        else self.settle(m);
      });
      worker.once("error", (e) => {
        reject(e);
        for (const p of self.pending.values()) p.reject(e);
        self.pending.clear();
      });
    });
    return self;
  }

  settle(m) {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error !== undefined) p.reject(new ConnectorError(m.error));
    else if (m.trap !== undefined) p.reject(new Error(`the component trapped: ${m.trap}`));
    else p.resolve(m.value);
  }

  call(iface, fn, ...args) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, iface, fn, args });
    });
  }

  /** `connection.connect`: check the URL and keys with one read, save the connection. */
  connect(config) {
    return this.call("connection", "connect", {
      storeUrl: config.storeUrl,
      consumerKey: config.consumerKey,
      consumerSecret: config.consumerSecret,
      signatureMethod: config.signatureMethod,
      ownerEmail: config.ownerEmail,
    });
  }
  status() {
    return this.call("connection", "status");
  }
  disconnect() {
    return this.call("connection", "disconnect");
  }
  /** Every tool, with its JSON Schemas parsed. */
  async listTools() {
    const tools = await this.call("tools", "listTools");
    return tools.map((t) => ({
      ...t,
      inputSchema: JSON.parse(t.inputSchema),
      outputSchema: t.outputSchema === undefined ? undefined : JSON.parse(t.outputSchema),
    }));
  }
  /** Run one tool; its JSON result, parsed. */
  async callTool(name, args = {}) {
    return JSON.parse(await this.call("tools", "callTool", name, JSON.stringify(args)));
  }
  /** `sync.import` of every kind (or of `kinds`). */
  importAll(kinds = KINDS) {
    return this.call("sync", "import", kinds);
  }
  /** One incremental `sync.sync-pass`. */
  syncPass(kinds) {
    return this.call("sync", "syncPass", kinds);
  }
  getSettings() {
    return this.call("sync", "getSettings");
  }
  async setSettings(changes) {
    await this.call("sync", "setSettings", { ...(await this.getSettings()), ...changes });
  }
  /** `webhook.handle-delivery`: headers as an object or [name, value] pairs, body as the raw bytes. */
  handleWebhook(headers, body) {
    const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : Uint8Array.from(body);
    return this.call("webhook", "handleDelivery", pairs, bytes);
  }
  /** The records of `kind` (`contact`, `order` …, `trigger`, `notification`) the store holds, by id. */
  async records(kind) {
    const prefix = `record/${kind}/`;
    const out = {};
    for (const key of await this.store.keys(prefix)) {
      out[key.slice(prefix.length)] = JSON.parse(new TextDecoder().decode(await this.store.get(key)));
    }
    return out;
  }
  /** Stop the worker. */
  async close() {
    await this.worker.terminate();
  }
}

/** Open a connector (in a worker) over `options.store`. */
export const open = (options) => Connector.open(options);
