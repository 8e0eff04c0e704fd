"""An MCP client (the official Python SDK, pinned in requirements.txt) drives `letspost mcp`
over stdio: lists the tools, checks a video, creates a post from a file and waits for it to
be published, reads it back, and meets a tool error. Prints one JSON object of what it saw.

usage: python mcp_round_trip.py LETSPOST_BIN ACCOUNT GOOD_VIDEO REFUSED_VIDEO CAPTION
(LETSPOST_URL and LETSPOST_KEY in the environment)
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def text_of(result):
    return "".join(getattr(c, "text", "") for c in result.content)


def data(result):
    """The tool's JSON answer, or {"tool_error": its sentence}."""
    if result.is_error:
        return {"tool_error": text_of(result)}
    return json.loads(text_of(result))


async def main(binary, account, good, refused, caption):
    params = StdioServerParameters(command=binary, args=["mcp"], env={k: os.environ[k] for k in ("LETSPOST_URL", "LETSPOST_KEY", "PATH") if k in os.environ})
    seen = {}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            seen["server"] = init.server_info.name
            tools = await session.list_tools()
            seen["tools"] = sorted(t.name for t in tools.tools)
            seen["schemas_described"] = all(t.description and t.input_schema.get("type") == "object" for t in tools.tools)
            accounts = await session.call_tool("list_accounts", {})
            seen["accounts"] = data(accounts)
            check = await session.call_tool("check_video", {"path": good})
            seen["check"] = data(check).get("verdict")
            made = await session.call_tool("create_post", {"path": good, "account": account, "caption": caption, "privacy": "public", "wait": True})
            seen["create_error"] = bool(made.is_error)
            post = data(made)
            seen["post"] = post
            if "id" in post:
                again = await session.call_tool("get_post", {"id": post["id"]})
                seen["get_post_state"] = data(again).get("state")
                listed = await session.call_tool("list_posts", {})
                seen["listed"] = any(p["id"] == post["id"] for p in data(listed))
            bad = await session.call_tool("create_post", {"path": refused, "account": account, "caption": caption + " refused"})
            seen["refused_is_error"] = bool(bad.is_error)
            seen["refused_says"] = text_of(bad)
            nobody = await session.call_tool("next_free_time", {"account": "@nobody-at-all"})
            seen["unknown_account_is_error"] = bool(nobody.is_error)
    print(json.dumps(seen))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
