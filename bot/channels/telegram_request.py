"""A python-telegram-bot `BaseRequest` on aiohttp, for both bots of the Telegram channel.

PTB's default transport (HTTPX) costs about as much CPU per request as the rest of a
broadcast send; aiohttp, already in the stack, is several times cheaper. PTB keeps doing
everything else (parameters, result objects, and mapping HTTP answers to `TelegramError`s
in `BaseRequest._request_wrapper`), so callers see exactly the same API and errors.

Requests without files go as a JSON body (the Bot API accepts JSON, and it is cheaper to
build than a form); requests with files as multipart/form-data.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

JSON_HEADERS = {"Content-Type": "application/json", "User-Agent": BaseRequest.USER_AGENT}
FORM_HEADERS = {"User-Agent": BaseRequest.USER_AGENT}


def _given(value: Any, default: float | None) -> float | None:
    """A timeout passed to `do_request`, or our default when PTB passed `DEFAULT_NONE`."""
    return default if value is BaseRequest.DEFAULT_NONE else value


class AiohttpRequest(BaseRequest):
    """Bot API requests over one `aiohttp.ClientSession` with a bounded connection pool.

    Timeouts mean what they mean for `HTTPXRequest`: `pool_timeout` waits for a free
    connection, `connect_timeout` for the TCP connection, `read_timeout` between bytes of the
    answer; `write_timeout` (`media_write_timeout` with files) bounds the whole request.
    """

    __slots__ = (
        "_connect_timeout", "_media_write_timeout", "_pool_size", "_pool_timeout", "_read_timeout",
        "_session", "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 32,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None  # made in initialize(), inside the loop

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None and request_data.contains_files else None
        total = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        read = _given(read_timeout, self._read_timeout)
        # `total` bounds sending; the answer may then take up to `read` more (e.g. a long poll).
        timeout = aiohttp.ClientTimeout(
            total=None if total is None or read is None else total + read,
            connect=_given(pool_timeout, self._pool_timeout),
            sock_connect=_given(connect_timeout, self._connect_timeout),
            sock_read=read,
        )
        kwargs: dict[str, Any]
        if files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():  # type: ignore[union-attr]
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            kwargs = {"data": form, "headers": FORM_HEADERS}
        elif request_data is not None and request_data.parameters:
            kwargs = {"data": request_data.json_payload, "headers": JSON_HEADERS}
        else:
            kwargs = {"headers": FORM_HEADERS}
        try:
            async with session.request(method, url, timeout=timeout, **kwargs) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut("Pool timeout or connect timeout: the request was not sent to Telegram") from exc
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
