"""Small stdlib-only toolkit for the KAM HTTP end-to-end suite.

Transport (one TCP connection per request, `Connection: close`), a Client
with a cookie jar + CSRF header handling or a bearer token, a Checker that
counts checks and prints one line per failure, JSON subset matchers, the
Contract that validates every response against the served OpenAPI document,
and a Server wrapper that starts/stops `kam serve`.
"""

import calendar
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

UNSAFE = frozenset({"POST", "PATCH", "PUT", "DELETE"})
NOBODY = object()
MISSING = object()
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# error code <-> status table from docs/API.md
ERROR_CODES = {
    400: {"invalid"},
    401: {"unauthenticated"},
    403: {"forbidden"},
    404: {"not_found"},
    405: {"method_not_allowed"},
    409: {"conflict"},
    410: {"gone"},
    413: {"too_large"},
    415: {"unsupported_media_type"},
    429: {"rate_limited"},
    500: {"db_error", "internal"},
    503: {"db_error"},
}


def iso(t):
    """Unix seconds -> YYYY-MM-DDTHH:MM:SSZ."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def epoch(s):
    """YYYY-MM-DDTHH:MM:SSZ -> unix seconds (None if it is not such a string)."""
    if not is_time(s):
        return None
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def trunc(x, n=300):
    if x is None:
        return ""
    if isinstance(x, (bytes, bytearray)):
        try:
            x = bytes(x).decode("utf-8")
        except UnicodeDecodeError:
            x = repr(bytes(x[: n + 1]))
    s = str(x)
    s = "".join(ch if (ch >= " " and not "\x7f" <= ch <= "\x9f") else "\\u%04x" % ord(ch) for ch in s)
    return s if len(s) <= n else s[:n] + "...(+%d chars)" % (len(s) - n)


# ---------------------------------------------------------------- matchers

class _Any:
    def __repr__(self):
        return "ANY"


ANY = _Any()
ABSENT = object()


def is_time(v):
    return isinstance(v, str) and bool(TIME_RE.match(v))


def is_time_or_null(v):
    return v is None or is_time(v)


def is_str(v):
    return isinstance(v, str)


def is_nonempty_str(v):
    return isinstance(v, str) and len(v) > 0


def is_id(v):
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def _tname(v):
    return type(v).__name__ if v is not None else "null"


def match(exp, act, path="$"):
    """Return a list of mismatch descriptions (empty = match).

    dict: subset match (extra keys allowed, ABSENT means must not be there);
    list: same length, element-wise; type (e.g. int): isinstance;
    other callables: predicate; scalars: equality with strict bool/number types.
    """
    if exp is ANY:
        return []
    if isinstance(exp, type):
        ok = isinstance(act, exp) and not (exp is int and isinstance(act, bool))
        return [] if ok else ["%s: want %s, got %s %s" % (path, exp.__name__, _tname(act), trunc(repr(act), 60))]
    if callable(exp):
        try:
            ok = bool(exp(act))
        except Exception:
            ok = False
        return [] if ok else ["%s: %s fails %s" % (path, trunc(repr(act), 80), getattr(exp, "__name__", "predicate"))]
    if isinstance(exp, dict):
        if not isinstance(act, dict):
            return ["%s: want object, got %s %s" % (path, _tname(act), trunc(repr(act), 60))]
        out = []
        for k, v in exp.items():
            if v is ABSENT:
                if k in act:
                    out.append("%s.%s: should be absent, is %s" % (path, k, trunc(repr(act[k]), 60)))
                continue
            if k not in act:
                out.append("%s.%s: missing" % (path, k))
                continue
            out += match(v, act[k], "%s.%s" % (path, k))
        return out
    if isinstance(exp, (list, tuple)):
        if not isinstance(act, list):
            return ["%s: want array, got %s" % (path, _tname(act))]
        if len(exp) != len(act):
            return ["%s: want %d elements, got %d: %s" % (path, len(exp), len(act), trunc(repr(act), 120))]
        out = []
        for i, (e, a) in enumerate(zip(exp, act)):
            out += match(e, a, "%s[%d]" % (path, i))
        return out
    if isinstance(exp, bool) or isinstance(act, bool):
        eq = type(exp) is type(act) and exp == act
    elif isinstance(exp, (int, float)):
        eq = isinstance(act, (int, float)) and exp == act
    else:
        eq = exp == act
    return [] if eq else ["%s: want %s, got %s" % (path, trunc(repr(exp), 80), trunc(repr(act), 80))]


# ---------------------------------------------------------------- transport

class Resp:
    def __init__(self, method, url, req_body, status, headers, body, error=None):
        self.method = method
        self.url = url
        self.req_body = req_body
        self.status = status
        self.headers = headers or []
        self.body = body or b""
        self.error = error
        self.json = None
        if self.body:
            try:
                self.json = json.loads(self.body.decode("utf-8"))
            except Exception:
                self.json = None

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def all_headers(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    @property
    def err(self):
        j = self.json
        if isinstance(j, dict) and isinstance(j.get("error"), dict):
            return j["error"]
        return None

    @property
    def field(self):
        e = self.err
        return e.get("field") if e else None

    @property
    def code(self):
        e = self.err
        return e.get("code") if e else None

    @property
    def items(self):
        j = self.json
        if isinstance(j, dict) and isinstance(j.get("items"), list):
            return j["items"]
        return None

    def describe(self):
        req = "%s %s" % (self.method, self.url)
        if self.req_body is not None:
            req += " " + trunc(self.req_body, 200)
        resp = str(self.status)
        if self.error:
            resp += " [%s]" % self.error
        if self.body:
            resp += " " + trunc(self.body, 300)
        return "%s -> %s" % (req, resp)


def http_call(port, method, url, body, headers, timeout=20):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, url, skip_accept_encoding=True)
        for k, v in headers:
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body if body else None)
        r = conn.getresponse()
        data = r.read()
        return r.status, r.getheaders(), data, None
    except (OSError, http.client.HTTPException) as e:
        return 0, [], b"", "%s: %s" % (type(e).__name__, e)
    finally:
        conn.close()


def raw_call(port, data, timeout=20):
    """Send raw bytes (request line + headers + body) while reading the
    response concurrently, so a server that answers early (413) and closes
    is still heard. Returns (status, headers, body, error)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    send_err = []

    def sender():
        try:
            s.sendall(data)
        except OSError as e:
            send_err.append(e)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    chunks, recv_err = [], None
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            chunks.append(c)
    except OSError as e:
        recv_err = e
    t.join(timeout)
    try:
        s.close()
    except OSError:
        pass
    raw = b"".join(chunks)
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        err = "no complete response (recv: %s, send: %s, got %d bytes)" % (recv_err, send_err[:1], len(raw))
        return 0, [], raw, err
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ")[1])
    except (IndexError, ValueError):
        return 0, [], raw, "bad status line %r" % lines[0]
    headers = []
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            headers.append((k.strip(), v.strip()))
    for k, v in headers:
        if k.lower() == "content-length":
            try:
                body = body[: int(v)]
            except ValueError:
                pass
    return status, headers, body, None


