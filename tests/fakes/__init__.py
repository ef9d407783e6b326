"""Fakes at the network edge (Telegram Bot API, Zalo Bot API) for tests and benches."""
