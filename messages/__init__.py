"""The shared edge: what the bot says and how it travels, for the conversations (`handlers/`)
and the scheduled jobs (`jobs/`) alike.

The neutral incoming and outgoing types and the outgoing port (`types`), the Russian text
catalogue (`texts`) with its plural, date and name formatting (`i18n`), the wording of notices
queued in the outbox (`notices`, `staff_notices`, `quiet`), and log redaction (`safe_log`).
"""
