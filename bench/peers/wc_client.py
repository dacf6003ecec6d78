"""Peer 1: what a user's script does with the PyPI `woocommerce` client.

It walks every endpoint the connector imports, page by page at per_page=100,
one request after another: customers, products (and each variable product's
variations), categories, orders (and each refunded order's refunds). Prints
one summary line. Reads WOO_URL, WOO_KEY, WOO_SECRET, WOO_CA.
"""
import os

from woocommerce import API

api = API(
    url=os.environ["WOO_URL"],
    consumer_key=os.environ["WOO_KEY"],
    consumer_secret=os.environ["WOO_SECRET"],
    version="wc/v3",
    timeout=120,
    verify_ssl=os.environ.get("WOO_CA", True),
)


requests_made = 0


def walk(endpoint, **params):
    """Every item of a list endpoint, page by page."""
    global requests_made
    page = 1
    while True:
        requests_made += 1
        r = api.get(endpoint, params={**params, "per_page": 100, "page": page})
        r.raise_for_status()
        items = r.json()
        yield from items
        if not items or page >= int(r.headers.get("X-WP-TotalPages", "1")):
            return
        page += 1


records = 0
for _ in walk("customers", role="all"):
    records += 1
for p in walk("products"):
    records += 1
    if p["type"] == "variable" and p["status"] == "publish":
        records += sum(1 for _ in walk(f"products/{p['id']}/variations"))
records += sum(1 for _ in walk("products/categories"))
for o in walk("orders"):
    records += 1
    if o.get("refunds"):
        records += sum(1 for _ in walk(f"orders/{o['id']}/refunds"))
print(f"{records} store records read with {requests_made} requests")
