#!/usr/bin/env python3
"""openapi — writes docs/openapi.yaml from what the gateway really serves.

The paths come from the gateway's route tables (`lumbung-gateway --routes`), the request and
response schemas from the protobuf descriptors of the services' operations, rendered with the
JSON conventions of services/gateway/json_pb.h (money and rates as decimal strings without the
`_sen`/`_bp` suffix, `*_at_ms` as RFC 3339 timestamps, dates, 64-bit integers as strings, enums
by lower-case name). The gateway's own endpoints (auth, users, audit, health) are described
here by hand, next to the code that mirrors handlers.c.

    LUMBUNG_BUILD=build python3 tools/openapi.py > docs/openapi.yaml
    LUMBUNG_BUILD=build python3 tools/openapi.py --check docs/openapi.yaml   # exit 1 if stale

tests/system/test_gateway_openapi.py fails when the route tables and the committed spec
disagree, so a new route without documentation is caught by `make test`.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("LUMBUNG_BUILD", "build"))
sys.path.insert(0, os.path.join(BUILD, "py"))

import envelope_pb2  # noqa: E402
from google.protobuf.descriptor import FieldDescriptor as FD  # noqa: E402

MONEY = r"^-?[0-9]+(\.[0-9]{1,2})?$"
INT64_TYPES = {FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64}
UINT64_TYPES = {FD.TYPE_UINT64, FD.TYPE_FIXED64}
INT_TYPES = {FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32, FD.TYPE_UINT32, FD.TYPE_FIXED32}
VERBS = ("create_", "get_", "update_", "list_", "record_", "put_", "add_", "post_", "reverse_")
# The reply member of operations whose name does not say it (see the *Reply oneof comments).
REPLY_OF = {
    "members.import_members": "import_started",
    "members.exit_member": "member",
    "members.record_annual_meeting": "annual_meeting",
    "members.list_annual_meetings": "annual_meetings",
    "members.put_board": "board",
    "reporting.member_shu": "shu",
    "transactions.deposit": "savings",
    "transactions.withdraw": "savings",
}
ERRORS = {
    "400": "Malformed or invalid input; `field` names it",
    "401": "No, unknown, expired or revoked token",
    "403": "The role may not call this, or another cooperative was named",
    "404": "Unknown id",
    "409": "Conflict (duplicate, or Idempotency-Key reused with another body)",
    "413": "Body too large",
    "422": "A business rule says no",
    "503": "The service is unreachable",
    "504": "The service did not answer in time",
}


def snake_upper(name):
    out = []
    for i, c in enumerate(name):
        if i and c.isupper() and (name[i - 1].islower() or name[i - 1].isdigit() or
                                  (name[i - 1].isupper() and i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(c.upper())
    return "".join(out) + "_"


def json_name(f):
    n = f.name
    if f.type in INT64_TYPES:
        for suffix, cut in (("_sen", 4), ("_bp", 3), ("_at_ms", 3)):
            if n.endswith(suffix):
                return n[:-cut]
    return n


def is_date(f):
    """A date: a sint32 day number on the bus named as a date (json_pb.c), YYYY-MM-DD in JSON."""
    n = f.name
    return f.type == FD.TYPE_SINT32 and (
        n.endswith(("_date", "_on", "_from", "_to")) or n in ("as_of", "from", "to"))


class Schemas:
    def __init__(self):
        self.defs = {}

    def ref(self, desc):
        name = desc.name
        if name not in self.defs:
            self.defs[name] = None          # placeholder against recursion
            self.defs[name] = self.message(desc)
        return {"$ref": "#/components/schemas/" + name}

    def scalar(self, f):
        n, t = f.name, f.type
        if t == FD.TYPE_MESSAGE:
            return self.ref(f.message_type)
        if t == FD.TYPE_ENUM:
            prefix = snake_upper(f.enum_type.name)
            values = [v.name[len(prefix):].lower() if v.name.startswith(prefix) else v.name.lower()
                      for v in f.enum_type.values if v.number != 0]
            return {"type": "string", "enum": values}
        if t in INT64_TYPES and n.endswith("_sen"):
            return {"type": "string", "pattern": MONEY, "description": "rupiah, at most 2 decimals"}
        if t in INT64_TYPES and n.endswith("_bp"):
            return {"type": "string", "pattern": MONEY, "description": "percent per year"}
        if t in INT64_TYPES and n.endswith("_at_ms"):
            return {"type": "string", "format": "date-time"}
        if t in INT64_TYPES:
            return {"type": "string", "pattern": r"^-?[0-9]+$"}
        if t in UINT64_TYPES:
            return {"type": "string", "pattern": r"^[0-9]+$"}
        if is_date(f):
            return {"type": "string", "format": "date"}
        if t in INT_TYPES:
            return {"type": "integer"}
        if t == FD.TYPE_BOOL:
            return {"type": "boolean"}
        if t in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
            return {"type": "number"}
        if t == FD.TYPE_BYTES:
            return {"type": "string", "format": "byte"}
        return {"type": "string"}

    def message(self, desc):
        props = {}
        for f in desc.fields:
            s = self.scalar(f)
            props[json_name(f)] = {"type": "array", "items": s} if f.label == FD.LABEL_REPEATED else s
        return {"type": "object", "additionalProperties": False, "properties": props}


def service_descriptors(service):
    req = envelope_pb2.Request.DESCRIPTOR.fields_by_name[service].message_type
    rep = envelope_pb2.Reply.DESCRIPTOR.fields_by_name[service].message_type
    return req, rep


# Routes the gateway answers with two calls: first operation -> (service, operation, key of the
# first result in the answer). Mirrors follow_ups in services/gateway/routes.c.
FOLLOW_UPS = {"members.exit_member": ("transactions", "get_settlement", "member")}


def reply_member(route, reply_desc):
    key = route["service"] + "." + route["operation"]
    op = route["operation"]
    candidates = [REPLY_OF.get(key), op]
    candidates += [op[len(v):] for v in VERBS if op.startswith(v)]
    for c in candidates:
        if c and c in reply_desc.fields_by_name:
            return [reply_desc.fields_by_name[c]]
    return list(reply_desc.fields)


def path_params(route):
    return [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            for n in re.findall(r"{([^}]+)}", route["pattern"])]


def query_params(route, op_desc, schemas):
    if "query_fields" not in route["flags"] or op_desc is None:
        return []
    taken = {p["field"] for p in route["params"]}
    if "self" in route["flags"]:      # the member's own ids, filled from the session
        taken |= {"cooperative_id", "member_id"}
    out = []
    for f in op_desc.fields:
        if f.name in taken or f.type == FD.TYPE_MESSAGE or f.name == "body":
            continue
        schema = schemas.scalar(f)
        if f.label == FD.LABEL_REPEATED:
            schema = {"type": "array", "items": schema}
        if json_name(f) == "limit":
            schema = {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
        out.append({"name": json_name(f), "in": "query", "required": False, "schema": schema})
    return out


def error_responses(route):
    gateway = route["service"] == "gateway"
    codes = [] if gateway else ["400", "413", "503", "504"]
    if gateway and (route["method"] != "GET" or "query_fields" in route["flags"]):
        codes.append("400")
    if route["access"] != "public":
        codes += ["401", "403"]
    if route["service"] != "gateway":
        codes += ["404", "409", "422"]
    return {c: {"$ref": "#/components/responses/E" + c} for c in sorted(set(codes))}


# A request with a `format` field (lumbung.ReportFormat) may be answered with a file
# (lumbung.ReportFile, sent as is: docs/reporting.md "Formats"); these answer only with one.
FILE_TYPES = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/pdf"]
FILE_ONLY = {"reporting.rat_pack", "reporting.member_import_template"}
FILE_HEADERS = {
    "Content-Disposition": "attachment; filename=\"neraca-koperasi-3-2025-12-31.csv\"",
    "X-Lumbung-Report": "the report, e.g. balance_sheet",
    "X-Lumbung-Cooperative": "the cooperative's id (absent for district reports)",
    "X-Lumbung-Period": "2025-12-31 or 2025-01-01..2025-12-31",
    "X-Lumbung-As-Of-Seq": "the last transactions event the file reflects",
    "X-Lumbung-Members-Seq": "the last members event the file reflects",
}


def takes_format(op_desc):
    f = op_desc.fields_by_name.get("format")
    return f is not None and f.type == FD.TYPE_ENUM and f.enum_type.name == "ReportFormat"


def file_response(route, op_desc, schema):
    """The 200 answer of a report: its JSON unless it only makes files, and each file type."""
    content = {}
    if route["service"] + "." + route["operation"] not in FILE_ONLY:
        content["application/json"] = {"schema": schema}
    for t in FILE_TYPES:
        content[t] = {"schema": {"type": "string", "format": "binary"}}
    headers = {name: {"description": text, "schema": {"type": "string"}}
               for name, text in FILE_HEADERS.items()}
    return {"description": "the report; a file with format csv, xlsx or pdf", "content": content,
            "headers": headers}


def service_operation(route, schemas):
    req_desc, rep_desc = service_descriptors(route["service"])
    op_desc = req_desc.fields_by_name[route["operation"]].message_type
    op = {
        "operationId": route["service"] + "." + route["operation"],
        "summary": route["operation"].replace("_", " "),
        "tags": [route["service"]],
        "x-lumbung-access": route["access"],
        "x-lumbung-operation": route["service"] + "." + route["operation"],
    }
    if "member" in route["flags"]:
        op["x-lumbung-member"] = True   # a member may call it for their own records
    if "self" in route["flags"]:
        op["x-lumbung-self"] = True     # cooperative_id and member_id come from the session
    params = path_params(route) + query_params(route, op_desc, schemas)
    if route["method"] == "POST" or "idempotency_required" in route["flags"]:
        params.append({"name": "Idempotency-Key", "in": "header",
                       "required": "idempotency_required" in route["flags"],
                       "schema": {"type": "string", "maxLength": 64},
                       "description": "the same key with the same body returns the first "
                                      "response; with another body 409"})
    if params:
        op["parameters"] = params
    if route["method"] not in ("GET", "HEAD", "DELETE"):
        if "raw_body" in route["flags"]:
            op["requestBody"] = {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
        else:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": schemas.ref(op_desc)}}}
    members = reply_member(route, rep_desc)
    refs = [schemas.scalar(m) for m in members]
    schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
    follow = FOLLOW_UPS.get(route["service"] + "." + route["operation"])
    if follow:
        # The gateway answers with a second call's result and nests the first under its name
        # (services/gateway/routes.c, follow_ups).
        service, operation, key = follow
        _, rep2 = service_descriptors(service)
        second = reply_member({"service": service, "operation": operation}, rep2)
        schema = {"allOf": [schemas.scalar(second[0]),
                            {"type": "object", "properties": {key: schema}}]}
    ok = "201" if "created" in route["flags"] else "200"
    op["responses"] = {ok: {"description": "the result", "content": {"application/json": {"schema": schema}}}}
    if takes_format(op_desc):
        op["responses"][ok] = file_response(route, op_desc, schema)
    op["responses"].update(error_responses(route))
    return op


def s(t, **kw):
    d = {"type": t}
    d.update(kw)
    return d


GATEWAY_SCHEMAS = {
    "User": s("object", properties={
        "id": s("string"), "username": s("string"), "full_name": s("string"),
        "role": s("string", enum=["admin", "supervisor", "operator", "viewer", "member"]),
        "cooperative_id": s("string", description="operator, viewer and member only"),
        "member_id": s("string", description="member only: whose records the account reads"),
        "member_number": s("string", description="member only: the number the member logs in with"),
        "pin_set": s("boolean", description="member only: activated with a PIN"),
        "active": s("boolean"), "created_at": s("string", format="date-time"),
        "updated_at": s("string", format="date-time"),
        "locked_until": s("string", format="date-time", description="while locked after failed logins")}),
    "UserInput": s("object", additionalProperties=False, properties={
        "username": s("string", pattern=r"^[a-z][a-z0-9._-]{2,31}$"),
        "password": s("string", minLength=10), "full_name": s("string", maxLength=128),
        "role": s("string", enum=["admin", "supervisor", "operator", "viewer"]),
        "cooperative_id": s("string", description="required for operator and viewer, absent otherwise"),
        "active": s("boolean"),
        "unlock": s("boolean", description="PATCH only: clears a lock after failed logins")}),
    "UserList": s("object", properties={"items": s("array", items={"$ref": "#/components/schemas/User"}),
                                         "next_cursor": s("string")}),
    "Login": s("object", required=["username", "password"], additionalProperties=False,
               properties={"username": s("string"), "password": s("string"),
                           "session": s("boolean", description="true: a browser session - the token "
                                        "goes into an HttpOnly SameSite=Strict cookie and the answer "
                                        "carries csrf_token instead, to send as X-CSRF-Token on "
                                        "every state-changing call (docs/web.md)")}),
    "MemberAccess": s("object", properties={
        "code": s("string", description="the one-time code, shown only in this answer"),
        "code_expires_at": s("string", format="date-time"),
        "user": {"$ref": "#/components/schemas/User"}}),
    "MemberActivate": s("object", required=["cooperative_id", "member_number", "code", "pin"],
                        additionalProperties=False, properties={
        "cooperative_id": s("string"), "member_number": s("string"),
        "code": s("string", description="the one-time code an operator gave"),
        "pin": s("string", pattern=r"^[0-9]{6}$"), "session": s("boolean")}),
    "MemberLogin": s("object", required=["cooperative_id", "member_number", "pin"],
                     additionalProperties=False, properties={
        "cooperative_id": s("string"), "member_number": s("string"),
        "pin": s("string", pattern=r"^[0-9]{6}$"), "session": s("boolean")}),
    "PasswordChange": s("object", required=["current_password", "new_password"],
                        additionalProperties=False,
                        properties={"current_password": s("string"), "new_password": s("string")}),
    "Session": s("object", properties={"token": s("string", description="absent with session: true"),
                                        "csrf_token": s("string", description="only with session: true"),
                                        "expires_at": s("string", format="date-time"),
                                        "user": {"$ref": "#/components/schemas/User"}}),
    "AuditEntry": s("object", properties={
        "id": s("string"), "at": s("string", format="date-time"), "user": s("string"),
        "role": s("string"), "method": s("string"), "route": s("string"), "path": s("string"),
        "cooperative_id": s("string"), "target": s("string"), "status": s("integer"),
        "outcome": s("string", description='"ok", the error code, or "pending": a call to a service is recorded '
                                      'as it is sent (status 0) and gets its status and outcome with its '
                                      'answer; one still pending long after was not answered (the gateway '
                                      'stopped first), and its idempotency_key and bus_request_id find how '
                                      'it ended in the service\'s records'), "request_id": s("string"),
        "bus_request_id": s("string"), "idempotency_key": s("string")}),
    "AuditPage": s("object", properties={"items": s("array", items={"$ref": "#/components/schemas/AuditEntry"}),
                                          "next_cursor": s("string")}),
    "Ready": s("object", properties={"status": s("string", enum=["ready", "not_ready"]),
                                      "services": s("object", additionalProperties=s("string", enum=["up", "down"])),
                                      "down": s("array", items=s("string"))}),
    "Error": s("object", properties={"error": s("object", required=["code", "message"], properties={
        "code": s("string"), "message": s("string"), "field": s("string")})}),
}


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def json_response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PAGING = [{"name": "limit", "in": "query", "schema": s("integer", minimum=1, maximum=500, default=50)},
          {"name": "cursor", "in": "query", "schema": s("string")}]
GATEWAY_OPS = {
    "healthz": {"summary": "the process is up", "responses": {"200": json_response("up", s("object"))}},
    "readyz": {"summary": "every service answers a ping", "responses": {
        "200": json_response("ready", ref("Ready")), "503": json_response("names what is down", ref("Ready"))}},
    "metrics": {"summary": "Prometheus text format", "responses": {
        "200": {"description": "metrics", "content": {"text/plain": {"schema": s("string")}}}}},
    "login": {"summary": "log in", "requestBody": {"required": True, "content": {"application/json": {
        "schema": ref("Login")}}}, "responses": {
        "200": json_response("a bearer token", ref("Session")),
        "401": {"$ref": "#/components/responses/E401"},
        "429": json_response("account_locked after repeated failures (Retry-After)", ref("Error"))}},
    "logout": {"summary": "revoke this token", "responses": {"200": json_response("revoked", s("object"))}},
    "change_password": {"summary": "change one's own password; ends every session of the user",
                        "requestBody": {"required": True, "content": {"application/json": {
                            "schema": ref("PasswordChange")}}}, "responses": {
        "200": json_response("changed: log in again", s("object")),
        "422": json_response("wrong_password (field current_password)", ref("Error")),
        "429": json_response("account_locked after repeated failures (Retry-After)", ref("Error"))}},
    "public_directory": {"summary": "the district directory of the cooperatives that opted in "
                                    "(settings.public_profile): server-rendered HTML, no script",
                         "parameters": [
        {"name": "q", "in": "query", "schema": s("string"), "description": "name contains"},
        {"name": "district", "in": "query", "schema": s("string"), "description": "kecamatan, exact"},
        {"name": "type", "in": "query", "schema": s("string"), "description": "savings_loan, consumer, ..."}],
                         "responses": {"200": {"description": "the directory page",
                                               "content": {"text/html": {"schema": s("string")}}}}},
    "public_profile": {"summary": "a cooperative's public profile (HTML); 404 unless it opted in",
                       "responses": {"200": {"description": "the profile page",
                                             "content": {"text/html": {"schema": s("string")}}},
                                     "404": {"description": "no such cooperative, or not opted in",
                                             "content": {"text/html": {"schema": s("string")}}}}},
    "member_access": {"summary": "give a member access: a new one-time code (shown once, expiring); "
                               "resets the member's PIN and ends their sessions", "responses": {
        "201": json_response("the code", ref("MemberAccess")), "404": {"$ref": "#/components/responses/E404"}}},
    "member_activate": {"summary": "a member spends the one-time code, sets a 6-digit PIN and is logged in",
                        "requestBody": {"required": True, "content": {"application/json": {
                            "schema": ref("MemberActivate")}}}, "responses": {
        "200": json_response("a session of role member", ref("Session")),
        "401": {"$ref": "#/components/responses/E401"},
        "429": json_response("account_locked after repeated failures (Retry-After)", ref("Error"))}},
    "member_login": {"summary": "a member logs in with cooperative, member number and PIN",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": ref("MemberLogin")}}}, "responses": {
        "200": json_response("a session of role member", ref("Session")),
        "401": {"$ref": "#/components/responses/E401"},
        "429": json_response("account_locked after repeated failures (Retry-After)", ref("Error"))}},
    "me": {"summary": "the user of this token (with the session cookie, also csrf_token)", "responses": {"200": json_response("the user", ref("User"))}},
    "list_users": {"summary": "list users", "parameters": PAGING,
                   "responses": {"200": json_response("users", ref("UserList"))}},
    "create_user": {"summary": "create a user", "requestBody": {"required": True, "content": {
        "application/json": {"schema": ref("UserInput")}}}, "responses": {
        "201": json_response("the user", ref("User")), "409": {"$ref": "#/components/responses/E409"}}},
    "get_user": {"summary": "a user", "responses": {"200": json_response("the user", ref("User")),
                                                     "404": {"$ref": "#/components/responses/E404"}}},
    "update_user": {"summary": "change a user", "requestBody": {"required": True, "content": {
        "application/json": {"schema": ref("UserInput")}}}, "responses": {
        "200": json_response("the user", ref("User")), "404": {"$ref": "#/components/responses/E404"},
        "409": {"$ref": "#/components/responses/E409"},
        "422": {"$ref": "#/components/responses/E422"}}},
    "audit": {"summary": "who did what, newest first", "parameters": [
        {"name": "cooperative_id", "in": "query", "schema": s("string")},
        {"name": "user", "in": "query", "schema": s("string")},
        {"name": "from", "in": "query", "schema": s("string"), "description": "YYYY-MM-DD or RFC 3339"},
        {"name": "to", "in": "query", "schema": s("string"), "description": "YYYY-MM-DD (inclusive) or RFC 3339"},
    ] + PAGING, "responses": {"200": json_response("entries", ref("AuditPage"))}},
}


def gateway_operation(route):
    op = dict(GATEWAY_OPS[route["operation"]])
    op["operationId"] = "gateway." + route["operation"]
    op["tags"] = ["gateway"]
    op["x-lumbung-access"] = route["access"]
    op["x-lumbung-operation"] = "gateway." + route["operation"]
    if "member" in route["flags"]:
        op["x-lumbung-member"] = True
    params = path_params(route) + list(op.get("parameters", []))
    if params:
        op["parameters"] = params
    if route["access"] == "public":
        op["security"] = []
    responses = dict(op["responses"])
    for code, r in error_responses(route).items():
        responses.setdefault(code, r)
    op["responses"] = responses
    return op


def build(routes):
    schemas = Schemas()
    paths = {}
    for r in routes:
        op = gateway_operation(r) if r["service"] == "gateway" else service_operation(r, schemas)
        paths.setdefault(r["pattern"], {})[r["method"].lower()] = op
    components = dict(GATEWAY_SCHEMAS)
    components.update({k: v for k, v in sorted(schemas.defs.items())})
    return {
        "openapi": "3.0.3",
        "info": {"title": "Lumbung HTTP API", "version": "1",
                 "description": "Generated by tools/openapi.py from the gateway's route tables and "
                                "the protobuf contracts; see docs/design.md for the conventions and "
                                "docs/domain.md for the rules. Every "
                                "operation states who may call it in x-lumbung-access (public, "
                                "authenticated, coop_read, coop_write, supervise, admin, member); x-lumbung-member: "
                                "true marks the reads a member may call for their own records; "
                                "x-lumbung-self: true those under /api/v1/member/ whose cooperative "
                                "and member are the session's own (docs/members-self-service.md)."},
        "servers": [{"url": "http://127.0.0.1:8080"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {"E" + c: json_response(d, ref("Error")) for c, d in ERRORS.items()},
            "schemas": components,
        },
    }


def to_yaml(value, indent=0):
    """A small YAML writer (block style, every string quoted as JSON), so no YAML library is
    needed to produce the file; any YAML parser reads it."""
    pad = "  " * indent
    lines = []
    if isinstance(value, dict):
        if not value:
            return [pad + "{}"]
        for k, v in value.items():
            key = json.dumps(str(k)) if not re.match(r"^[A-Za-z_][A-Za-z0-9_.-]*$", str(k)) else str(k)
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{key}:")
                lines.extend(to_yaml(v, indent + 1))
            else:
                lines.append(f"{pad}{key}: {scalar(v)}")
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, (dict, list)) and v:
                sub = to_yaml(v, indent + 1)
                lines.append(f"{pad}- {sub[0].strip()}")
                lines.extend(sub[1:])
            else:
                lines.append(f"{pad}- {scalar(v)}")
    return lines


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    return json.dumps(v)


def routes_from_gateway():
    out = subprocess.run([os.path.join(BUILD, "bin", "lumbung-gateway"), "--routes"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def render():
    header = "# Generated by tools/openapi.py; do not edit by hand (edit the route tables,\n" \
             "# the protos or tools/openapi.py, then regenerate).\n"
    return header + "\n".join(to_yaml(build(routes_from_gateway()))) + "\n"


def main(argv):
    text = render()
    if len(argv) == 3 and argv[1] == "--check":
        with open(argv[2]) as f:
            if f.read() != text:
                print(f"{argv[2]} is stale: run LUMBUNG_BUILD=... python3 tools/openapi.py > {argv[2]}",
                      file=sys.stderr)
                return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
