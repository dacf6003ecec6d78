"""The PyPI `woocommerce` client, which nobody here wrote, against the store
simulator: lists processing orders, gets the first, creates a coupon and
updates it and the order, then prints what it saw as JSON for the Rust test
(tests/clients.rs) to check against the simulator's state.

Over plain HTTP the client signs with OAuth 1.0a and sends its query
parameters twice (in the signed URL and appended again), which a real store
reads as PHP does (last value wins). Over HTTPS it uses Basic auth, and
query-string keys for the single-order read; the simulator's CA is handed to
it through `verify_ssl`.

Usage: woocommerce_client.py URL CONSUMER_KEY CONSUMER_SECRET TAG [CA_CERT]
"""
import json
import sys

from woocommerce import API


def main():
    url, key, secret, tag = sys.argv[1:5]
    verify = sys.argv[5] if len(sys.argv) > 5 else True
    api = lambda **kw: API(  # noqa: E731
        url=url, consumer_key=key, consumer_secret=secret, version="wc/v3", timeout=30, verify_ssl=verify, **kw
    )
    wc = api()

    def ok(response, status=200):
        if response.status_code != status:
            sys.exit(f"{response.request.method} {response.request.path_url}: {response.status_code} {response.text}")
        return response.json()

    listed = ok(wc.get("orders", params={"status": "processing", "per_page": 3, "orderby": "id", "order": "asc"}))
    if not listed:
        sys.exit("no processing order listed")
    reader = api(query_string_auth=True) if url.startswith("https") else wc
    got = ok(reader.get(f"orders/{listed[0]['id']}"))
    created = ok(wc.post("coupons", {"code": f"{tag}-client", "amount": "5.00", "discount_type": "percent"}), 201)
    updated = ok(wc.put(f"coupons/{created['id']}", {"amount": "7.50"}))
    order = ok(wc.put(f"orders/{got['id']}", {"customer_note": f"noted by {tag}"}))
    print(
        json.dumps(
            {
                "listed": [o["id"] for o in listed],
                "statuses": sorted({o["status"] for o in listed}),
                "got": got["id"],
                "coupon": created["id"],
                "code": updated["code"],
                "amount": updated["amount"],
                "note": order["customer_note"],
            }
        )
    )


main()