# ---------------------------------------------------------------- checker

class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.group = "-"
        self.envelope_seen = 0
        self.envelope_bad = {}  # kind -> [count, example]
        self.known = []  # ids of known src/ bugs whose checks still fail (known_bug)

    def ok(self, cond, name, detail=""):
        if cond:
            self.passed += 1
            return True
        self.failed += 1
        line = "FAIL [%s] %s" % (self.group, name)
        if detail:
            line += ": " + detail
        print(line, flush=True)
        return False

    def fail(self, name, detail=""):
        return self.ok(False, name, detail)

    def known_bug(self, cond, bug, name, detail=""):
        """A check of intended behaviour that src/ is known to get wrong (bug: a short id
        described where the check is). While it fails it prints `KNOWN BUG` and counts in
        neither column (the runner reports how many are still present); once it holds it
        passes and asks for the marker to be removed, so that it becomes an ordinary check."""
        if cond:
            print("NOTE [%s] known bug %s no longer reproduces: make this check ordinary: %s"
                  % (self.group, bug, name), flush=True)
            self.passed += 1
            return True
        self.known.append(bug)
        print("KNOWN BUG [%s] %s: %s%s" % (self.group, bug, name, (": " + detail) if detail else ""), flush=True)
        return False

    def expect(self, r, status, name, field=MISSING, json=MISSING, code=MISSING):
        """One check: status (int | tuple of ints | '2xx'), optional error
        field (str or tuple of accepted values), error code, JSON subset."""
        problems = []
        if status == "2xx":
            st_ok = 200 <= r.status < 300
        elif isinstance(status, (tuple, list, set, frozenset)):
            st_ok = r.status in status
        else:
            st_ok = r.status == status
        if not st_ok:
            problems.append("status %s, want %s" % (r.status, status))
        else:
            if field is not MISSING:
                accepted = field if isinstance(field, (tuple, list, set, frozenset)) else (field,)
                if r.field not in accepted:
                    problems.append("error.field %r, want %s" % (r.field, " or ".join(repr(a) for a in accepted)))
            if code is not MISSING and r.code != code:
                problems.append("error.code %r, want %r" % (r.code, code))
            if json is not MISSING:
                problems += match(json, r.json)
        return self.ok(not problems, name, "; ".join(problems) + " | " + r.describe())

    def matches(self, value, want, name):
        """One check: a JSON value (e.g. a list item) matches `want` (see match())."""
        problems = match(want, value)
        return self.ok(not problems, name, "; ".join(problems) + " | " + trunc(repr(value), 300))

    def same(self, before, after, name):
        if before == after:
            return self.ok(True, name)
        return self.ok(False, name, "state changed: before=%s after=%s" % (trunc(repr(before), 400), trunc(repr(after), 400)))

    def envelope(self, r):
        """Verify the error envelope of every error response seen."""
        if r.status < 400 or r.status == 0:
            return
        if r.status == 422 and r.url.startswith("/api/v1/imports/") and isinstance(r.json, dict) \
                and r.json.get("status") == "rejected" and isinstance(r.json.get("problems"), list):
            return  # a rejected CSV import answers 422 with its report, not an error envelope
        self.envelope_seen += 1
        kind = None
        e = r.err
        if r.json is None:
            kind = "status %d: body is not JSON" % r.status
        elif e is None:
            kind = "status %d: body has no error object" % r.status
        elif not all(isinstance(e.get(k), str) for k in ("code", "message", "field")):
            kind = "status %d: error lacks string code/message/field" % r.status
        elif r.status in ERROR_CODES and e["code"] not in ERROR_CODES[r.status]:
            kind = "status %d with code %r (want %s)" % (r.status, e["code"], "/".join(sorted(ERROR_CODES[r.status])))
        elif r.status not in ERROR_CODES:
            kind = "status %d is not in the API.md error table" % r.status
        else:
            ct = (r.header("Content-Type") or "").lower()
            if not ct.startswith("application/json"):
                kind = "status %d: Content-Type %r" % (r.status, ct)
        if kind:
            slot = self.envelope_bad.setdefault(kind, [0, r.describe()])
            slot[0] += 1

    def report_envelope(self):
        name = "error envelope {error:{code,message,field}} with code matching status"
        self.ok(self.envelope_seen > 0, name + ": some error responses seen", "no error response was observed")
        for kind, (n, example) in sorted(self.envelope_bad.items()):
            self.fail(name, "%s (%d responses), e.g. %s" % (kind, n, example))
        if not self.envelope_bad:
            self.ok(True, name)


