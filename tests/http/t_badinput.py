"""Bad input for every POST/PATCH: declarative case tables.

Each case: (label, override, status, field). `override` is a dict merged
into the endpoint's valid base body (DEL removes a key) or a Raw(...) body.
After every refused request the endpoint's state snapshot must be unchanged.
"""

import json

from lib import MISSING

DEL = object()
BIG = "x" * 10000  # longer than any documented or sensible limit


class Raw:
    """A raw body; `sub` replaces the endpoint's string field value with
    these bytes inside an otherwise valid body (or the whole body)."""

    def __init__(self, data=None, sub=None):
        self.data = data
        self.sub = sub


NESTED = b"[" * 50000 + b"]" * 50000

RAW_CASES = [
    ("invalid JSON (truncated)", Raw(b'{"name": '), 400, "body"),
    ("not JSON at all", Raw(b"hello"), 400, "body"),
    ("JSON array body", Raw(b"[]"), 400, "body"),
    ("JSON string body", Raw(b'"text"'), 400, "body"),
    ("JSON null body", Raw(b"null"), 400, "body"),
    ("JSON number body", Raw(b"42"), 400, "body"),
    ("empty body", Raw(b""), 400, "body"),
    ("trailing garbage", Raw(b"{} x"), 400, "body"),
    ("two objects", Raw(b"{}{}"), 400, "body"),
    ("single quotes", Raw(b"{'a':'b'}"), 400, "body"),
    ("comment", Raw(b"{/*c*/}"), 400, "body"),
    ("trailing comma", Raw(b'{"a":1,}'), 400, "body"),
    ("deeply nested arrays (100000 levels)", Raw(NESTED), 400, "body"),
    ("invalid UTF-8 bytes in a string", Raw(sub=b'"\xff\xfeab"'), 400, "body|F"),
    ("overlong UTF-8 encoding", Raw(sub=b'"\xc0\xaf"'), 400, "body|F"),
    ("UTF-8 encoded surrogate", Raw(sub=b'"\xed\xa0\x80"'), 400, "body|F"),
    ("truncated UTF-8 sequence", Raw(sub=b'"\xe5\x8d"'), 400, "body|F"),
    ("escaped lone surrogate \\ud800", Raw(sub=b'"a\\ud800b"'), 400, "body|F"),
    ("escaped NUL \\u0000", Raw(sub=b'"a\\u0000b"'), 400, "F"),
    ("raw control character in string", Raw(sub=b'"a\x01b"'), 400, "body|F"),
    ("NaN literal", Raw(sub=b"NaN"), 400, "body|F"),
    ("deeply nested value", Raw(sub=b"[" * 20000 + b"]" * 20000), 400, "body|F"),
]

