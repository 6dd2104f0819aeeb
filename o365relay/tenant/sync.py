"""Run the async tenant clients from synchronous code (Pulumi dynamic providers, CLI commands)."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result.

    With no event loop in this thread (the provider host's worker threads, the CLI) it uses
    ``asyncio.run``; inside a running loop it runs on a fresh loop in a helper thread, since a
    loop cannot block on itself.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
