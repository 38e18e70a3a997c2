"""Every endpoint of the OpenAPI document, fuzzed by schemathesis with a trainer's and a
coordinator's real token: never a server error, and every answer as the document says."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.openapi import build_spec
from tests.server.protocol_client import Device

# Fuzzing is about the endpoints, not the database: SQLite only, to stay quick.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = sorted((method.upper(), path) for path, methods in build_spec()["paths"].items() for method in methods)
EXAMPLES = 8


@pytest.mark.parametrize("caller", ["trainer_a", "coord_a"])
def test_fuzzed_requests_get_documented_answers(app: Flask, phones: dict[str, Device], caller: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # identity: the WSGI transport hands the checks the body as sent, and gzip is tested elsewhere
    headers = {"Authorization": f"Bearer {phones[caller].token}", "Accept-Encoding": "identity"}
    failures = {}
    for method, path in OPERATIONS:
        operation = schema[path][method]
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def answered_as_documented(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            answered_as_documented()
        except (Exception, BaseExceptionGroup) as failure:  # every operation's failure is reported together
            failures[f"{method} {path}"] = str(failure)
    assert not failures, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())