# ---------------------------------------------------------------- contract

class Contract:
    """The drift check: every response the suite receives is validated against the operation
    it answered in the OpenAPI document the server serves (GET /api/v1/openapi.json, fetched
    once): a JSON body against the declared schema of its status (strict schemas: a key the
    writer adds but the document lacks fails too, like a missing one), an error body against
    Error, a status the operation does not declare fails, as does a body where none is
    declared. A mismatch fails the check group that made the request, naming the operation
    and the JSON path. Validators are compiled once per operation and status."""

    def __init__(self):
        self.doc = None
        self.load_error = None
        self.routes = []  # (method, regex, template, operation), literal paths first
        self.validators = {}
        self.checked = 0
        self.failed = 0
        self.seen = set()
        self.n_ops = 0
        self.seconds = 0.0
        self._js = None

    def _load(self, port):
        try:
            import jsonschema  # python3-jsonschema (scripts/deps.sh)
        except ImportError as e:
            self.load_error = "python3-jsonschema is needed to validate responses: %s" % e
            return
        self._js = jsonschema
        st, _, body, err = http_call(port, "GET", "/api/v1/openapi.json", None, [("Connection", "close")])
        try:
            doc = json.loads(body.decode("utf-8")) if st == 200 else None
        except ValueError as e:
            doc, err = None, "not JSON: %s" % e
        if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
            self.load_error = "GET /api/v1/openapi.json -> %s %s %s" % (st, err or "", trunc(body, 200))
            return
        self.doc = doc
        routes = []
        for tmpl, item in doc["paths"].items():
            parts, nparams = [], 0
            for seg in tmpl.split("/"):
                if seg.startswith("{") and seg.endswith("}"):
                    nparams += 1
                    # {file} is the last segment's text; every other parameter is an id
                    parts.append("[^/]+" if seg == "{file}" else "[0-9]+")
                else:
                    parts.append(re.escape(seg))
            rx = re.compile("^" + "/".join(parts) + "$")
            for method, op in item.items():
                if isinstance(op, dict) and "responses" in op:
                    routes.append((nparams, method.upper(), rx, tmpl, op))
                    self.n_ops += 1
        routes.sort(key=lambda x: x[0])
        self.routes = [r[1:] for r in routes]
        fc = jsonschema.FormatChecker(formats=())
        fc.checks("date-time")(lambda v: not isinstance(v, str) or bool(TIME_RE.match(v)))
        fc.checks("date")(lambda v: not isinstance(v, str) or bool(DATE_RE.match(v)))
        self._fc = fc

    def _validator(self, key, schema):
        """(fast, full): fast(value) -> bool is compiled from the schema subset the generator
        emits (None when the schema uses anything else); full is the jsonschema validator,
        which judges when fast says no (and always with KAM_CONTRACT_FULL=1) and words the
        message."""
        v = self.validators.get(key)
        if v is None:
            # The components travel with each schema, so "#/components/..." resolves without a
            # resolver (the same with jsonschema 4.10 and 4.2x).
            root = dict(schema)
            root["components"] = self.doc.get("components", {})
            full = self._js.Draft202012Validator(root, format_checker=self._fc)
            fast = None if os.environ.get("KAM_CONTRACT_FULL") else _compile(schema, self.doc, {})
            v = (fast, full)
            self.validators[key] = v
        return v

    def _resolve(self, obj):
        ref = obj.get("$ref") if isinstance(obj, dict) else None
        if not ref:
            return obj
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
        return node

    def find(self, method, path):
        path_known = None
        for m, rx, tmpl, op in self.routes:
            if rx.match(path):
                if m == method:
                    return tmpl, op
                path_known = path_known or tmpl
        return path_known, None

    def _problems(self, key, schema, value):
        fast, full = self._validator(key, schema)
        if fast is not None and fast(value):
            return []
        out = []
        for e in sorted(full.iter_errors(value), key=lambda e: list(e.path))[:3]:
            where = "$" + "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in e.path)
            out.append("%s: %s" % (where, trunc(e.message, 160)))
        if not out and fast is not None:
            out.append("$: lib.py's fast check refuses what jsonschema accepts (a bug in _compile)")
        return out

    def check(self, ck, r, port):
        if r.status == 0 or r.method not in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            return
        if self.doc is None and self.load_error is None:
            self._load(port)
            if self.load_error:
                ck.fail("contract: the OpenAPI document loads", self.load_error)
        if self.doc is None:
            return
        t0 = time.time()
        try:
            self._check(ck, r)
        finally:
            self.seconds += time.time() - t0

    def _check(self, ck, r):
        path = r.url.split("?", 1)[0]
        tmpl, op = self.find(r.method, path)
        problems = []
        name = "%s %s -> %d" % (r.method, tmpl or path, r.status)
        ctype = (r.header("Content-Type") or "").split(";")[0].strip().lower()
        if op is None:
            # No operation (405, an unknown path, the web UI): an error answer is still an Error.
            if r.status < 400:
                if path.startswith("/api/"):
                    problems.append("the document has no operation %s %s" % (r.method, path))
            elif r.json is not None:
                problems += self._problems(("Error",), {"$ref": "#/components/schemas/Error"}, r.json)
            else:
                problems.append("an error answer without a JSON body")
        else:
            self.seen.add((r.method, tmpl))
            declared = op.get("responses", {})
            resp = declared.get(str(r.status))
            if resp is None:
                problems.append("status %d is not documented (documented: %s)"
                                % (r.status, ", ".join(sorted(declared))))
                if r.status >= 400 and r.json is not None:
                    problems += self._problems(("Error",), {"$ref": "#/components/schemas/Error"}, r.json)
            else:
                content = self._resolve(resp).get("content")
                if not content:
                    if r.body:
                        problems.append("documented without a body, got %d bytes" % len(r.body))
                elif "application/json" in content:
                    if r.json is None:
                        problems.append("documented as JSON, body is not JSON (Content-Type %r)" % ctype)
                    else:
                        schema = content["application/json"].get("schema", {})
                        problems += self._problems((r.method, tmpl, r.status), schema, r.json)
                elif ctype not in content:
                    problems.append("Content-Type %r, documented: %s" % (ctype, ", ".join(sorted(content))))
        self.checked += 1
        if problems:
            self.failed += 1
            ck.fail("contract: %s matches the OpenAPI document" % name,
                    "; ".join(problems) + " | " + r.describe())


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
_FORMATS = {"date-time": TIME_RE, "date": DATE_RE}
_IGNORED = {"description", "summary", "title", "examples", "example", "deprecated"}