ACCOUNT_FIELDS = [
    ("code empty", {"code": ""}, 400, "code"),
    ("code 41 chars", {"code": "C" * 41}, 400, "code"),
    ("code number", {"code": 12345}, 400, "code"),
    ("code null", {"code": None}, 400, "code"),
    ("name empty", {"name": ""}, 400, "name"),
    ("name 201 Chinese chars", {"name": "华" * 201}, 400, "name"),
    ("name array", {"name": ["x"]}, 400, "name"),
    ("name object", {"name": {"x": 1}}, 400, "name"),
    ("name null", {"name": None}, 400, "name"),
    ("name with NUL", {"name": "a\u0000b"}, 400, "name"),
    ("name with newline", {"name": "a\nb"}, 400, "name"),
    ("name with C1 control U+0085", {"name": "a\u0085b"}, 400, "name"),
    ("code with TAB", {"code": "A\tB"}, 400, "code"),
    ("code with CR", {"code": "A\rB"}, 400, "code"),
    ("alias with TAB", {"alias": "tab\there"}, 400, "alias"),
    ("industry with ESC", {"industry": "a\x1bb"}, 400, "industry"),
    ("region with DEL", {"region": "a\x7fb"}, 400, "region"),
    ("channel with newline", {"channel": "a\nb"}, 400, "channel"),
    ("alias 201 chars", {"alias": "a" * 201}, 400, "alias"),
    ("alias number", {"alias": 5}, 400, "alias"),
    ("industry 61 chars", {"industry": "i" * 61}, 400, "industry"),
    ("region 61 Chinese chars", {"region": "华" * 61}, 400, "region"),
    ("channel 61 chars", {"channel": "c" * 61}, 400, "channel"),
    ("channel bool", {"channel": True}, 400, "channel"),
    ("employees -1", {"employees": -1}, 400, "employees"),
    ("employees string", {"employees": "12"}, 400, "employees"),
    ("employees 1.5", {"employees": 1.5}, 400, "employees"),
    ("employees 1e30", {"employees": 1e30}, 400, "employees"),
    ("employees 2^64", {"employees": 18446744073709551616}, 400, "employees"),
    ("employees true", {"employees": True}, 400, "employees"),
    ("revenue string", {"revenue": "100 CNY"}, 400, "revenue*"),
    ("revenue number", {"revenue": 100}, 400, "revenue*"),
    ("revenue amount -1", {"revenue": {"amount": -1, "currency": "CNY"}}, 400, "revenue*"),
    ("revenue amount 1.5", {"revenue": {"amount": 1.5, "currency": "CNY"}}, 400, "revenue*"),
    ("revenue amount string", {"revenue": {"amount": "100", "currency": "CNY"}}, 400, "revenue*"),
    ("revenue amount 2^63", {"revenue": {"amount": 9223372036854775808, "currency": "CNY"}}, 400, "revenue*"),
    ("revenue currency lower-case", {"revenue": {"amount": 1, "currency": "cny"}}, 400, "revenue*"),
    ("revenue currency 4 letters", {"revenue": {"amount": 1, "currency": "CNYY"}}, 400, "revenue*"),
    ("revenue currency 2 letters", {"revenue": {"amount": 1, "currency": "CN"}}, 400, "revenue*"),
    ("revenue currency with digit", {"revenue": {"amount": 1, "currency": "CN1"}}, 400, "revenue*"),
    ("revenue currency non-ASCII", {"revenue": {"amount": 1, "currency": "ÄBC"}}, 400, "revenue*"),
    ("revenue missing currency", {"revenue": {"amount": 1}}, 400, "revenue*"),
    ("revenue missing amount", {"revenue": {"currency": "CNY"}}, 400, "revenue*"),
    ("revenue extra key", {"revenue": {"amount": 1, "currency": "CNY", "x": 1}}, 400, "revenue*"),
    ("tier platinum", {"tier": "platinum"}, 400, "tier"),
    ("tier upper-case", {"tier": "STRATEGIC"}, 400, "tier"),
    ("tier number", {"tier": 1}, 400, "tier"),
    ("status closed", {"status": "closed"}, 400, "status"),
    ("status empty", {"status": ""}, 400, "status"),
    ("owner_id unknown", {"owner_id": 999999999}, 400, "owner_id"),
    ("owner_id disabled user", {"owner_id": "@disabled"}, 400, "owner_id"),
    ("owner_id string", {"owner_id": "1"}, 400, "owner_id"),
    ("owner_id 0", {"owner_id": 0}, 400, "owner_id"),
    ("owner_id -5", {"owner_id": -5}, 400, "owner_id"),
    ("parent_id unknown", {"parent_id": 999999999}, 400, "parent_id"),
    ("parent_id string", {"parent_id": "1"}, 400, "parent_id"),
    ("unknown field", {"foo": 1}, 400, "foo"),
    ("unknown field (null)", {"nickname": None}, 400, "nickname"),
    ("id in body", {"id": 5}, 400, "id"),
    ("created_at in body", {"created_at": "2020-01-01T00:00:00Z"}, 400, "created_at"),
    ("subsidiary_count in body", {"subsidiary_count": 0}, 400, "subsidiary_count"),
]
ACCOUNT_POST_ONLY = [
    ("code missing", {"code": DEL}, 400, "code"),
    ("name missing", {"name": DEL}, 400, "name"),
    ("version in POST", {"version": 1}, 400, "version"),
]
ACCOUNT_PATCH_ONLY = [
    ("version string", {"version": "1"}, 400, "version"),
    ("version 1.5", {"version": 1.5}, 400, "version"),
    ("version null", {"version": None}, 400, "version"),
]

