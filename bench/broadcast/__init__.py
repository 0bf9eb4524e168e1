"""The broadcast bench (issue 14): notices through the real Telegram transport to a local Bot API
that keeps Telegram's rates — in one process, killed halfway, or two processes on PostgreSQL —
and one broadcast through the real VK or MAX transport; see bench/broadcast/README.md."""
