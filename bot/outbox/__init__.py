"""Outbox: every broadcast or reminder is written as one row per recipient, then sent by a
rate-limited sender (`bot.outbox.sender.OutboxSender`). Enqueue with `bot.services.outbox`."""
