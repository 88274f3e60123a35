"""Schemathesis against /openapi.json: no input the schema allows (or breaks) gives a 500,
and every response has a documented status, content type and shape.

A bounded run: at most 50 generated requests per endpoint, on the real server. (Schemathesis's
checks on which 4xx a request gets are left out: /api/extract answers 422 to text that fits
the schema but cannot be coded, such as NUL bytes, and 413 to an oversized body, on purpose.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="session")
def api_schema(server: str):
    return schemathesis.openapi.from_url(f"{server}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=50, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    case.call_and_validate(checks=CHECKS, timeout=60)
