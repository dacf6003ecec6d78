// The npm `@woocommerce/woocommerce-rest-api` client, which nobody here
// wrote, against the store simulator: lists processing and completed orders
// (an array filter: `status[0]=…&status[1]=…` over plain HTTP, which PHP reads
// as an array and WooCommerce signs by its indexes), gets the first, creates a
// coupon and updates it and the order, then prints what it saw as JSON for
// the Rust test (tests/clients.rs) to check against the simulator's state.
// Over plain HTTP it signs with OAuth 1.0a; over HTTPS it uses Basic auth and
// trusts the simulator's CA through NODE_EXTRA_CA_CERTS.
//
// Usage: node woocommerce_client.mjs NODE_DIR URL CONSUMER_KEY CONSUMER_SECRET TAG
// (NODE_DIR holds the node_modules that tests/clients/setup.sh installed).
import { createRequire } from "node:module";
import { join } from "node:path";

const [nodeDir, url, consumerKey, consumerSecret, tag] = process.argv.slice(2);
const require = createRequire(join(nodeDir, "package.json"));
const WooCommerceRestApi = require("@woocommerce/woocommerce-rest-api").default;

const wc = new WooCommerceRestApi({ url, consumerKey, consumerSecret, version: "wc/v3", timeout: 30000 });

async function ok(request, status = 200) {
  try {
    const response = await request;
    if (response.status !== status) throw new Error(`status ${response.status}: ${JSON.stringify(response.data)}`);
    return response.data;
  } catch (e) {
    const answer = e.response ? `${e.response.status} ${JSON.stringify(e.response.data)}` : e.message;
    console.error(`${e.config?.method ?? ""} ${e.config?.url ?? ""}: ${answer}`);
    process.exit(1);
  }
}

const listed = await ok(
  wc.get("orders", { status: ["processing", "completed"], per_page: 4, orderby: "id", order: "asc" }),
);
if (listed.length === 0) {
  console.error("no processing or completed order listed");
  process.exit(1);
}
const got = await ok(wc.get(`orders/${listed[0].id}`));
const created = await ok(wc.post("coupons", { code: `${tag}-client`, amount: "5.00", discount_type: "percent" }), 201);
const updated = await ok(wc.put(`coupons/${created.id}`, { amount: "7.50" }));
const order = await ok(wc.put(`orders/${got.id}`, { customer_note: `noted by ${tag}` }));
console.log(
  JSON.stringify({
    listed: listed.map((o) => o.id),
    statuses: [...new Set(listed.map((o) => o.status))].sort(),
    got: got.id,
    coupon: created.id,
    code: updated.code,
    amount: updated.amount,
    note: order.customer_note,
  }),
);
