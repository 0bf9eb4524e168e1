"""The Bot API spec (../shared/spec) and the conversion and check of call parameters against it.

Requests arrive as a form (every value a string), a JSON body or a query string; parameters are
converted by the types the spec declares (digits to Integer, "true"/"false" to Boolean, JSON
strings to objects and arrays, "attach://…" to the file part) and checked: required fields,
unknown fields, types (objects recursively against `spec["types"]`, unions by their members).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from tests.support.fake_http import Upload
from tests.support.shared import shared_path

SPEC_PARTS = ("spec", "telegram-bot-api.json")


def load_spec(path: str | Path | None = None) -> dict[str, Any]:
    """The Bot API spec: from `path`, or ../shared/spec (skips the test — fails under CI — if the
    shared folder is absent). Cached: do not mutate the result."""
    if path is None:
        path = shared_path(*SPEC_PARTS)
    return _read_spec(str(Path(path).resolve()))


@lru_cache(maxsize=4)
def _read_spec(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as file:
        spec = json.load(file)
    if not isinstance(spec, dict) or "methods" not in spec or "types" not in spec:
        raise ValueError(f"{path} is not a Bot API spec (no 'methods' and 'types')")
    return spec


_DISCRIMINATOR = re.compile(r"(?:must be|always)\s+[“\"*]?([a-z_]+)")
_INTEGER = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
_PRIMITIVE_RANK = {"Integer": 0, "Float": 1, "Boolean": 2, "InputFile": 3, "String": 9}


class Unknown(str):
    """A parameter or field the spec does not have: Telegram ignores it, so the request is
    served — but it is still a violation (a typo, or a field of a newer Bot API)."""


def fatal(problems: list[str]) -> list[str]:
    """The problems Telegram refuses a call for (all but Unknown ones)."""
    return [problem for problem in problems if not isinstance(problem, Unknown)]


def _rank(problems: list[str]) -> tuple[int, int]:
    return len(fatal(problems)), len(problems)


def _describe(types: list[str]) -> str:
    return " or ".join(types)


def short(value: Any) -> str:
    """A value as a message quotes it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class SpecValidator:
    """Converts request parameters by the spec's types and lists what does not fit."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.types: dict[str, Any] = spec["types"]
        self.methods: dict[str, Any] = spec["methods"]
        self._names = {name.lower(): name for name in self.methods}
        self._fields: dict[str, dict[str, Any]] = {}

    def method_name(self, name: str) -> str | None:
        """The spec's spelling of a method (Telegram ignores the case of method names)."""
        return self._names.get(name.lower())

    def fields(self, owner: str) -> dict[str, dict[str, Any]]:
        """The fields of a method or of a type, by name."""
        if owner not in self._fields:
            entry = self.methods.get(owner) or self.types.get(owner) or {}
            self._fields[owner] = {item["name"]: item for item in entry.get("fields", [])}
        return self._fields[owner]

    def returns(self, method: str) -> list[str]:
        return list(self.methods[method].get("returns", []))

    # Top level: strings from a form, or native JSON values ------------------------------

    def convert_params(
        self, method: str, raw: dict[str, Any], files: dict[str, Upload]
    ) -> tuple[dict[str, Any], list[str]]:
        fields = self.fields(method)
        raw = dict(raw)
        for name, upload in files.items():
            if name in fields and name not in raw:
                raw[name] = upload  # a file sent directly as the field, not via attach://
        used: set[str] = set()
        params: dict[str, Any] = {}
        problems: list[str] = []
        for name, value in raw.items():
            spec_field = fields.get(name)
            if spec_field is None:
                params[name] = value
                problems.append(Unknown(f"unknown parameter {name!r}"))
                continue
            if isinstance(value, Upload):
                used.add(value.name)
            converted, errors = self._convert(name, value, spec_field["types"], files, used)
            params[name] = converted
            problems.extend(errors)
        for name, spec_field in fields.items():
            if spec_field["required"] and name not in params:
                problems.append(f"{name} is required")
        for name, upload in files.items():
            if name not in used:
                problems.append(
                    f"file part {name!r} ({upload.filename}) is not referenced by any parameter"
                )
        return params, problems

    def _convert(
        self, name: str, value: Any, types: list[str], files: dict[str, Upload], used: set[str]
    ) -> tuple[Any, list[str]]:
        if isinstance(value, Upload):
            if "InputFile" in types:
                return value, []
            return value, [f"{name} is a file upload, but must be {_describe(types)}"]
        if isinstance(value, str):
            return self._from_string(name, value, types, files, used)
        return value, self.check_value(value, types, name, files, used)

    def _from_string(
        self, name: str, text: str, types: list[str], files: dict[str, Upload], used: set[str]
    ) -> tuple[Any, list[str]]:
        structured_errors: list[list[str]] = []
        for kind in sorted(types, key=lambda item: _PRIMITIVE_RANK.get(item, 5)):
            if kind == "Integer":
                if _INTEGER.fullmatch(text.strip()):
                    return int(text), []
            elif kind == "Float":
                with contextlib.suppress(ValueError):
                    number = float(text)
                    if math.isfinite(number):
                        return number, []
            elif kind == "Boolean":
                if text.strip().lower() in _TRUE | _FALSE:
                    return text.strip().lower() in _TRUE, []
            elif kind == "InputFile":
                if text.startswith("attach://"):
                    key = text.removeprefix("attach://")
                    if key in files:
                        used.add(key)
                        return files[key], []
                    return text, [f'{name} refers to "{text}", but no file part {key!r} was sent']
                if "String" in types:
                    continue
                return text, [f"{name} must be a file upload (multipart/form-data)"]
            elif kind == "String":
                return text, []
            else:
                try:
                    decoded = json.loads(text)
                except ValueError:
                    structured_errors.append([f"can't parse {name} as JSON ({kind})"])
                    continue
                errors = self.check_value(decoded, [kind], name, files, used)
                if not fatal(errors):
                    return decoded, errors
                structured_errors.append(errors)
        if structured_errors:
            return text, min(structured_errors, key=len)
        return text, [f"{name} must be {_describe(types)}, got {short(text)}"]

    # Nested values: JSON, strictly typed ------------------------------------------------

    def check_value(
        self,
        value: Any,
        types: list[str],
        path: str,
        files: dict[str, Upload] | None = None,
        used: set[str] | None = None,
    ) -> list[str]:
        """Problems of a JSON value against any of `types` (empty when it fits one)."""
        files = {} if files is None else files
        used = set() if used is None else used
        best: list[str] | None = None
        for kind in types:
            errors = self._check_type(value, kind, path, files, used)
            if not errors:
                return []
            if best is None or _rank(errors) < _rank(best):
                best = errors
        return best or [f"{path} has no declared type"]

    def _check_type(
        self, value: Any, kind: str, path: str, files: dict[str, Upload], used: set[str]
    ) -> list[str]:
        if kind.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path} must be an array ({kind}), got {short(value)}"]
            inner = kind.removeprefix("Array of ")
            errors: list[str] = []
            for index, item in enumerate(value):
                errors.extend(self._check_type(item, inner, f"{path}[{index}]", files, used))
            return errors
        if kind == "Integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif kind == "Boolean":
            ok = isinstance(value, bool)
        elif kind in ("String", "InputFile"):
            if not isinstance(value, str):
                return [f"{path} must be {kind}, got {short(value)}"]
            if value.startswith("attach://"):
                key = value.removeprefix("attach://")
                if key not in files:
                    return [f'{path} refers to "{value}", but no file part {key!r} was sent']
                used.add(key)
            return []
        else:
            return self._check_object(value, kind, path, files, used)
        return [] if ok else [f"{path} must be {kind}, got {short(value)}"]

    def _check_object(
        self, value: Any, kind: str, path: str, files: dict[str, Upload], used: set[str]
    ) -> list[str]:
        entry = self.types.get(kind)
        if entry is None:
            return [f"{path}: the spec has no type {kind!r}"]
        if entry.get("subtypes"):
            return self._check_union(value, kind, entry["subtypes"], path, files, used)
        if not isinstance(value, dict):
            return [f"{path} must be a JSON object ({kind}), got {short(value)}"]
        fields = self.fields(kind)
        errors: list[str] = []
        for key, item in value.items():
            spec_field = fields.get(key)
            if spec_field is None:
                errors.append(Unknown(f"{path}.{key} is not a field of {kind}"))
                continue
            errors.extend(self.check_value(item, spec_field["types"], f"{path}.{key}", files, used))
        for key, spec_field in fields.items():
            if spec_field["required"] and key not in value:
                errors.append(f"{path}.{key} is required in {kind}")
        tag = self._discriminator(kind)
        if tag is not None and value.get(tag[0]) not in (None, tag[1]):
            errors.append(f"{path}.{tag[0]} must be {tag[1]!r} in {kind}")
        return errors

    def _check_union(
        self,
        value: Any,
        kind: str,
        subtypes: list[str],
        path: str,
        files: dict[str, Upload],
        used: set[str],
    ) -> list[str]:
        candidates = subtypes
        if isinstance(value, dict):
            tagged = [
                (name, tag)
                for name in subtypes
                if (tag := self._discriminator(name)) is not None and tag[0] in value
            ]
            if tagged:
                candidates = [name for name, tag in tagged if value[tag[0]] == tag[1]]
                if not candidates:
                    field_name = tagged[0][1][0]
                    allowed = sorted({tag[1] for _, tag in tagged})
                    return [
                        f"{path}.{field_name} {short(value[field_name])} is not one of "
                        f"{', '.join(allowed)} ({kind})"
                    ]
        return self.check_value(value, candidates, path, files, used)

    def placeholder(self, kind: str, depth: int = 0) -> Any:
        """A minimal value of a type: its required fields only, filled with zeros, empty
        strings and the tags unions need (for results the fake has nothing better for)."""
        primitives = {"Integer": 0, "Float": 0.0, "Boolean": False, "String": "", "True": True}
        if kind in primitives:
            return primitives[kind]
        if kind.startswith("Array of") or depth > 6:
            return []
        entry = self.types.get(kind, {})
        if entry.get("subtypes"):
            return self.placeholder(entry["subtypes"][0], depth + 1)
        value = {
            name: self.placeholder(spec_field["types"][0], depth + 1)
            for name, spec_field in self.fields(kind).items()
            if spec_field["required"]
        }
        tag = self._discriminator(kind)
        if tag is not None:
            value[tag[0]] = tag[1]
        return value

    def _discriminator(self, kind: str) -> tuple[str, str] | None:
        for name in ("type", "status", "source"):
            spec_field = self.fields(kind).get(name)
            if spec_field is not None:
                match = _DISCRIMINATOR.search(spec_field.get("description", ""))
                return (name, match.group(1)) if match else None
        return None
