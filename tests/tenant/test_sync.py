"""run_sync works from plain threads (provider host) and from inside a running loop."""

from __future__ import annotations

import asyncio
import threading

from o365relay.tenant import run_sync


async def where() -> str:
    await asyncio.sleep(0)
    return threading.current_thread().name


def test_run_sync_without_and_with_a_running_loop():
    assert run_sync(where()) == threading.current_thread().name

    async def inside() -> str:
        return run_sync(where())

    assert asyncio.run(inside()) != threading.current_thread().name  # ran on a helper thread's loop
