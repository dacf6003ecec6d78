"""Peer 2: the PyPI `airbyte-source-woocommerce` connector reading the same
streams (customers, products, product_variations, product_categories,
orders) with Airbyte's own runner: `discover`, then `read` of a configured
catalog. Its `refunds` stream asks once per order (50,000 requests on the
default store), so it is left out: that only flatters it. Prints one
summary line. Reads WOO_URL, WOO_KEY, WOO_SECRET, WOO_WORK; the CA comes
from REQUESTS_CA_BUNDLE.
"""
import json
import os
import subprocess
import sys

STREAMS = ["customers", "products", "product_variations", "product_categories", "orders"]
work = os.environ["WOO_WORK"]
shop = os.environ["WOO_URL"].split("://", 1)[1].rstrip("/")
config = os.path.join(work, "airbyte-config.json")
catalog = os.path.join(work, "airbyte-catalog.json")
with open(config, "w") as f:
    json.dump({"api_key": os.environ["WOO_KEY"], "api_secret": os.environ["WOO_SECRET"], "shop": shop, "start_date": "2023-12-01"}, f)

# The CDK sends prepared requests, which skip REQUESTS_CA_BUNDLE: point
# requests' default bundle at the store's CA (and its preloaded context, in
# requests versions that have one).
BOOT = (
    "import os, requests.adapters as a, requests.utils as u\n"
    "ca = os.environ['REQUESTS_CA_BUNDLE']\n"
    "a.DEFAULT_CA_BUNDLE_PATH = u.DEFAULT_CA_BUNDLE_PATH = ca\n"
    "ctx = getattr(a, '_preloaded_ssl_context', None)\n"
    "ctx and ctx.load_verify_locations(cafile=ca)\n"
    "from source_woocommerce.run import run\n"
    "run()\n"
)
source = [sys.executable, "-c", BOOT]


def messages(args):
    proc = subprocess.Popen(source + args, stdout=subprocess.PIPE, text=True, bufsize=1 << 20)
    for line in proc.stdout:
        if line.startswith("{"):
            yield json.loads(line)
    if proc.wait() != 0:
        raise SystemExit(f"airbyte source exited with {proc.returncode}")


streams = []
for m in messages(["discover", "--config", config]):
    if m.get("type") == "CATALOG":
        streams = [s for s in m["catalog"]["streams"] if s["name"] in STREAMS]
if len(streams) != len(STREAMS):
    raise SystemExit(f"discover found {[s['name'] for s in streams]}")
with open(catalog, "w") as f:
    json.dump({"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"} for s in streams]}, f)

records = 0
for m in messages(["read", "--config", config, "--catalog", catalog]):
    if m.get("type") == "RECORD":
        records += 1
    elif m.get("type") == "TRACE" and m.get("trace", {}).get("type") == "ERROR":
        raise SystemExit(m["trace"]["error"].get("message", "error"))
print(f"{records} records read (refunds stream left out)")
