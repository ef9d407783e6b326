"""The reply journal: a turn's replies are written with its state change, sent by the channel, then
marked delivered; after a crash the undelivered ones are sent on start (docs/architecture.md)."""