CONTACT_FIELDS = [
    ("name empty", {"name": ""}, 400, "name"),
    ("name 101 Chinese chars", {"name": "张" * 101}, 400, "name"),
    ("name number", {"name": 5}, 400, "name"),
    ("name null", {"name": None}, 400, "name"),
    ("name with newline", {"name": "张\n伟"}, 400, "name"),
    ("title with newline", {"title": "采购\n总监"}, 400, "title"),
    ("department with TAB", {"department": "采购\t部"}, 400, "department"),
    ("phone with BEL", {"phone": "138\x07"}, 400, "phone"),
    ("email with newline", {"email": "a\n@example.cn"}, 400, "email"),
    ("notes with U+0001", {"notes": "a\x01b"}, 400, "notes"),
    ("notes with ESC", {"notes": "a\x1b[31mred"}, 400, "notes"),
    ("notes with DEL", {"notes": "a\x7fb"}, 400, "notes"),
    ("title 101 chars", {"title": "t" * 101}, 400, "title"),
    ("title number", {"title": 1}, 400, "title"),
    ("department 101 chars", {"department": "部" * 101}, 400, "department"),
    ("decision_role boss", {"decision_role": "boss"}, 400, "decision_role"),
    ("decision_role upper-case", {"decision_role": "CHAMPION"}, 400, "decision_role"),
    ("decision_role number", {"decision_role": 1}, 400, "decision_role"),
    ("influence 0", {"influence": 0}, 400, "influence"),
    ("influence 6", {"influence": 6}, 400, "influence"),
    ("influence -1", {"influence": -1}, 400, "influence"),
    ("influence string", {"influence": "3"}, 400, "influence"),
    ("influence 3.5", {"influence": 3.5}, 400, "influence"),
    ("influence true", {"influence": True}, 400, "influence"),
    ("influence 2^64+3", {"influence": 18446744073709551619}, 400, "influence"),
    ("attitude -3", {"attitude": -3}, 400, "attitude"),
    ("attitude 3", {"attitude": 3}, 400, "attitude"),
    ("attitude string", {"attitude": "1"}, 400, "attitude"),
    ("attitude 0.5", {"attitude": 0.5}, 400, "attitude"),
    ("reports_to_id unknown", {"reports_to_id": 999999999}, 400, "reports_to_id"),
    ("reports_to_id string", {"reports_to_id": "1"}, 400, "reports_to_id"),
    ("phone 41 chars", {"phone": "1" * 41}, 400, "phone"),
    ("phone number", {"phone": 13800000000}, 400, "phone"),
    ("email 255 chars", {"email": "x" * 243 + "@example.com"}, 400, "email"),
    ("email without @", {"email": "zhang.example.cn"}, 400, "email"),
    ("email with two @", {"email": "a@b@example.cn"}, 400, "email"),
    ("email number", {"email": 1}, 400, "email"),
    ("birthday 2023-02-30", {"birthday": "2023-02-30"}, 400, "birthday"),
    ("birthday 2023-02-29 (not a leap year)", {"birthday": "2023-02-29"}, 400, "birthday"),
    ("birthday 2100-02-29 (not a leap year)", {"birthday": "2100-02-29"}, 400, "birthday"),
    ("birthday 2023-04-31", {"birthday": "2023-04-31"}, 400, "birthday"),
    ("birthday 2023-13-01", {"birthday": "2023-13-01"}, 400, "birthday"),
    ("birthday 2023-00-10", {"birthday": "2023-00-10"}, 400, "birthday"),
    ("birthday 2023-01-00", {"birthday": "2023-01-00"}, 400, "birthday"),
    ("birthday 1975/04/12", {"birthday": "1975/04/12"}, 400, "birthday"),
    ("birthday 1975-4-12", {"birthday": "1975-4-12"}, 400, "birthday"),
    ("birthday with time", {"birthday": "1975-04-12T00:00:00Z"}, 400, "birthday"),
    ("birthday trailing text", {"birthday": "1975-04-12x"}, 400, "birthday"),
    ("birthday empty", {"birthday": ""}, 400, "birthday"),
    ("birthday number", {"birthday": 19750412}, 400, "birthday"),
    ("notes 2001 chars", {"notes": "备" * 2001}, 400, "notes"),
    ("notes number", {"notes": 1}, 400, "notes"),
    ("account_id in body", {"account_id": "@other_account"}, 400, "account_id"),
    ("id in body", {"id": 1}, 400, "id"),
    ("unknown field", {"nickname": "zw"}, 400, "nickname"),
    ("last_contacted_at not a time", {"last_contacted_at": "yesterday"}, 400, "last_contacted_at"),
]
CONTACT_POST_ONLY = [("name missing", {"name": DEL}, 400, "name"), ("version in POST", {"version": 1}, 400, "version")]
CONTACT_PATCH_ONLY = [("version string", {"version": "1"}, 400, "version"), ("version 1.5", {"version": 1.5}, 400, "version")]

