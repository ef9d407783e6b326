"""What one outbox send means for its row: the stored message as a `Reply`, and the `Outcome` of a send
that the platform refused (with how long the channel's broadcasts should pause)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot import pushed_choices as pushed
from bot.channels.base import OutOfQuota, OutsideWindow, PermanentFailure, QuotaExceeded, RecipientBlocked, RetryLater
from bot.db.repositories import outbox as repo
from bot.messages import Button, Reply
from bot.outbox.outcomes import RETRY, Outcome

log = logging.getLogger(__name__)

MAX_PAUSE = 300.0  # seconds: a platform's flood-wait longer than this pauses the channel only this long


def reply_of(row: repo.Claimed) -> Reply:
    """The stored message as a channel-neutral reply (buttons are stored as rows of [label, payload]);
    its choices are numbered 21, 22… (bot/pushed_choices.py)."""
    rows = pushed.number_rows(
        (Button(str(b[0]), str(b[1])) for b in stored_row) for stored_row in (row.buttons or [])
    )
    return Reply(row.text, buttons=rows, image=row.image_path)


def delivered(row: repo.Claimed, reply: Reply) -> Outcome:
    """Delivered: its choices become the ones she can type by number (recorded with the sent mark)."""
    choices = pushed.stored(reply.buttons) if row.user_id is not None else None
    return Outcome(row.id, repo.SENT, user_id=row.user_id, pushed=choices)


def refused(row: repo.Claimed, exc: Exception, now: datetime, max_attempts: int) -> tuple[Outcome, float]:
    """The outcome of a send that raised `exc`, and the seconds the channel pauses (0: no pause).

    Called inside the `except` block, so an unexpected error is logged with its traceback."""
    if isinstance(exc, RecipientBlocked):
        log.info("outbox %s: recipient blocked (%s)", row.id, exc)
        return Outcome(row.id, repo.BLOCKED, user_id=row.user_id), 0.0
    if isinstance(exc, QuotaExceeded):  # the channel waits, not the row: no attempt is used up
        at = now + timedelta(seconds=exc.retry_after)
        return Outcome(row.id, RETRY, str(exc), retry_at=at, count_attempt=False), exc.retry_after
    if isinstance(exc, RetryLater):
        pause = min(exc.retry_after, MAX_PAUSE)
        if row.attempts + 1 >= max_attempts:
            return Outcome(row.id, repo.FAILED, f"gave up after {row.attempts + 1} attempts: {exc}"), pause
        return Outcome(row.id, RETRY, str(exc), retry_at=now + timedelta(seconds=exc.retry_after)), pause
    if isinstance(exc, OutsideWindow):  # Zalo OA's rules, not an error: never retried
        return Outcome(row.id, repo.OUT_OF_WINDOW, str(exc)), 0.0
    if isinstance(exc, OutOfQuota):
        return Outcome(row.id, repo.OUT_OF_QUOTA, str(exc)), 0.0
    if isinstance(exc, PermanentFailure):
        log.warning("outbox %s: permanent failure: %s", row.id, exc)
        return Outcome(row.id, repo.FAILED, str(exc)), 0.0
    log.exception("outbox %s: unexpected error", row.id)  # a bug in a Sender must not kill the loop
    return Outcome(row.id, repo.FAILED, f"unexpected: {exc!r}"), 0.0
