"""The MAX Bot API as ../shared/spec/max describes it, checked by openapi-core.

Every request the bot makes is validated by openapi-core (`check_request`): the path and
method, the query and path parameters, and the JSON body against the schema, lengths
included. `MaxRequest` adapts an aiohttp request to openapi-core's Request protocol. What the
fake itself sends (updates, answers) is checked against the same schemas with
openapi-schema-validator, the validator openapi-core is built on (`self_check`).

The shipped file is read as it is, then amended in memory — every amendment is in `amend`,
with its reason; nothing is copied into the project:

1. `readOnly: false` is dropped. It is OpenAPI's default, but openapi-schema-validator 0.6
   treats the bare keyword as read-only and refuses every write of such a field (`notify`).
2. Discriminator mappings written as {"$ref": …} objects become the plain strings OpenAPI
   requires, and each polymorphic base (AttachmentRequest, Attachment, Button, Update, …) is
   dispatched by its discriminator wherever it is referenced, so a callback button's payload
   is checked against CallbackButton (maxLength 1024), not only against Button.
3. NewMessageBody requires none of text, attachments, link: the spec marks all three
   required-but-nullable, yet MAX's own examples, maxapi and every client send only what they
   set (a text without `link`).
4. MessageBody does not require `link`: it is no property of MessageBody (it is Message's).
5. ChatType lists "dialog" and "channel" besides "chat": Chat.type's own description names
   all three, and a dialog is what a person's chat with the bot is.
6. /chats/{chatId} is listed before /chats/{chatLink}: MAX tells them apart by the segment
   (digits or a link name), which path templates cannot say, and openapi-core takes the first
   template that fits; the bot addresses chats by id.
7. Security: the spec's `access_token` query parameter, or the `Authorization` header that
   maxapi and MAX's current documentation use; the header is moved into the query before
   openapi-core checks security, and the token's value is checked by the fake.

The spec document itself is not validated on load (GET /chats has no `responses`, which
openapi-spec-validator rejects); only requests and the fake's own answers are.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiohttp import web
from jsonschema.exceptions import ValidationError
from multidict import MultiDict
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

from tests.support.shared import shared_path

SPEC_PARTS = ("spec", "max", "max-bot-api.json")
SERVER_URL = "https://platform-api2.max.ru"  # the spec's server; requests are matched against it
SCHEMAS = "#/components/schemas/"


# Loading and amending ----------------------------------------------------------------------


def amend(document: dict[str, Any]) -> dict[str, Any]:
    """The spec with the amendments listed in the module docstring (a deep copy)."""
    spec = copy.deepcopy(document)
    schemas: dict[str, Any] = spec["components"]["schemas"]
    _drop_read_only_false(spec)  # 1
    _dispatch_by_discriminator(spec, schemas)  # 2
    schemas["NewMessageBody"].pop("required", None)  # 3
    body_required = schemas["MessageBody"]["required"]  # 4
    schemas["MessageBody"]["required"] = [name for name in body_required if name != "link"]
    schemas["ChatType"]["enum"] = ["dialog", "chat", "channel"]  # 5
    paths = spec["paths"]  # 6
    by_id = paths.pop("/chats/{chatId}")
    spec["paths"] = {"/chats/{chatId}": by_id, **paths}
    return spec


def _drop_read_only_false(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("readOnly") is False:
            del node["readOnly"]
        for value in node.values():
            _drop_read_only_false(value)
    elif isinstance(node, list):
        for value in node:
            _drop_read_only_false(value)


def _dispatch_by_discriminator(spec: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Amendment 2: a `<Base>ByType` schema (oneOf its mapped subtypes, with the discriminator)
    replaces every reference to a polymorphic base, except the subtypes' own allOf entries."""
    bases: dict[str, set[str]] = {}
    for name, schema in list(schemas.items()):
        discriminator = schema.get("discriminator")
        if not discriminator or "mapping" not in discriminator or "oneOf" in schema:
            continue
        mapping = {
            key: value["$ref"] if isinstance(value, dict) else value
            for key, value in discriminator["mapping"].items()
        }
        discriminator["mapping"] = mapping
        bases[name] = {ref.removeprefix(SCHEMAS) for ref in mapping.values()}
        schemas[f"{name}ByType"] = {
            "oneOf": [{"$ref": ref} for ref in dict.fromkeys(mapping.values())],
            "discriminator": {"propertyName": discriminator["propertyName"], "mapping": mapping},
        }

    def rewrite(node: Any, owner: str | None, in_all_of: bool) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMAS):
                base = ref.removeprefix(SCHEMAS)
                own_parent = in_all_of and owner is not None and owner in bases.get(base, ())
                if base in bases and not own_parent:
                    node["$ref"] = f"{SCHEMAS}{base}ByType"
            for key, value in node.items():
                if key == "discriminator":
                    continue
                rewrite(value, owner, key == "allOf")
        elif isinstance(node, list):
            for value in node:
                rewrite(value, owner, in_all_of)

    for name, schema in schemas.items():
        if not name.endswith("ByType"):
            rewrite(schema, name, False)
    rewrite(spec["paths"], None, False)
    rewrite(spec["components"].get("responses", {}), None, False)