USER_POST = [
    ("login missing", {"login": DEL}, 400, "login"),
    ("login empty", {"login": ""}, 400, "login"),
    ("login number", {"login": 5}, 400, "login"),
    ("login null", {"login": None}, 400, "login"),
    ("login 10000 chars", {"login": BIG}, 400, "login"),
    ("login with NUL", {"login": "ab\u0000cd"}, 400, "login"),
    ("name 10000 chars", {"name": BIG}, 400, "name"),
    ("name number", {"name": 5}, 400, "name"),
    ("name with newline", {"name": "a\nb"}, 400, "name"),
    ("login with TAB", {"login": "a\tb"}, 400, "login"),
    ("email number", {"email": 5}, 400, "email"),
    ("email 10000 chars", {"email": BIG + "@example.com"}, 400, "email"),
    ("role root", {"role": "root"}, 400, "role"),
    ("role upper-case", {"role": "Admin"}, 400, "role"),
    ("role number", {"role": 1}, 400, "role"),
    ("role missing", {"role": DEL}, 400, "role"),
    ("team_id unknown", {"team_id": 999999999}, 400, "team_id"),
    ("team_id string", {"team_id": "1"}, 400, "team_id"),
    ("password 9 chars", {"password": "123456789"}, 400, "password"),
    ("password empty", {"password": ""}, 400, "password"),
    ("password number", {"password": 1234567890123}, 400, "password"),
    ("password missing", {"password": DEL}, 400, "password"),
    ("unknown field", {"is_admin": True}, 400, "is_admin"),
    ("id in body", {"id": 1}, 400, "id"),
]
USER_PATCH = [
    ("role root", {"role": "root"}, 400, "role"),
    ("disabled string", {"disabled": "yes"}, 400, "disabled"),
    ("disabled number", {"disabled": 1}, 400, "disabled"),
    ("disabled null", {"disabled": None}, 400, "disabled"),
    ("password 9 chars", {"password": "123456789"}, 400, "password"),
    ("password number", {"password": 1234567890123}, 400, "password"),
    ("team_id unknown", {"team_id": 999999999}, 400, "team_id"),
    ("login (not patchable)", {"login": "@renamed"}, 400, "login"),
    ("name 10000 chars", {"name": BIG}, 400, "name"),
    ("name null", {"name": None}, 400, "name"),
    ("name with newline", {"name": "a\nb"}, 400, "name"),
    ("email number", {"email": 5}, 400, "email"),
    ("unknown field", {"is_admin": True}, 400, "is_admin"),
    ("id in body", {"id": 1}, 400, "id"),
    ("created_at in body", {"created_at": "2020-01-01T00:00:00Z"}, 400, "created_at"),
]
TEAM_POST = [
    ("name missing", {"name": DEL}, 400, "name"),
    ("name empty", {"name": ""}, 400, "name"),
    ("name number", {"name": 5}, 400, "name"),
    ("name 10000 chars", {"name": BIG}, 400, "name"),
    ("name with newline", {"name": "East\nWest"}, 400, "name"),
    ("parent_id unknown", {"parent_id": 999999999}, 400, "parent_id"),
    ("parent_id string", {"parent_id": "1"}, 400, "parent_id"),
    ("manager_id unknown", {"manager_id": 999999999}, 400, "manager_id"),
    ("manager_id string", {"manager_id": "1"}, 400, "manager_id"),
    ("unknown field", {"budget": 1}, 400, "budget"),
    ("id in body", {"id": 1}, 400, "id"),
]
TEAM_PATCH = [
    ("name empty", {"name": ""}, 400, "name"),
    ("name null", {"name": None}, 400, "name"),
    ("name number", {"name": 5}, 400, "name"),
    ("name 10000 chars", {"name": BIG}, 400, "name"),
    ("parent_id unknown", {"parent_id": 999999999}, 400, "parent_id"),
    ("manager_id unknown", {"manager_id": 999999999}, 400, "manager_id"),
    ("unknown field", {"budget": 1}, 400, "budget"),
]
MEMBER_POST = [
    ("user_id missing", {"user_id": DEL}, 400, "user_id"),
    ("user_id string", {"user_id": "1"}, 400, "user_id"),
    ("user_id null", {"user_id": None}, 400, "user_id"),
    ("user_id unknown", {"user_id": 999999999}, 400, "user_id"),
    ("user_id 1.5", {"user_id": 1.5}, 400, "user_id"),
    ("dept_role ceo", {"dept_role": "ceo"}, 400, "dept_role"),
    ("dept_role missing", {"dept_role": DEL}, 400, "dept_role"),
    ("dept_role number", {"dept_role": 1}, 400, "dept_role"),
    ("dept_role 10000 chars", {"dept_role": BIG}, 400, "dept_role"),
    ("unknown field", {"since": "2020-01-01"}, 400, "since"),
]
TOKEN_POST = [
    ("name missing", {"name": DEL}, 400, "name"),
    ("name number", {"name": 5}, 400, "name"),
    ("name null", {"name": None}, 400, "name"),
    ("name 10000 chars", {"name": BIG}, 400, "name"),
    ("name with newline", {"name": "ci\ntoken"}, 400, "name"),
    ("unknown field", {"scope": "all"}, 400, "scope"),
]


