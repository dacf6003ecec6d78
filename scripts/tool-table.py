#!/usr/bin/env python3
"""Print the README's tool table from `woo tools --json` (stdin), grouped by resource.

    cargo run -q -p woo-host --bin woo -- tools --json | scripts/tool-table.py

The README keeps the output between the `tool-table` markers; a test checks
that the README, list-tools, MCP and direct mode name the same tools.
"""
import json
import sys

GROUPS = [
    ("Order notes", lambda n: "order-note" in n),
    ("Refunds", lambda n: "order-refund" in n),
    ("Variations", lambda n: "variation" in n),
    ("Attributes", lambda n: "attribute" in n),
    ("Categories and tags", lambda n: "categor" in n or n.endswith("-tag") or n.endswith("-tags")),
    ("Reviews", lambda n: "review" in n),
    ("Customers", lambda n: "customer" in n or n == "push-contact"),
    ("Coupons", lambda n: "coupon" in n),
    ("Shipping and tax", lambda n: "shipping" in n or "tax" in n),
    ("Payments and settings", lambda n: "payment-gateway" in n or "settings" in n),
    ("Reports", lambda n: "report" in n),
    ("System, webhooks and data", lambda n: "system" in n or "webhook" in n or n in ("list-countries", "list-currencies")),
    ("Stock", lambda n: "stock" in n),
    ("Any endpoint", lambda n: n.startswith("raw-")),
    ("Products", lambda n: "product" in n),
    ("Orders", lambda n: "order" in n or "shipment" in n),
]

PAGING = {"page", "per_page", "all_pages", "max_items", "search", "include", "orderby", "order", "fields", "exclude"}
DATES = {"after", "before", "modified_after", "modified_before"}


def annotations(a):
    if a["read_only"]:
        return "read-only"
    words = []
    if a["destructive"]:
        words.append("destructive")
    if a["idempotent"]:
        words.append("idempotent")
    return ", ".join(words) or "adds"


def arguments(schema, name):
    props = schema.get("properties", {})
    required = schema.get("required", [])
    rest = [k for k in props if k not in required and k not in PAGING and k not in DATES]
    shown = [f"`{k}`" for k in required] + [f"`{k}`" for k in rest[:5]]
    if len(rest) > 5:
        shown.append("…")
    if any(k in props for k in DATES):
        shown.append("dates")
    if name.startswith("list-") and "per_page" in props:
        shown.append("paging, `fields`")
    elif "fields" in props:
        shown.append("`fields`")
    return ", ".join(shown) or "none"


def main():
    tools = json.load(sys.stdin)
    grouped = {}
    for t in tools:
        group = next(g for g, match in GROUPS if match(t["name"]))
        grouped.setdefault(group, []).append(t)
    order = [g for g, _ in GROUPS]
    first = ["Orders", "Order notes", "Refunds", "Products", "Variations", "Categories and tags", "Attributes",
             "Reviews", "Customers", "Coupons", "Shipping and tax", "Payments and settings", "Reports",
             "System, webhooks and data", "Stock", "Any endpoint"]
    assert set(first) == set(order)
    print("| tool | annotations | what it does | main arguments |")
    print("| --- | --- | --- | --- |")
    for g in first:
        print(f"| **{g}** | | | |")
        for t in grouped.get(g, []):
            schema = t["input_schema"] if isinstance(t["input_schema"], dict) else json.loads(t["input_schema"])
            print(f"| `{t['name']}` | {annotations(t['annotations'])} | {t['title']} | {arguments(schema, t['name'])} |")


main()