@dataclass
class MaxSpec:
    """The amended spec and openapi-core's view of it."""

    document: dict[str, Any]
    api: OpenAPI
    _validators: dict[str, OAS30ReadValidator] = field(default_factory=dict, repr=False)

    @property
    def schemas(self) -> dict[str, Any]:
        return self.document["components"]["schemas"]

    def self_check(self, schema: str, instance: Any) -> list[str]:
        """What is wrong with `instance` (something the fake sends) as the schema `schema`."""
        validator = self._validators.get(schema)
        if validator is None:
            root = {"$ref": f"{SCHEMAS}{schema}", "components": self.document["components"]}
            validator = OAS30ReadValidator(root, format_checker=oas30_format_checker)
            self._validators[schema] = validator
        return [_describe(error) for error in _leaves(validator.iter_errors(instance))]

    def answer_schema(self, operation: str) -> str | None:
        """The schema of the 200 answer of "METHOD /template", by the spec."""
        method, template = operation.split(" ", 1)
        answer = self.document["paths"][template][method.lower()]["responses"].get("200", {})
        ref = answer.get("$ref", "")
        if ref.startswith("#/components/responses/"):
            answer = self.document["components"]["responses"][ref.rsplit("/", 1)[1]]
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        name = schema.get("$ref", "")
        return name.removeprefix(SCHEMAS) if name.startswith(SCHEMAS) else None


def load_spec(path: str | Path | None = None) -> MaxSpec:
    """The spec from ../shared (or `path`), amended; cached per path."""
    return _load(str(path) if path is not None else str(shared_path(*SPEC_PARTS)))


@lru_cache(maxsize=4)
def _load(path: str) -> MaxSpec:
    document = amend(json.loads(Path(path).read_text(encoding="utf-8")))
    api = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
    return MaxSpec(document, api)


# Requests ----------------------------------------------------------------------------------


class MaxRequest:
    """An aiohttp request as openapi-core's Request protocol wants it (amendment 7: a token in
    the Authorization header is handed to the security check as the `access_token` query)."""

    def __init__(self, request: web.BaseRequest, body: bytes) -> None:
        query: MultiDict[str] = MultiDict(request.query)
        authorization = request.headers.get("Authorization")
        if authorization is not None and "access_token" not in query:
            query["access_token"] = authorization
        self.host_url = SERVER_URL
        self.path = request.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=query, header=request.headers, cookie=MultiDict(request.cookies)
        )
        self.content_type = request.headers.get("Content-Type", "").lower()
        self.body = body or None


@dataclass
class Checked:
    """A request as openapi-core understood it."""

    operation: str | None  # "POST /messages" (the spec's path template); None if unknown
    query: dict[str, Any]  # converted by the spec (integers, booleans, arrays, defaults)
    path: dict[str, Any]
    body: Any  # the JSON body as sent (decoded), None if none
    problems: list[str]
    status: int = 400  # what a problem is answered with: 400, or 404/405 for an unknown path


def check_request(spec: MaxSpec, request: web.BaseRequest, body: bytes) -> Checked:
    """Validate one request with openapi-core."""
    adapted = MaxRequest(request, body)
    decoded: Any = None
    problems: list[str] = []
    if body:
        try:
            decoded = json.loads(body)
        except ValueError as error:
            problems.append(f"the body is not JSON: {error}")
    try:
        found = APICallPathFinder(spec.api.spec).find(
            adapted.method, adapted.host_url + adapted.path
        )
    except PathNotFound:
        problems.append(f"{request.method} {request.path}: no such path in the MAX Bot API")
        return Checked(None, {}, {}, decoded, problems, status=404)
    except OperationNotFound:
        problems.append(f"{request.method} {request.path}: no such method for this path")
        return Checked(None, {}, {}, decoded, problems, status=405)
    operation = f"{request.method} {found.path_result.pattern}"
    result = spec.api.unmarshal_request(adapted)
    for error in result.errors:
        problems.extend(_explain(error))
    return Checked(
        operation=operation,
        query=dict(result.parameters.query),
        path=dict(result.parameters.path) or dict(found.path_result.variables),
        body=decoded,
        problems=problems,
    )


def _explain(error: BaseException) -> list[str]:
    """openapi-core's error as short lines (its own messages quote whole values)."""
    schema_errors = getattr(error, "schema_errors", None)
    if schema_errors:
        return [_describe(item) for item in _leaves(schema_errors)]
    cause = error.__cause__
    if cause is not None:
        return [f"{error}: {line}" for line in _explain(cause)]
    return [str(error)]


def _leaves(errors: Any) -> list[ValidationError]:
    """The most specific errors: a oneOf's failure is told by the branch the discriminator chose
    (jsonschema puts the branches' errors into `context`)."""
    found: list[ValidationError] = []
    for error in errors:
        if error.context:
            found.extend(_leaves(error.context))
        else:
            found.append(error)
    return found


def _describe(error: ValidationError) -> str:
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.path)
    where = where.lstrip(".") or "the body"
    keyword, limit, value = error.validator, error.validator_value, error.instance
    if keyword in ("maxLength", "minLength") and isinstance(value, str):
        bound = "at most" if keyword == "maxLength" else "at least"
        return f"{where}: {len(value)} characters, {bound} {limit} allowed ({keyword})"
    if keyword in ("maxItems", "minItems") and isinstance(value, list):
        bound = "at most" if keyword == "maxItems" else "at least"
        return f"{where}: {len(value)} items, {bound} {limit} allowed ({keyword})"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    return f"{where}: {message}"