def _merge(base, over, subst):
    d = dict(base)
    for k, v in over.items():
        if v is DEL:
            d.pop(k, None)
        else:
            d[k] = subst.get(v, v) if isinstance(v, str) else v
    return d


def _field_ok(expected, sfield):
    if expected == "revenue*":
        return ("revenue", "revenue.amount", "revenue.currency")
    if expected == "body|F":
        return ("body", sfield)
    if expected == "F":
        return (sfield,)
    return (expected,)


def run_table(ctx, label, client, method, path, base, cases, state, sfield, subst=None):
    ck = ctx.ck
    subst = subst or {}
    before = state()
    for name, over, status, field in cases:
        b = base() if callable(base) else base
        if isinstance(over, Raw):
            if over.data is not None:
                raw = over.data
            else:
                placeholder = "@@BAD@@"
                raw = json.dumps(dict(b, **{sfield: placeholder}), ensure_ascii=False).encode("utf-8")
                raw = raw.replace(b'"' + placeholder.encode() + b'"', over.sub)
            r = client.request(method, path, raw=raw)
        else:
            r = client.request(method, path, _merge(b, over, subst))
        ck.expect(r, status, "%s: %s -> %s field %s" % (label, name, status, field),
                  field=_field_ok(field, sfield), code="invalid" if status == 400 else MISSING)
        after = state()
        if not ck.same(before, after, "%s: %s changed nothing" % (label, name)):
            before = after  # report each change once, not again for every later case
        if r.status == 0 or not ctx.srv.alive():
            ck.fail("%s: server still alive after %s" % (label, name), ctx.srv.log_tail(20))
            return False
    return True


