"""Telegram through aiogram 3: a transport only. Updates become the core's `Incoming` events;
each `Reply` becomes sendMessage / editMessageText / answerCallbackQuery / sendPhoto /
sendDocument. Nothing here decides anything about the library."""

from bot.telegram.transport import TelegramTransport

__all__ = ["TelegramTransport"]
