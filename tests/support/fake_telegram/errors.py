"""How the fake refuses a call: Telegram's error answers, and the exception that carries one
from a method handler to the answer."""

from __future__ import annotations

from typing import Any

from aiohttp import web

FAILURE_DESCRIPTIONS = {
    400: "Bad Request: simulated failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
BAD_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class ApiError(Exception):
    """Refuse the call with Telegram's error `status` and `description`; `violation` also
    records it as the bot's mistake (a correct bot can meet the others in production)."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        violation: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.violation = violation
        self.parameters = parameters


def error_payload(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON body of Telegram's error answer."""
    payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return payload


def error_response(status: int, description: str) -> web.Response:
    """An error answered before any method runs (a wrong token, an unreadable body)."""
    return web.json_response(error_payload(status, description), status=status)