def _compile(schema, doc, memo):
    """A predicate for the JSON Schema subset the generator emits (type, enum, properties,
    required, additionalProperties, items, anyOf, $ref, format), or None for anything else.
    Only a fast path: a refusal is judged again by jsonschema."""
    if not isinstance(schema, dict):
        return None
    if set(schema) == {"$ref"}:
        ref = schema["$ref"]
        if ref in memo:
            return lambda v: memo[ref](v)
        if not ref.startswith("#/"):
            return None
        node = doc
        for part in ref[2:].split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
        memo[ref] = None
        f = _compile(node, doc, memo)
        if f is None:
            return None
        memo[ref] = f
        return f
    keys = set(schema) - _IGNORED
    known = {"type", "enum", "properties", "required", "additionalProperties", "items", "anyOf",
             "format"}
    if keys - known:
        return None
    checks = []
    t = schema.get("type")
    if t is not None:
        tests = [_TYPES.get(x) for x in (t if isinstance(t, list) else [t])]
        if None in tests:
            return None
        checks.append(lambda v, tests=tests: any(f(v) for f in tests))
    if "enum" in schema:
        allowed = schema["enum"]
        checks.append(lambda v, allowed=allowed: any(v == a and type(v) is type(a) for a in allowed))
    if "format" in schema:
        rx = _FORMATS.get(schema["format"])
        if rx is None and schema["format"] != "binary":
            return None
        if rx is not None:
            checks.append(lambda v, rx=rx: not isinstance(v, str) or bool(rx.match(v)))
    if "anyOf" in schema:
        subs = [_compile(x, doc, memo) for x in schema["anyOf"]]
        if None in subs:
            return None
        checks.append(lambda v, subs=subs: any(f(v) for f in subs))
    if "items" in schema:
        item = _compile(schema["items"], doc, memo)
        if item is None:
            return None
        checks.append(lambda v, item=item: not isinstance(v, list) or all(item(x) for x in v))
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        extra = schema.get("additionalProperties", True)
        if extra not in (True, False):
            return None
        props = {}
        for k, sub in (schema.get("properties") or {}).items():
            f = _compile(sub, doc, memo)
            if f is None:
                return None
            props[k] = f
        required = tuple(schema.get("required") or ())

        def obj(v, props=props, required=required, extra=extra):
            if not isinstance(v, dict):
                return True
            for k in required:
                if k not in v:
                    return False
            for k, x in v.items():
                f = props.get(k)
                if f is None:
                    if not extra:
                        return False
                elif not f(x):
                    return False
            return True
        checks.append(obj)
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    return lambda v, checks=checks: all(f(v) for f in checks)


