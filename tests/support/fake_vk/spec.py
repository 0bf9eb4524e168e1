"""The VK API 5.199 as ../shared/spec/vk describes it, and the check of each call against it.

The shipped schema holds the messages.* methods and the objects they use. A call arrives as a
form: every value a string. It is converted by the parameter's declared type (integer, number,
boolean as 0/1, string, array as a comma-separated list, a string holding a JSON object where
the parameter refers to an object definition) and checked against maxLength, minimum, maximum,
enum, maxItems and required, the way VK checks it before executing anything.

The few other methods the bot needs (long poll, uploads, users, the group) are not in the shipped
schema; they are described by hand in OUTSIDE_SPEC, from VK's documentation, and marked so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tests.support.shared import shared_path

API_VERSION = "5.199"
SPEC_FILES = (
    "messages.methods.json",
    "messages.objects.json",
    "callback.objects.json",
    "base.objects.json",
    "errors.json",
)
# Sent with every call, not declared per method.
GLOBAL_PARAMETERS = frozenset({"access_token", "v", "lang", "test_mode"})

# Error codes (descriptions come from errors.json).
UNKNOWN_METHOD = 3
AUTH_FAILED = 5
TOO_MANY_REQUESTS = 6
INVALID_REQUEST = 8
GROUP_AUTH_FAILED = 27
BAD_PARAMETER = 100
NOT_FOUND = 104
DENY_SEND = 901
KEYBOARD_INVALID = 911
MESSAGE_TOO_LONG = 914

_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class Problem:
    """What is wrong with a call, and the error code VK answers it with."""

    text: str
    code: int = BAD_PARAMETER


# Converts one parameter's text and lists its problems (a keyboard, an answer to a press).
Checker = Callable[[str], tuple[Any, list[Problem]]]


@dataclass(frozen=True)
class Method:
    name: str
    parameters: dict[str, dict[str, Any]]
    token_types: frozenset[str]
    in_shipped_spec: bool


# Outside the shipped spec ------------------------------------------------------------------
# Described by hand from VK's documentation (dev.vk.com/method/…), parameter names and types
# as VK declares them; only what a community bot may call with a group token.

_INT64 = {"type": "integer", "format": "int64"}
OUTSIDE_SPEC: dict[str, list[dict[str, Any]]] = {
    "groups.getLongPollServer": [
        {"name": "group_id", **_INT64, "required": True, "minimum": 1},
    ],
    "groups.getById": [
        {"name": "group_ids", "type": "array", "items": {"type": "string"}, "maxItems": 500},
        {"name": "group_id", "type": "string"},
        {"name": "fields", "type": "array", "items": {"type": "string"}},
    ],
    "users.get": [
        {"name": "user_ids", "type": "array", "items": {"type": "string"}, "maxItems": 1000},
        {"name": "fields", "type": "array", "items": {"type": "string"}},
        {
            "name": "name_case",
            "type": "string",
            "enum": ["nom", "gen", "dat", "acc", "ins", "abl"],
        },
    ],
    "photos.getMessagesUploadServer": [
        {"name": "peer_id", **_INT64},
    ],
    "photos.saveMessagesPhoto": [
        {"name": "photo", "type": "string", "required": True},
        {"name": "server", "type": "integer"},
        {"name": "hash", "type": "string"},
    ],
    "docs.getMessagesUploadServer": [
        {"name": "type", "type": "string", "enum": ["doc", "audio_message", "graffiti"]},
        {"name": "peer_id", **_INT64},
    ],
    "docs.save": [
        {"name": "file", "type": "string", "required": True},
        {"name": "title", "type": "string"},
        {"name": "tags", "type": "string"},
        {"name": "return_tags", "type": "boolean"},
    ],
}


# Loading ---------------------------------------------------------------------------------


def spec_folder(path: str | Path | None = None) -> Path:
    """`path`, or ../shared/spec/vk (skips the test — fails under CI — if it is absent)."""
    return Path(path) if path is not None else shared_path("spec", "vk")


def load_spec(path: str | Path | None = None) -> VkSpec:
    """The VK spec from a folder holding SPEC_FILES. Cached: do not mutate the result."""
    return _read_spec(str(spec_folder(path).resolve()))


@lru_cache(maxsize=4)
def _read_spec(folder: str) -> VkSpec:
    documents = {}
    for name in SPEC_FILES:
        with open(Path(folder) / name, encoding="utf-8") as file:
            documents[name] = json.load(file)
    return VkSpec(documents)


def _definition_name(ref: str) -> str:
    """ "../messages/objects.json#/definitions/messages_keyboard" → "messages_keyboard"."""
    return ref.rsplit("/", 1)[-1]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class VkSpec:
    """Methods by name, object definitions by name, error descriptions by code."""

    documents: dict[str, dict[str, Any]]
    version: str = ""
    methods: dict[str, Method] = field(default_factory=dict)
    definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        shipped = self.documents["messages.methods.json"]
        self.version = shipped.get("version", "")
        for entry in shipped["methods"]:
            self.methods[entry["name"]] = Method(
                entry["name"],
                {item["name"]: item for item in entry.get("parameters", [])},
                frozenset(entry.get("access_token_type", [])),
                in_shipped_spec=True,
            )
        for name, parameters in OUTSIDE_SPEC.items():
            self.methods[name] = Method(
                name,
                {item["name"]: item for item in parameters},
                frozenset({"group"}),
                in_shipped_spec=False,
            )
        for document in self.documents.values():
            self.definitions.update(document.get("definitions", {}))
        for entry in self.documents["errors.json"]["errors"].values():
            self.errors.setdefault(entry["code"], entry["description"])

    def error_message(self, code: int, detail: str | None = None) -> str:
        """VK's error_msg: the description, and after a colon what exactly was wrong."""
        description = self.errors.get(code, f"Error {code}")
        return f"{description}: {detail}" if detail else description

    # Calls -----------------------------------------------------------------------------

    def convert(
        self, method: Method, raw: dict[str, str], checkers: Mapping[str, Checker] | None = None
    ) -> tuple[dict[str, Any], list[Problem]]:
        """The call's parameters converted by their declared types, and what does not fit.
        A parameter named in `checkers` (a keyboard, an answer to a press) is converted and
        checked by its checker instead, which knows VK's own limits and error codes."""
        checkers = checkers or {}
        params: dict[str, Any] = {}
        problems: list[Problem] = []
        for name, text in raw.items():
            if name in GLOBAL_PARAMETERS:
                continue
            declared = method.parameters.get(name)
            if declared is None:
                params[name] = text
                problems.append(Problem(f"unknown parameter {name!r} for {method.name}"))
                continue
            checker = checkers.get(name)
            value, errors = checker(text) if checker else self._parameter(declared, text)
            params[name] = value
            problems.extend(errors)
        for name, declared in method.parameters.items():
            if declared.get("required") and name not in raw:
                problems.append(Problem(f"{name} is a required parameter"))
        return params, problems

    def _parameter(self, declared: dict[str, Any], text: str) -> tuple[Any, list[Problem]]:
        name = declared["name"]
        schema = self._resolve(declared)
        if schema.get("type") == "object":
            try:
                decoded = json.loads(text)
            except ValueError:
                return text, [Problem(f"{name} is not valid JSON: {_short(text)}")]
            problems = self.check_json(decoded, schema, name)
            return decoded, [Problem(problem) for problem in problems]
        kind = declared.get("type", schema.get("type", "string"))
        if kind == "array":
            items = [] if text == "" else text.split(",")
            item_schema = self._resolve(declared.get("items", {}))
            values, problems = [], []
            for index, item in enumerate(items):
                value, errors = self._scalar(f"{name}[{index}]", item.strip(), item_schema)
                values.append(value)
                problems.extend(errors)
            if "maxItems" in declared and len(items) > declared["maxItems"]:
                problems.append(
                    Problem(f"{name} has {len(items)} items (at most {declared['maxItems']})")
                )
            if "minItems" in declared and len(items) < declared["minItems"]:
                problems.append(
                    Problem(f"{name} has {len(items)} items (at least {declared['minItems']})")
                )
            return values, problems
        return self._scalar(name, text, {**schema, **declared, "type": kind})

    def _scalar(self, name: str, text: str, schema: dict[str, Any]) -> tuple[Any, list[Problem]]:
        kind = schema.get("type", "string")
        value: Any = text
        if kind == "integer":
            if not _INTEGER.fullmatch(text):
                return text, [Problem(f"{name} not integer: {_short(text)}")]
            value = int(text)
        elif kind == "number":
            if not _NUMBER.fullmatch(text):
                return text, [Problem(f"{name} not a number: {_short(text)}")]
            value = float(text)
        elif kind == "boolean":
            if text not in ("0", "1"):
                return text, [Problem(f"{name} must be 0 or 1, got {_short(text)}")]
            value = text == "1"
        problems = []
        if "enum" in schema and value not in schema["enum"]:
            problems.append(Problem(f"{name} {_short(value)} is not one of {schema['enum']}"))
        if kind in ("integer", "number"):
            if "minimum" in schema and value < schema["minimum"]:
                problems.append(Problem(f"{name} {value} is less than {schema['minimum']}"))
            if "maximum" in schema and value > schema["maximum"]:
                problems.append(Problem(f"{name} {value} is more than {schema['maximum']}"))
        if kind == "string" and "maxLength" in schema and len(text) > schema["maxLength"]:
            code = MESSAGE_TOO_LONG if name == "message" else BAD_PARAMETER
            problems.append(
                Problem(f"{name} is {len(text)} characters (at most {schema['maxLength']})", code)
            )
        return value, problems

    # JSON values against object definitions --------------------------------------------

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A schema with its $ref followed (an unknown reference: no constraints)."""
        seen = 0
        while "$ref" in schema and seen < 10:
            target = self.definitions.get(_definition_name(schema["$ref"]), {})
            extra = {key: value for key, value in schema.items() if key != "$ref"}
            schema = {**target, **{k: v for k, v in extra.items() if k not in target}}
            seen += 1
        return schema

    def check_json(self, value: Any, schema: dict[str, Any] | str, path: str) -> list[str]:
        """Problems of a decoded JSON value against a schema or a definition's name."""
        if isinstance(schema, str):
            schema = {"$ref": schema}
        schema = self._resolve(schema)
        if "oneOf" in schema:
            return self._check_one_of(value, schema, path)
        properties = self._properties(schema)
        kind = schema.get("type", "object" if properties else None)
        if kind is None:
            return []
        if kind == "object":
            if not isinstance(value, dict):
                return [f"{path} must be a JSON object, got {_short(value)}"]
            return self._check_properties(value, properties, path)
        if kind == "array":
            if not isinstance(value, list):
                return [f"{path} must be a JSON array, got {_short(value)}"]
            problems = []
            for index, item in enumerate(value):
                problems += self.check_json(item, schema.get("items", {}), f"{path}[{index}]")
            return problems
        if not _json_type_fits(value, kind):
            return [f"{path} must be {kind}, got {_short(value)}"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{path} {_short(value)} is not one of {schema['enum']}"]
        if kind == "string" and "maxLength" in schema and len(value) > schema["maxLength"]:
            return [f"{path} is {len(value)} characters (at most {schema['maxLength']})"]
        return []

    def _properties(self, schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
        properties = dict(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            properties.update(self._properties(self._resolve(part)))
        return properties

    def _check_properties(
        self, value: dict[str, Any], properties: dict[str, dict[str, Any]], path: str
    ) -> list[str]:
        problems = []
        for key, item in value.items():
            if key not in properties:
                problems.append(f"{path}.{key} is not a known field")
                continue
            problems += self.check_json(item, properties[key], f"{path}.{key}")
        for key, declared in properties.items():
            if declared.get("required") and key not in value:
                problems.append(f"{path}.{key} is required")
        return problems

    def _check_one_of(self, value: Any, schema: dict[str, Any], path: str) -> list[str]:
        discriminator = schema.get("discriminator", {})
        tag = discriminator.get("propertyName")
        if tag and isinstance(value, dict):
            mapping = discriminator.get("mapping", {})
            if value.get(tag) not in mapping:
                return [f"{path}.{tag} {_short(value.get(tag))} is not one of {sorted(mapping)}"]
            return self.check_json(value, {"$ref": mapping[value[tag]]}, path)
        best: list[str] | None = None
        for option in schema["oneOf"]:
            problems = self.check_json(value, option, path)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or []


def _json_type_fits(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    return True


class VkError(Exception):
    """A call answered with VK's error body; `violation` when the call was the bot's bug."""

    def __init__(self, code: int, detail: str | None = None, *, violation: str | None = None):
        super().__init__(f"[{code}] {detail or ''}")
        self.code = code
        self.detail = detail
        self.violation = violation
