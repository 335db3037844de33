#!/usr/bin/env python3
"""Real responses against the served OpenAPI document, on the demo data.

    python3 tests/contract/sample.py --kam build/kam [--dsn DSN] [--doc openapi.json]
                                     [--login admin] [--match REGEX] [--keep]

Makes a demo database (`kam demo`; a throw-away SQLite file unless --dsn names an empty
database), serves it (`kam serve` on a free local port), logs in as the demo admin, reads
/api/v1/openapi.json and GETs every GET route of the document whose path parameters the demo
can resolve: a parameter is the `id` of an item of the list one level up (for
/api/v1/accounts/{id}/wallet the first account of GET /api/v1/accounts, the next ones while the
route answers 4xx; /api/v1/contacts/{id}, without a list of its own, takes the first of
/api/v1/accounts/{id}/contacts). A few routes need a query string or change their shape with
one: VARIANTS lists them, each variant a check of its own. Each body is validated with
python3-jsonschema against the schema the document declares for its status (JSON), or its
Content-Type against the declared media types (files). A status the document does not declare
fails, as does any answer but 2xx: the demo admin may read everything it is offered. Routes
the demo cannot resolve are listed as skipped. The last line is `N passed, N failed`.

--doc validates against a local document instead of the served one (its paths must be the
served ones). --match limits the routes to paths matching a regular expression.
"""

import argparse
import copy
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

try:
    import jsonschema
except ImportError:  # pragma: no cover - a dependency of the tests (scripts/deps.sh)
    sys.exit("sample.py needs python3-jsonschema (apt-get install python3-jsonschema)")

PASSWORD = "kam-demo-2026"


class Fatal(Exception):
    """The run cannot go on (demo, server, login or document): one failure."""


# ---------------------------------------------------------------- HTTP


