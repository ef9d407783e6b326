"""The Zalo Bot long-poll loop (getUpdates has no offset and no ack).

Zalo replays consumed updates and, while its queue is non-empty, answers at once (measured about
12 requests/s), so each call starts at least `min_interval` seconds after the previous one; the
caller's `dispatch` drops updates it has seen. An empty poll (`ZaloPollTimeout`) is normal; a refused
token stops the loop; other failures back off from 1 s to 30 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from bot.channels.zalo_api import ZaloApi
from bot.channels.zalo_errors import ZaloApiError, ZaloPollTimeout, ZaloUnauthorized

log = logging.getLogger(__name__)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def poll_updates(
    api: ZaloApi, stop: asyncio.Event, dispatch: Callable[[Any], int], poll_timeout: int, min_interval: float
) -> None:
    """Long-poll getUpdates and hand each answer to `dispatch` until `stop` is set."""
    backoff = 1.0
    loop = asyncio.get_running_loop()
    last_start = -min_interval
    while not stop.is_set():
        if (gap := last_start + min_interval - loop.time()) > 0:
            await _pause(stop, gap)
            continue
        last_start = loop.time()
        poll = asyncio.create_task(api.get_updates(poll_timeout))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({poll, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if poll not in done:
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await poll
            return
        stopper.cancel()
        try:
            result = poll.result()
        except ZaloPollTimeout:
            backoff = 1.0
            continue
        except ZaloUnauthorized as exc:
            log.error("zalo: token refused (%s); polling stopped", exc)
            return
        except ZaloApiError as exc:
            log.warning("zalo: getUpdates failed (%s); retrying in %.0fs", exc, backoff)
            await _pause(stop, backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        backoff = 1.0
        dispatch(result)
