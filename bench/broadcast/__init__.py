"""The broadcast bench (issue 14): notices through the real Telegram transport to a local Bot API
that keeps Telegram's rates; see bench/broadcast/__main__.py."""
