"""The host conformance test (HOSTING.md) on the Python host:
python conformance.py WASM STORE_URL CONSUMER_KEY CONSUMER_SECRET

Runs ../conformance/steps.json; prints each step on stderr and a JSON
summary on stdout ({"passed", "failed", "held", "buckets"}: buckets are the
key-value buckets the component wrote to); exits 1 when a step fails.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from woo_connector import RECORD_KINDS, Connector, ConnectorError  # noqa: E402

STEPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "steps.json")


def pointer(doc, path):
    for part in [p for p in path.split("/")[1:]] if path else []:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def check(result, checks, saved):
    for path, op, want in checks:
        if isinstance(want, dict) and "ref" in want:
            want = pointer(saved[want["ref"]], want["path"])
        got = pointer(result, path)
        ok = {
            "=": lambda: got == want,
            ">": lambda: got > want,
            ">=": lambda: got >= want,
            "has": lambda: want in got,
            "len>=": lambda: len(got) >= want,
            "len<=": lambda: len(got) <= want,
            "type": lambda: isinstance(got, {"string": str, "number": (int, float)}[want]),
        }[op]()
        if not ok:
            return f"{path or '(result)'} {op} {json.dumps(want)}: got {json.dumps(got)}"
    return None


def report(r):
    return {"kinds": {k["kind"]: k for k in r["kinds"]}, "requests": r["requests"], "triggers": r["triggers"]}


def main():
    wasm, url, key, secret = sys.argv[1:5]
    woo = Connector(wasm, on_log=lambda level, msg: None)

    def held():
        return {k: len(woo.records(k)) for k in RECORD_KINDS + ["trigger"]}

    calls = {
        "status": lambda a: woo.status(),
        "connect": lambda a: woo.connect(url, key, a.get("consumer_secret", secret)),
        "listTools": lambda a: (lambda t: {"names": [x["name"] for x in t], "count": len(t)})(woo.list_tools()),
        "callTool": lambda a: woo.call_tool(a["name"], a["arguments"]),
        "importAll": lambda a: report(woo.import_all()),
        "syncPass": lambda a: report(woo.sync_pass()),
        "getSettings": lambda a: woo.get_settings(),
        "setSettings": lambda a: woo.set_settings(**a),
        "handleWebhook": lambda a: woo.handle_webhook(a["headers"], a["body"].encode()),
        "disconnect": lambda a: woo.disconnect(),
        "held": lambda a: held(),
    }
    saved, passed, failed = {}, 0, []
    for step in json.load(open(STEPS))["steps"]:
        try:
            result = calls[step["call"]](step.get("args", {}))
            why = f"expected error {step['error']}, got ok" if "error" in step else check(result, step["ok"], saved)
        except ConnectorError as e:
            result = e.detail
            if "error" not in step:
                why = f"unexpected error {e}"
            elif e.tag != step["error"]:
                why = f"expected error {step['error']}, got {e}"
            else:
                why = check(e.detail, step.get("checks", []), saved)
        if "save" in step:
            saved[step["save"]] = result
        if why:
            failed.append({"name": step["name"], "why": why})
            print(f"FAIL {step['name']}: {why}", file=sys.stderr)
        else:
            passed += 1
            print(f"ok   {step['name']}", file=sys.stderr)
    buckets = sorted({k.split("/")[1] for k in woo.kv.keys("kv/")})
    print(json.dumps({"passed": passed, "failed": failed, "held": held(), "buckets": buckets}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
