"""A control character in any text a user gives (every string field of every JSON body, nested ones
included, every query parameter, the path, CLI arguments) is refused with 422 naming the field,
and nothing is written. Driven by the app's own OpenAPI document, so a new route or field is
covered the day it is added."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.snapshot import row_counts
from tests.integration.users import sign_up

BAD = ["a\u0000b", "bell\u0007", "escape\u001b[31m", "lone \ud800 surrogate"]
Pointer = tuple[str | int, ...]


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _text_fields(schema: dict, spec: dict, path: Pointer = (), depth: int = 0) -> Iterator[Pointer]:
    """Every place a string can go in a body of this schema: fields, list items, mapping values."""
    schema = _resolve(schema, spec)
    if depth > 6:
        return
    for option in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from _text_fields(option, spec, path, depth + 1)
    kind = schema.get("type")
    if kind == "string" and schema.get("format") not in ("uuid", "date", "date-time", "binary") \
            and "contentMediaType" not in schema \
            and "enum" not in schema:  # a file is not text; a choice (role) refuses anything but its values
        yield path
    elif kind == "array":
        yield from _text_fields(schema.get("items", {}), spec, (*path, 0), depth + 1)
    elif kind == "object":
        for name, prop in schema.get("properties", {}).items():
            yield from _text_fields(prop, spec, (*path, name), depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            key = str(uuid.uuid4()) if schema.get("propertyNames", {}).get("format") == "uuid" else "utm_source"
            yield from _text_fields(extra, spec, (*path, key), depth + 1)


def _body_with(path: Pointer, value: str) -> object:
    body: object = value
    for part in reversed(path):
        body = [body] if isinstance(part, int) else {part: body}
    return body


def _body_operations(spec: dict) -> Iterator[tuple[str, str, str, dict]]:
    for route, operations in spec["paths"].items():
        for method, operation in operations.items():
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                yield method.upper(), route, media_type, content["schema"]


async def test_every_text_field_of_every_route_refuses_control_characters(base_url, container):
    ann = await sign_up(base_url, "Ann")
    spec = (await ann.client.get("/openapi.json")).json()
    before = await row_counts(container.engine())
    checked = 0
    for method, route, media_type, schema in _body_operations(spec):
        url = route.replace("{workspace_id}", ann.workspace_id)
        url = "/".join(str(uuid.uuid4()) if p.startswith("{") else p for p in url.split("/"))
        for path in _text_fields(schema, spec):
            field = ".".join(str(p) for p in path)
            bad = BAD[checked % len(BAD)]
            if media_type == "application/json":
                # json.dumps escapes a lone surrogate as \ud800, exactly as a hostile client would send it.
                r = await ann.client.request(method, url, content=json.dumps(_body_with(path, bad)),
                                             headers={"content-type": "application/json"})
            else:  # a form: the field alone, as multipart
                # A lone surrogate cannot travel in a form as text: its bytes are invalid UTF-8, which Starlette
                # decodes as Latin-1 (accepted today: a known gap, reported), so forms get a control character.
                bad = bad if "\ud800" not in bad else BAD[0]
                r = await ann.client.request(method, url, files={field: (None, bad.encode("utf-8", "surrogatepass"))})
            assert r.status_code == 422, (method, route, field, r.status_code, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            errors = {e["field"]: e["message"] for e in r.json()["errors"]}
            assert field in errors, (method, route, field, errors)
            if "\ud800" not in bad:  # pydantic itself refuses unpaired surrogates as "not a unicode string"
                assert "control character U+" in errors[field], (method, route, field, errors)
            checked += 1
    assert checked >= 60, f"only {checked} text fields found: is the OpenAPI walk broken?"
    assert await row_counts(container.engine()) == before


async def test_query_parameters_and_paths_refuse_control_characters(base_url, container):
    ann = await sign_up(base_url, "Ann")
    before = await row_counts(container.engine())
    r = await ann.get("/posts", params={"status": "scheduled\u0000"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    r = await ann.client.get("/api/oauth/callback", params={"state": "x", "code": "a\u0001b"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "code"
    r = await ann.client.get("/some%00where")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "path"
    assert (await ann.get("/posts", params={"status": "scheduled"})).status_code == 200
    assert await row_counts(container.engine()) == before


async def test_tab_newline_and_carriage_return_are_kept(base_url):
    ann = await sign_up(base_url, "Ann")
    channel = await ann.channel()
    post = await ann.draft([channel], text="line one\r\nline two\tand a tab")
    assert post["text"] == "line one\r\nline two\tand a tab"


def test_cli_arguments_refuse_control_characters(settings, tmp_path: Path):
    env = {**os.environ, "POSTWIZARD_DATABASE_URL": settings.database_url, "POSTWIZARD_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "entrypoints.cli.main", "post", "schedule", "-u", "ann@example.com",
                           "--channel", str(uuid.uuid4()), "--text", "bell\u0007", "--at", "2030-01-01T09:00"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--text" in done.stdout and "U+0007" in done.stdout


@pytest.mark.parametrize("text", BAD)
def test_the_rule_names_the_character(text):
    from domain.shared.text import find_unprintable

    assert find_unprintable({"a": ["fine", text]}) is not None
    assert find_unprintable({"a": ["fine\t\r\n"]}) is None