def g_badinput(ctx):
    ck = ctx.ck
    a = ctx.admin
    tag = ctx.tag
    # a disabled user for owner_id checks
    r = a.post("/api/v1/users", {"login": "disabled_" + tag, "name": "Disabled", "email": "d_%s@example.com" % tag,
                                 "role": "account_manager", "team_id": None, "password": "disabled-pass-1"})
    dis = r.json["id"] if ck.expect(r, 201, "create user to disable") else 999999998
    ck.expect(a.patch("/api/v1/users/%d" % dis, {"disabled": True}), 200, "disable it")
    AB = ctx.new_account("am_e", code=ctx.uniq("AB"), name="坏输入目标 " + tag, alias="Bad input target")
    KB = ctx.new_account("am_e", code=ctx.uniq("KB"), name="Contacts target " + tag)
    KO = ctx.new_account("am_e", code=ctx.uniq("KO"), name="Other account " + tag)
    CB = ctx.new_contact(KB, name="坏输入联系人")
    subst = {"@disabled": dis, "@other_account": KO, "@renamed": "renamed_" + tag}
    bad_prefix = "BAD" + tag

    acc_state = lambda: ctx.ids_of("/api/v1/accounts", {"q": bad_prefix})
    ok = run_table(ctx, "POST accounts", a, "POST", "/api/v1/accounts",
                   lambda: {"code": ctx.uniq("BAD"), "name": "Bad input"},
                   ACCOUNT_POST_ONLY + ACCOUNT_FIELDS + RAW_CASES, acc_state, "name", subst)
    ok = ok and run_table(ctx, "PATCH account", a, "PATCH", "/api/v1/accounts/%d" % AB, {},
                          ACCOUNT_PATCH_ONLY + ACCOUNT_FIELDS + RAW_CASES, lambda: ctx.acct_state(AB), "name", subst)
    ok = ok and run_table(ctx, "POST contact", a, "POST", "/api/v1/accounts/%d/contacts" % KB, {"name": "新联系人"},
                          CONTACT_POST_ONLY + CONTACT_FIELDS + RAW_CASES, lambda: ctx.acct_state(KB), "name", subst)
    ok = ok and run_table(ctx, "PATCH contact", a, "PATCH", "/api/v1/contacts/%d" % CB, {},
                          CONTACT_PATCH_ONLY + CONTACT_FIELDS + RAW_CASES, lambda: ctx.contact_state(CB, KB), "name",
                          subst)
    users_state = lambda: ctx.ids_of("/api/v1/users", {"q": "bad" + tag})
    ok = ok and run_table(ctx, "POST users", a, "POST", "/api/v1/users",
                          lambda: {"login": ctx.uniq("bad"), "name": "Bad", "email": "bad@example.com",
                                   "role": "viewer", "team_id": None, "password": "bad-password-1"},
                          USER_POST + RAW_CASES, users_state, "login", subst)
    UB = ctx.U("spare2").id
    ok = ok and run_table(ctx, "PATCH user", a, "PATCH", "/api/v1/users/%d" % UB, {}, USER_PATCH + RAW_CASES,
                          lambda: ctx.user_state(UB), "name", subst)
    teams_state = lambda: ctx.ids_of("/api/v1/teams")
    ok = ok and run_table(ctx, "POST teams", a, "POST", "/api/v1/teams",
                          lambda: {"name": "Bad team " + ctx.uniq(), "parent_id": None, "manager_id": None},
                          TEAM_POST + RAW_CASES, teams_state, "name", subst)
    TB = ctx.teams["dummy"]
    ok = ok and run_table(ctx, "PATCH team", a, "PATCH", "/api/v1/teams/%d" % TB, {}, TEAM_PATCH + RAW_CASES,
                          lambda: ctx.team_state(TB), "name", subst)
    ok = ok and run_table(ctx, "POST member", a, "POST", "/api/v1/accounts/%d/members" % KB,
                          {"user_id": ctx.U("spare").id, "dept_role": "sales"},
                          MEMBER_POST + RAW_CASES, lambda: ctx.acct_state(KB), "dept_role", subst)
    tok_state = lambda: ctx.ids_of("/api/v1/tokens")
    ok = ok and run_table(ctx, "POST tokens", a, "POST", "/api/v1/tokens", {"name": "bad-token"},
                          TOKEN_POST + RAW_CASES, tok_state, "name", subst)
    if not ok:
        return

    # existing member -> 409 user_id
    r = a.post("/api/v1/accounts/%d/members" % KB, {"user_id": ctx.U("spare").id, "dept_role": "sales"})
    if ck.expect(r, 201, "add member (for the duplicate check)"):
        before = ctx.acct_state(KB)
        r = a.post("/api/v1/accounts/%d/members" % KB, {"user_id": ctx.U("spare").id, "dept_role": "technical"})
        ck.expect(r, 409, "existing member -> 409 field user_id", field="user_id", code="conflict")
        ck.same(before, ctx.acct_state(KB), "duplicate member changed nothing")

    # session: few cases on purpose (failed logins count per address)
    anon = ctx.client("bad-session")
    who = "nosuch_" + tag
    for name, kw, field in (("invalid JSON", {"raw": b'{"login": '}, "body"),
                            ("password missing", {"body": {"login": who}}, "password"),
                            ("login number", {"body": {"login": 5, "password": "whatever-pw"}}, "login"),
                            ("unknown field", {"body": {"login": who, "password": "whatever-pw", "remember": True}},
                             "remember")):
        r = anon.request("POST", "/api/v1/session", **kw)
        ck.expect(r, 400, "POST session: %s -> 400 field %s" % (name, field), field=field, code="invalid")
        ck.ok(not r.all_headers("Set-Cookie") or "kam_session" not in anon.cookies,
              "POST session: %s sets no session" % name, repr(r.all_headers("Set-Cookie")))

    # 415, 413, 1 MiB boundary
    st = acc_state()
    body = json.dumps({"code": ctx.uniq("BAD"), "name": "Wrong type"}).encode()
    r = a.request("POST", "/api/v1/accounts", raw=body, content_type="text/plain")
    ck.expect(r, 415, "POST accounts with Content-Type text/plain -> 415", code="unsupported_media_type")
    r = a.request("POST", "/api/v1/accounts", raw=body, content_type="application/x-www-form-urlencoded")
    ck.expect(r, 415, "POST accounts with a form Content-Type -> 415", code="unsupported_media_type")
    before = ctx.acct_state(AB)
    r = a.request("PATCH", "/api/v1/accounts/%d" % AB, raw=b'{"alias":"x"}', content_type="text/json")
    ck.expect(r, 415, "PATCH account with Content-Type text/json -> 415", code="unsupported_media_type")
    ck.same(before, ctx.acct_state(AB), "415 changed nothing")

    pad = b" " * (1024 * 1024)
    big = b'{"code":"%s","name":"' % ctx.uniq("BAD").encode() + b"a" * (1024 * 1024) + b'"}'
    r = a.socket_request("POST", "/api/v1/accounts", big)
    ck.expect(r, 413, "POST accounts with a 1 MiB + 30 byte body -> 413", code="too_large")
    r = a.socket_request("POST", "/api/v1/accounts", b'{"code":"X","name":"y"}' + pad)
    ck.expect(r, 413, "POST accounts: valid JSON padded past 1 MiB -> 413", code="too_large")
    ck.same(st, acc_state(), "415/413 created no account")
    before = ctx.contact_state(CB, KB)
    r = a.socket_request("PATCH", "/api/v1/contacts/%d" % CB, b'{"notes":"' + b"n" * (1024 * 1024 + 1) + b'"}')
    ck.expect(r, 413, "PATCH contact with a body over 1 MiB -> 413", code="too_large")
    ck.same(before, ctx.contact_state(CB, KB), "413 changed nothing")
    exact_code = "MIB" + ctx.uniq()
    core = json.dumps({"code": exact_code, "name": "Exactly one MiB"}).encode()
    exact = core + b" " * (1024 * 1024 - len(core))
    r = a.socket_request("POST", "/api/v1/accounts", exact)
    ck.expect(r, 201, "POST accounts with a body of exactly 1 MiB (whitespace padded) -> 201", json={"code": exact_code})
    ck.ok(ctx.srv.alive(), "server alive after oversized bodies", ctx.srv.log_tail(10))
    r = ctx.client().get("/healthz")
    ck.expect(r, 200, "healthz still 200 after the bad-input barrage")