CONTRACT = Contract()


# ---------------------------------------------------------------- client

class Client:
    """Cookie-jar client. For unsafe methods the X-CSRF-Token header is sent
    when the client knows a token (csrf=False omits it, csrf='str' overrides).
    If .bearer is set an Authorization header is sent instead."""

    def __init__(self, ctx, label="anon"):
        self.ctx = ctx
        self.label = label
        self.cookies = {}
        self.csrf = None
        self.bearer = None
        self.user = None
        self.login_resp = None
        self.last_set_cookie = []

    @property
    def port(self):
        return self.ctx.srv.port

    def request(self, method, path, body=NOBODY, *, raw=None, query=None, headers=None,
                csrf=True, content_type="application/json"):
        url = path
        if query:
            url += ("&" if "?" in path else "?") + urllib.parse.urlencode(query)
        hdrs = [("Accept", "application/json"), ("Connection", "close")]
        if self.cookies:
            hdrs.append(("Cookie", "; ".join("%s=%s" % kv for kv in self.cookies.items())))
        if self.bearer:
            hdrs.append(("Authorization", "Bearer " + self.bearer))
        if method in UNSAFE:
            if isinstance(csrf, str):
                hdrs.append(("X-CSRF-Token", csrf))
            elif csrf and self.csrf:
                hdrs.append(("X-CSRF-Token", self.csrf))
        data = None
        shown = None
        if raw is not None:
            data = raw
            shown = raw if len(raw) < 400 else raw[:200] + b"...(%d bytes)" % len(raw)
        elif body is not NOBODY:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            shown = data
        if data is not None and content_type:
            hdrs.append(("Content-Type", content_type))
        if headers:
            hdrs += list(headers.items()) if isinstance(headers, dict) else list(headers)
        if data is None and method in ("POST", "PATCH", "PUT"):
            data = b""
        status, rh, rb, err = http_call(self.port, method, url, data, hdrs)
        r = Resp(method, url, shown, status, rh, rb, err)
        self._absorb_cookies(r)
        self.ctx.ck.envelope(r)
        CONTRACT.check(self.ctx.ck, r, self.port)
        return r

    def _absorb_cookies(self, r):
        self.last_set_cookie = r.all_headers("Set-Cookie")
        for sc in self.last_set_cookie:
            first = sc.split(";", 1)[0]
            if "=" not in first:
                continue
            name, value = first.split("=", 1)
            name, value = name.strip(), value.strip()
            attrs = sc.lower()
            if value == "" or "max-age=0" in attrs or "expires=thu, 01 jan 1970" in attrs:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def socket_request(self, method, path, body, content_type="application/json"):
        """Like request() but over a raw socket that reads the answer while
        still sending (for bodies the server may refuse early, e.g. 413)."""
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % self.port, "Connection: close",
                 "Accept: application/json", "Content-Length: %d" % len(body)]
        if content_type:
            lines.append("Content-Type: " + content_type)
        if self.cookies:
            lines.append("Cookie: " + "; ".join("%s=%s" % kv for kv in self.cookies.items()))
        if self.bearer:
            lines.append("Authorization: Bearer " + self.bearer)
        if method in UNSAFE and self.csrf:
            lines.append("X-CSRF-Token: " + self.csrf)
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        status, rh, rb, err = raw_call(self.port, data)
        shown = body[:120] + b"...(%d bytes)" % len(body)
        r = Resp(method, path, shown, status, rh, rb, err)
        self.ctx.ck.envelope(r)
        CONTRACT.check(self.ctx.ck, r, self.port)
        return r

    def get(self, path, query=None, **kw):
        return self.request("GET", path, query=query, **kw)

    def post(self, path, body=NOBODY, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=NOBODY, **kw):
        return self.request("PATCH", path, body, **kw)

    def put(self, path, body=NOBODY, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def csv(self, kind, data, query=None, content_type="text/csv"):
        """POST /api/v1/imports/KIND with a CSV body (str is sent as UTF-8)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        return self.request("POST", "/api/v1/imports/" + kind, raw=data, query=query, content_type=content_type)

    def login(self, login, password, headers=None):
        r = self.post("/api/v1/session", {"login": login, "password": password}, headers=headers)
        self.login_resp = r
        if r.status == 200 and isinstance(r.json, dict):
            self.csrf = r.json.get("csrf_token")
            self.user = r.json.get("user")
        return r

    def list_all(self, path, query=None, limit=500, max_pages=200):
        """Follow next_cursor; returns (items, pages, error_resp_or_None)."""
        q = dict(query or {})
        q["limit"] = str(limit)
        items, pages = [], []
        for _ in range(max_pages):
            r = self.get(path, q)
            if r.status != 200 or r.items is None:
                return items, pages, r
            pages.append(r)
            items += r.items
            nc = r.json.get("next_cursor")
            if nc is None:
                return items, pages, None
            if not isinstance(nc, str):
                return items, pages, r
            q["cursor"] = nc
        return items, pages, r


# ---------------------------------------------------------------- server

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_cli(kam, args, stdin_text=None, env=None, timeout=60):
    try:
        p = subprocess.run([kam] + args, input=(stdin_text or "").encode(), capture_output=True,
                           timeout=timeout, env=env)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, "", "%s: %s" % (type(e).__name__, e)


class Server:
    def __init__(self, kam, dsn, tmpdir, name="kam", env_extra=None, args=None):
        self.kam = kam
        self.dsn = dsn
        self.name = name
        self.args = list(args or [])  # more `kam serve` options
        self.log_path = os.path.join(tmpdir, "%s.log" % name)
        self.env = dict(os.environ)
        self.env.pop("KAM_SESSION_TTL", None)
        self.env.pop("KAM_NOW", None)
        # No background scheduler unless a test asks for one: jobs run only when a test
        # runs `kam jobs run` (deterministic), never every minute under the suite's feet.
        self.env["KAM_JOBS_INTERVAL"] = "0"
        self.env.update(env_extra or {})
        self.proc = None
        self.port = None
        self.start_error = None

    def start(self, wait=10.0):
        self.port = free_port()
        self._log = open(self.log_path, "ab")
        cmd = [self.kam, "serve", "--db", self.dsn, "--listen", "127.0.0.1:%d" % self.port] + self.args
        try:
            self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=self._log, stdin=subprocess.DEVNULL,
                                         env=self.env)
        except OSError as e:
            self.start_error = "cannot exec %s: %s" % (cmd, e)
            return False
        deadline = time.time() + wait
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.start_error = "server exited with %s before answering /healthz" % self.proc.returncode
                return False
            st, _, body, _ = http_call(self.port, "GET", "/healthz", None, [("Connection", "close")], timeout=2)
            if st == 200:
                return True
            time.sleep(0.05)
        self.start_error = "GET /healthz did not answer 200 within %.0f s" % wait
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10.0):
        """SIGTERM, wait; returns exit code (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            rc = self.proc.returncode
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                rc = None
        try:
            self._log.close()
        except Exception:
            pass
        return rc

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError as e:
            return "(no log: %s)" % e
