"""A client nobody here wrote: the official MCP Python SDK starts `woo mcp`
over stdio, lists the tools and calls list-orders. The SDK itself checks that
structuredContent fits the declared outputSchema (it raises otherwise).

Usage: client.py WOO_BINARY DB_PATH. Prints one JSON summary line; exits 1
with the reason on stderr when a check fails.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def check(ok, message):
    if not ok:
        print(f"mcp_sdk: {message}", file=sys.stderr)
        sys.exit(1)


async def main(woo, db):
    server = StdioServerParameters(command=woo, args=["--db", db, "mcp"])
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            check(init.serverInfo.name == "woo-connector", f"server name {init.serverInfo.name}")

            tools = {t.name: t for t in (await session.list_tools()).tools}
            check(len(tools) == 72, f"{len(tools)} tools listed")
            for t in tools.values():
                check(bool(t.title), f"{t.name} has no title")
                check(t.annotations is not None and t.annotations.openWorldHint is True, f"{t.name} annotations")
            lo, go, raw = tools["list-orders"], tools["get-order"], tools["raw-api-request"]
            check(lo.title == "List orders", f"list-orders title {lo.title!r}")
            check(lo.annotations.readOnlyHint is True and lo.annotations.destructiveHint is False, "list-orders is read-only")
            check(lo.outputSchema is not None and lo.outputSchema["type"] == "object", "list-orders has an output schema")
            check(go.annotations.readOnlyHint is True and go.outputSchema is None, "get-order: read-only, no output schema")
            check(raw.annotations.destructiveHint is True, "raw-api-request is destructive")
            check(tools["update-stock"].annotations.idempotentHint is True, "update-stock is idempotent")

            # call_tool validates structuredContent against the outputSchema.
            result = await session.call_tool("list-orders", {"per_page": 3})
            check(not result.isError, f"list-orders failed: {result.content}")
            page = result.structuredContent
            check(isinstance(page, dict) and len(page["items"]) == 3, f"structuredContent {page}")
            check(json.loads(result.content[0].text) == page, "the text and structuredContent differ")

            bad = await session.call_tool("get-order", {"id": "seven"})
            check(bad.isError is True and "id" in bad.content[0].text, f"a bad argument: {bad.content}")

            print(json.dumps({"tools": len(tools), "listed": len(page["items"]), "total": page["total"]}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
