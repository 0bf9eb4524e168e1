"""The MAX bot, on the official `maxapi` library used as the transport only: updates from a
webhook subscription (production) or long polling (development) in, the core's replies out.
`bot/max/run.py` is what the root runs."""
