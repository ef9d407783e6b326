"""aiohttp web app: webhooks, the officials' dashboard and the health check."""