class Http:
    """One connection per request; the session cookie of the login is sent with each."""

    def __init__(self, port):
        self.port = port
        self.cookie = None

    def request(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Connection": "close"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            c.request(method, path, body=data, headers=headers)
            r = c.getresponse()
            raw = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, raw
        finally:
            c.close()

    def login(self, login, password):
        st, h, raw = self.request("POST", "/api/v1/session", {"login": login, "password": password})
        if st != 200:
            raise Fatal("login as %s: %d %s" % (login, st, raw[:300]))
        self.cookie = h["set-cookie"].split(";")[0]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, kam, dsn, log):
        self.port = free_port()
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(
            [kam, "serve", "--db", dsn, "--listen", "127.0.0.1:%d" % self.port, "--quiet"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise Fatal("kam serve exited with %d (log: %s)" % (self.proc.returncode, log))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise Fatal("kam serve did not listen within 30 s (log: %s)" % log)
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------- schemas


def openapi_30_to_jsonschema(s):
    """OpenAPI 3.0 schema objects -> JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(s, list):
        return [openapi_30_to_jsonschema(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {k: openapi_30_to_jsonschema(v) for k, v in s.items() if k != "nullable"}
    if s.get("nullable"):
        if "enum" in out and None not in out["enum"]:
            out["enum"] = out["enum"] + [None]
        return {"anyOf": [out, {"type": "null"}]}
    return out


class Validators:
    """Compiled validators per (path, method, status), all resolving #/components/... in doc."""

    def __init__(self, doc):
        self.doc = doc
        self.v30 = str(doc.get("openapi", "")).startswith("3.0")
        comps = copy.deepcopy(doc.get("components", {}))
        if self.v30:
            comps = openapi_30_to_jsonschema(comps)
        self.components = comps
        self.cache = {}

    def response(self, op, status):
        """The response object declared for status (exact, 2XX style, then default), or None."""
        rs = op.get("responses", {})
        for k in (str(status), "%dXX" % (status // 100), "default"):
            if k in rs:
                r = rs[k]
                while "$ref" in r:  # #/components/responses/X
                    r = self._resolve(r["$ref"])
                return r
        return None

    def _resolve(self, ref):
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def validator(self, key, schema):
        v = self.cache.get(key)
        if v is None:
            if self.v30:
                schema = openapi_30_to_jsonschema(schema)
            root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                    "allOf": [schema], "components": self.components}
            jsonschema.Draft202012Validator.check_schema(root)
            v = jsonschema.Draft202012Validator(
                root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
            self.cache[key] = v
        return v


def json_path(p):
    out = "$"
    for x in p:
        out += "[%d]" % x if isinstance(x, int) else "." + str(x)
    return out


# ---------------------------------------------------------------- routes


# Query strings to try on routes that need one, or whose shape varies with it (each is a
# separate check). {list} stands for the id of an item of GET /api/v1/list.
VARIANTS = {
    "/api/v1/audit": ["entity=account&id={accounts}"],
    "/api/v1/sales/breakdown": ["by=family", "by=account&measure=quantity"],
    "/api/v1/sales/series": ["", "by=family&forecast=12", "by=month&measure=quantity&forecast=6"],
    "/api/v1/sales/forecasts": ["", "level=account&key={accounts}"],
    "/api/v1/kpis": ["", "plan_id={targets}&by=account", "plan_id={targets}&by=month", "by=owner", "by=team",
                     "by=account&subsidiaries=1"],
    "/api/v1/targets/{id}/grid": ["", "rows=none&cols=none"],
    "/api/v1/targets/{id}/bottom-up": ["", "by=region"],
    "/api/v1/search": ["q=%E7%B2%BE%E5%AF%86", "q=jm&kinds=account,contact", "q=138"],
    "/api/v1/search/duplicates": ["kind=account&name=%E7%B2%BE%E5%AF%86", "kind=contact&name=%E5%BC%A0&account_id={accounts}"],
    "/api/v1/views": ["screen=accounts"],
    "/api/v1/imports/mappings": ["kind=orders", "kind=accounts"],
    "/api/v1/imports/template": ["kind=orders&format=csv", "kind=products&format=xlsx"],
    "/api/v1/prices/quote": ["account_id={accounts}&product_id={products}",
                             "account_id={accounts}&product_id={products}&quantity=60&currency=USD"],
    "/api/v1/bundles/{id}/quote": ["account_id={accounts}", "account_id={accounts}&quantity=3&currency=USD"],
    # issue 18: a period with or without records answers alike
    "/api/v1/payouts/payroll": ["period=2019-Q1", "period=2019-Q1&status=approved"],
    "/api/v1/scorecards/calibration": ["scheme_id={appraisal-schemes}&period=2019Q1"],
}
# Path parameters that are not the ids of a list one level up but of items inside the record
# above it: {param: (array field, key)} (a scorecard's lines, by their indicator_id).
PATH_FROM_RECORD = {
    "{indicator}": ("lines", "indicator_id"),
}


def record_values(prefix, field, key, web, memo):
    """The key of each item of the array field of the record prefix names minus its last segment
    (/api/v1/scorecards/36/lines -> GET /api/v1/scorecards/36, its lines' indicator_id)."""
    url = prefix.rsplit("/", 1)[0]
    if (url, field) not in memo:
        st, h, raw = web.request("GET", url)
        vals, why = None, "GET %s: %d" % (url, st)
        if st == 200:
            items = json.loads(raw).get(field)
            vals = [str(x[key]) for x in items or [] if isinstance(x, dict) and x.get(key) is not None]
            vals, why = (vals[:CANDIDATES], None) if vals else (None, "GET %s has no %s" % (url, field))
        memo[(url, field)] = (vals, why)
    return memo[(url, field)]
CANDIDATES = 5  # items of a list tried for a parameter until one answers 2xx


def takes_limit(doc, path):
    op = doc.get("paths", {}).get(path, {}).get("get") or {}
    return any(p.get("name") == "limit" and p.get("in") == "query" for p in op.get("parameters", []))


def list_ids(doc, prefix, web, memo):
    """The ids of the first items of GET prefix (a list), or (None, why)."""
    if prefix not in memo:
        limit = "?limit=%d" % CANDIDATES if takes_limit(doc, prefix) else ""
        st, h, raw = web.request("GET", prefix + limit)
        ids, why = None, "GET %s: %d" % (prefix, st)
        if st in (404, 405):  # no list of its own: the same records nested under another
            last = "/" + prefix.rsplit("/", 1)[-1]
            nested = sorted((p for p, ops in doc.get("paths", {}).items()
                             if p.endswith(last) and "{" in p and "get" in ops), key=len)
            for p in nested[:1]:
                tries, _ = urls(doc, p, "", web, memo)
                if tries:
                    memo[prefix] = list_ids(doc, tries[0].split("?")[0], web, memo)
                    return memo[prefix]
        if st == 200 and not h.get("content-type", "").startswith("application/json"):
            why = "GET %s is not a JSON list" % prefix
        elif st == 200:
            body = json.loads(raw)
            items = body.get("items") if isinstance(body, dict) else None
            ids = [str(x["id"]) for x in items or []
                   if isinstance(x, dict) and isinstance(x.get("id"), int)][:CANDIDATES]
            if not ids:
                ids, why = None, "GET %s has no item with an id" % prefix
        memo[prefix] = (ids, why)
    return memo[prefix]


def urls(doc, path, query, web, memo):
    """The concrete URLs to try for path + query (candidate ids), or (None, why)."""
    slots = []  # (text to replace, candidate ids)
    done = path
    for p in re.findall(r"\{[^}]+\}", path):
        prefix = done[: done.index(p)].rstrip("/")
        if p in PATH_FROM_RECORD:
            ids, why = record_values(prefix, *PATH_FROM_RECORD[p], web, memo)
        else:
            ids, why = list_ids(doc, prefix, web, memo)
        if ids is None:
            return None, why
        slots.append((p, ids))
        done = done.replace(p, ids[0], 1)  # a nested list is read under the first
    for k in range(len(slots) - 1):  # only the innermost parameter varies
        slots[k] = (slots[k][0], slots[k][1][:1])
    for name in re.findall(r"\{([\w-]+)\}", query):
        ids, why = list_ids(doc, "/api/v1/" + name, web, memo)
        if ids is None:
            return None, why
        slots.append(("{%s}" % name, ids))
    out = []
    for i in range(max([len(ids) for _, ids in slots] or [1])):
        u, q = path, query
        for text, ids in slots:
            v = ids[min(i, len(ids) - 1)]
            if text in u:
                u = u.replace(text, v, 1)
            else:
                q = q.replace(text, v)
        out.append(u + ("?" + q if q else ""))
    return out, None


def check(web, vals, path, op, url):
    """GETs url and checks it against op; returns (ok, status, message)."""
    st, h, raw = web.request("GET", url)
    ok, msg = judge(vals, path, op, st, h, raw)
    return ok, st, msg


def judge(vals, path, op, st, h, raw):
    r = vals.response(op, st)
    if r is None:
        return False, "%d is not a documented status: %s" % (st, raw[:200])
    if not 200 <= st < 300:
        return False, "%d: %s" % (st, raw[:200].decode("utf-8", "replace"))
    content = r.get("content") or {}
    ctype = h.get("content-type", "").split(";")[0].strip()
    if not content:
        if raw:
            return False, "%d with a body the document does not declare" % st
        return True, "%d, no body" % st
    if ctype not in content:
        return False, "Content-Type %s, documented: %s" % (ctype, ", ".join(content))
    schema = content[ctype].get("schema")
    if ctype != "application/json" or schema is None:
        return True, "%d %s, %d bytes" % (st, ctype, len(raw))
    try:
        body = json.loads(raw)
    except ValueError as e:
        return False, "%d: not JSON (%s)" % (st, e)
    v = vals.validator((path, "get", st), schema)
    errs = sorted(v.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errs:
        msgs = ["%s: %s" % (json_path(e.absolute_path), e.message[:200]) for e in errs[:5]]
        more = " (+%d more)" % (len(errs) - 5) if len(errs) > 5 else ""
        return False, "%d, %d schema error(s)%s: %s" % (st, len(errs), more, "; ".join(msgs))
    return True, "%d, %d bytes valid" % (st, len(raw))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kam", required=True, help="the kam binary")
    ap.add_argument("--dsn", help="an empty database for the demo (default: a temporary SQLite file)")
    ap.add_argument("--doc", help="validate against this OpenAPI file instead of the served one")
    ap.add_argument("--login", default="admin", help="the demo user to read as (default admin)")
    ap.add_argument("--match", help="only paths matching this regular expression")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="kam-sample-")
    dsn = a.dsn or "sqlite:" + os.path.join(tmp, "demo.db")
    server = None
    passed = failed = 0
    try:
        demo = subprocess.run([os.path.abspath(a.kam), "demo", "--db", dsn],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if demo.returncode:
            raise Fatal("kam demo failed:\n" + demo.stdout.decode("utf-8", "replace"))
        server = Server(os.path.abspath(a.kam), dsn, os.path.join(tmp, "serve.log"))
        web = Http(server.port)
        web.login(a.login, PASSWORD)
        if a.doc:
            with open(a.doc) as f:
                doc = json.load(f)
        else:
            st, h, raw = web.request("GET", "/api/v1/openapi.json")
            if st != 200:
                raise Fatal("GET /api/v1/openapi.json: %d" % st)
            doc = json.loads(raw)
        vals = Validators(doc)
        memo, skipped = {}, 0
        for path in sorted(doc.get("paths", {})):
            op = doc["paths"][path].get("get")
            if op is None or (a.match and not re.search(a.match, path)):
                continue
            for query in VARIANTS.get(path, [""]):
                try:
                    tries, why = urls(doc, path, query, web, memo)
                except (OSError, http.client.HTTPException) as e:
                    failed += 1
                    print("FAIL  GET %s  resolving its parameters: %s" % (path, e))
                    continue
                if tries is None:
                    skipped += 1
                    print("skip  GET %s (%s)" % (path, why))
                    continue
                for url in tries:  # the first candidate that answers 2xx, else the last failure
                    st = 0
                    try:
                        ok, st, msg = check(web, vals, path, op, url)
                    except (jsonschema.SchemaError, KeyError, ValueError) as e:
                        ok, msg = False, "the document's schema is unusable: %s" % str(e)[:300]
                    except (OSError, http.client.HTTPException) as e:
                        ok, msg = False, "no answer: %s" % e
                    if ok or not 400 <= st < 500:
                        break
                if ok:
                    passed += 1
                    print("ok    GET %s  %s" % (url, msg))
                else:
                    failed += 1
                    print("FAIL  GET %s  %s" % (url, msg))
        print("%d requests checked, %d skipped (parameters the demo does not resolve)"
              % (passed + failed, skipped))
    except (Fatal, OSError, http.client.HTTPException, ValueError) as e:
        failed += 1
        print("FAIL  %s" % e)
    finally:
        if server:
            server.stop()
        if a.keep:
            print("kept %s" % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
