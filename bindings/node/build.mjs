// Transpiles the component into ./component with jco (pinned in
// package.json): `node build.mjs [path/to/woo_plugin.wasm]`. Without an
// argument it takes WOO_PLUGIN_WASM, else the workspace's build output.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wasm = resolve(
  process.argv[2] ??
    process.env.WOO_PLUGIN_WASM ??
    join(here, "../../target/plugin-build/wasm32-wasip2/component/woo_plugin.wasm"),
);
if (!existsSync(wasm)) {
  console.error(`woo-connector: no component at ${wasm} (run cargo build -p woo-host first, or pass its path)`);
  process.exit(1);
}
// The package exports only its API (dist/api.js); its CLI sits beside it.
const jco = join(dirname(fileURLToPath(import.meta.resolve("@bytecodealliance/jco"))), "jco.js");
const out = join(here, "component");
rmSync(out, { recursive: true, force: true });
// --instantiation async: the host passes every import itself (worker.js),
// keyed by the unversioned interface name ('wasi:keyvalue/store').
const run = spawnSync(
  process.execPath,
  [jco, "transpile", wasm, "-o", out, "--name", "woo_plugin", "--instantiation", "async", "--quiet"],
  { stdio: "inherit" },
);
process.exit(run.status ?? 1);
