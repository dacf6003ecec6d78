#!/usr/bin/env python3
"""Capture the unit tests' JSON fixtures from a real WooCommerce.

Creates a small, realistic catalogue and two orders on the store named by a
realstore `store.env` (categories, a simple and a variable product, a
registered customer, a paid order with a refund and a note, a guest order),
reads each back through the REST API exactly as the connector does, and writes
the answers to plugin/tests/fixtures/. Only the standard library is used.

    ../shared/realstore/up.sh >/dev/null          # or reset.sh for a clean store
    scripts/capture-fixtures.py /tmp/woo-realstore/store.env
    ../shared/realstore/reset.sh >/dev/null       # the records it made are test data

Dates, ids and keys change with every capture; tests must not depend on them
beyond what the JSON itself says.
"""
import base64, json, os, ssl, sys, urllib.request

def load_env(path):
    env = {}
    for line in open(path):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            env[k] = v
    return env

def main():
    env = load_env(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("WOO_REAL_STORE_ENV", "/tmp/woo-realstore/store.env"))
    base = env["WOO_STORE_URL_HTTPS"] + "/wp-json/wc/v3"
    ctx = ssl.create_default_context(cafile=env["WOO_STORE_CA_CERT"])
    auth = base64.b64encode(f'{env["WOO_CONSUMER_KEY"]}:{env["WOO_CONSUMER_SECRET"]}'.encode()).decode()
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugin", "tests", "fixtures")

    def call(method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Authorization": "Basic " + auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=ctx) as r:
            return json.load(r)

    def save(name, value):
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump(value, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(f"wrote plugin/tests/fixtures/{name}", file=sys.stderr)

    clothing = call("POST", "/products/categories", {"name": "Clothing"})
    hoodies = call("POST", "/products/categories", {"name": "Hoodies", "parent": clothing["id"], "description": "Warm & cosy"})
    mug = call("POST", "/products", {"name": "Logo Mug", "type": "simple", "regular_price": "12.50", "sku": "MUG-1",
                                     "manage_stock": True, "stock_quantity": 20, "categories": [{"id": clothing["id"]}],
                                     "description": "<p>Holds 350&nbsp;ml.</p>"})
    hoodie = call("POST", "/products", {"name": "Hoodie \u2013 Zip", "type": "variable", "sku": "HOOD",
                                        "categories": [{"id": hoodies["id"]}],
                                        "attributes": [{"name": "Size", "options": ["S", "M"], "variation": True, "visible": True}]})
    small = call("POST", f"/products/{hoodie['id']}/variations",
                 {"regular_price": "45.00", "sku": "HOOD-S", "attributes": [{"name": "Size", "option": "S"}]})
    call("POST", f"/products/{hoodie['id']}/variations",
         {"regular_price": "47.50", "sale_price": "39.90", "sku": "HOOD-M", "manage_stock": True, "stock_quantity": 3,
          "attributes": [{"name": "Size", "option": "M"}]})
    address = {"first_name": "Jane", "last_name": "Doe", "address_1": "1 Rue de la Paix", "city": "Lyon",
               "postcode": "69001", "country": "FR", "email": "jane.doe@example.com", "phone": "+33 4 00 00 00 00"}
    jane = call("POST", "/customers", {"email": "jane.doe@example.com", "first_name": "Jane", "last_name": "Doe",
                                       "billing": address, "shipping": {k: v for k, v in address.items() if k not in ("email", "phone")}})
    paid = call("POST", "/orders", {"customer_id": jane["id"], "status": "processing", "set_paid": True,
                                    "payment_method": "bacs", "payment_method_title": "Direct bank transfer",
                                    "billing": address, "line_items": [{"product_id": mug["id"], "quantity": 2},
                                                                       {"product_id": hoodie["id"], "variation_id": small["id"], "quantity": 1}]})
    call("POST", f"/orders/{paid['id']}/refunds", {"amount": "12.50", "reason": "One mug arrived broken", "api_refund": False,
                                                    "line_items": []})
    call("POST", f"/orders/{paid['id']}/notes", {"note": "Packed by Sam", "customer_note": False})
    guest_address = dict(address, first_name="Gus", last_name="Guest", email="gus.guest@example.com")
    guest = call("POST", "/orders", {"status": "pending", "billing": guest_address,
                                     "line_items": [{"product_id": mug["id"], "quantity": 1}]})

    save("category.json", call("GET", f"/products/categories/{hoodies['id']}"))
    save("product-simple.json", call("GET", f"/products/{mug['id']}"))
    save("product-variable.json", call("GET", f"/products/{hoodie['id']}"))
    save("variations.json", call("GET", f"/products/{hoodie['id']}/variations?per_page=100"))
    save("customer.json", call("GET", f"/customers/{jane['id']}"))
    save("order-paid.json", call("GET", f"/orders/{paid['id']}"))
    save("order-guest.json", call("GET", f"/orders/{guest['id']}"))
    save("refunds.json", call("GET", f"/orders/{paid['id']}/refunds"))
    save("order-notes.json", call("GET", f"/orders/{paid['id']}/notes"))

if __name__ == "__main__":
    main()
