// The host conformance test (HOSTING.md) on the Node host:
//   node conformance.mjs STORE_URL CONSUMER_KEY CONSUMER_SECRET
// Runs ../conformance/steps.json; prints each step on stderr and a JSON
// summary on stdout ({passed, failed, held, buckets}: buckets are the
// key-value buckets the component wrote to); exits 1 when a step fails.
import { readFileSync } from "node:fs";
import { Connector, ConnectorError } from "./index.js";
import { MemoryStore } from "./store.js";

const RECORD_KINDS = ["contact", "order", "transaction", "product", "collection", "trigger"];
const { steps } = JSON.parse(readFileSync(new URL("../conformance/steps.json", import.meta.url), "utf8"));
const [url, key, secret] = process.argv.slice(2);

/** camelCase keys (jco's) → snake_case (the steps'), through a WIT result. */
const snake = (v) =>
  Array.isArray(v)
    ? v.map(snake)
    : v && typeof v === "object"
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(x)]))
      : v;
const pointer = (doc, path) =>
  path === "" ? doc : path.split("/").slice(1).reduce((d, p) => (d == null ? undefined : d[p]), doc);
const report = (r) => ({
  kinds: Object.fromEntries(r.kinds.map((k) => [k.kind, k])),
  requests: r.requests,
  triggers: r.triggers,
});

function check(result, checks, saved) {
  for (const [path, op, w] of checks) {
    const want = w && typeof w === "object" && "ref" in w ? pointer(saved[w.ref], w.path) : w;
    const got = pointer(result, path);
    const ok = {
      "=": () => JSON.stringify(got) === JSON.stringify(want),
      ">": () => got > want,
      ">=": () => got >= want,
      has: () => Array.isArray(got) && got.includes(want),
      "len>=": () => got.length >= want,
      "len<=": () => got.length <= want,
      type: () => typeof got === want,
    }[op]();
    if (!ok) return `${path || "(result)"} ${op} ${JSON.stringify(want)}: got ${JSON.stringify(got)}`;
  }
  return null;
}

const store = new MemoryStore();
const woo = await Connector.open({ store, onLog: () => {} });
// The buckets the component wrote to: `kv/<bucket>/<key>` in the store.
const buckets = () => [...new Set(store.keys("kv/").map((k) => k.split("/")[1]))].sort();
const held = async () => Object.fromEntries(await Promise.all(RECORD_KINDS.map(async (k) => [k, Object.keys(await woo.records(k)).length])));
const calls = {
  status: async () => snake(await woo.status()),
  connect: async (a) => snake(await woo.connect({ storeUrl: url, consumerKey: key, consumerSecret: a.consumer_secret ?? secret })),
  listTools: async () => {
    const tools = await woo.listTools();
    return { names: tools.map((t) => t.name), count: tools.length };
  },
  callTool: (a) => woo.callTool(a.name, a.arguments),
  importAll: async () => report(await woo.importAll()),
  syncPass: async () => report(await woo.syncPass()),
  getSettings: async () => snake(await woo.getSettings()),
  setSettings: (a) => woo.setSettings(a),
  handleWebhook: (a) => woo.handleWebhook(a.headers, a.body),
  disconnect: () => woo.disconnect(),
  held,
};

const saved = {};
let passed = 0;
const failed = [];
for (const step of steps) {
  let result;
  let why;
  try {
    result = await calls[step.call](step.args ?? {});
    why = "error" in step ? `expected error ${step.error}, got ok` : check(result, step.ok, saved);
  } catch (e) {
    if (!(e instanceof ConnectorError)) throw e;
    result = snake(e.detail);
    if (!("error" in step)) why = `unexpected error ${e.message}`;
    else if (e.tag !== step.error) why = `expected error ${step.error}, got ${e.message}`;
    else why = check(result, step.checks ?? [], saved);
  }
  if (step.save) saved[step.save] = result;
  if (why) {
    failed.push({ name: step.name, why });
    console.error(`FAIL ${step.name}: ${why}`);
  } else {
    passed += 1;
    console.error(`ok   ${step.name}`);
  }
}
console.log(JSON.stringify({ passed, failed, held: await held(), buckets: buckets() }));
await woo.close();
process.exitCode = failed.length ? 1 : 0;
