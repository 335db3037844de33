"""Bad input for every POST/PATCH: declarative case tables.

Each case: (label, override, status, field). `override` is a dict merged
into the endpoint's valid base body (DEL removes a key) or a Raw(...) body.
After every refused request the endpoint's state snapshot must be unchanged.
"""

import json
import time

from lib import MISSING, iso

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


# ---- Relationships (issue 5): interactions, visits, issues, config

TIME_CASES = [
    ("not a time", "yesterday"),
    ("with a +08:00 offset", "2026-01-01T10:00:00+08:00"),
    ("with fractional seconds", "2026-01-01T10:00:00.5Z"),
    ("space instead of T", "2026-01-01 10:00:00Z"),
    ("February 30", "2026-02-30T10:00:00Z"),
    ("hour 24", "2026-01-01T24:00:00Z"),
    ("minute 60", "2026-01-01T10:60:00Z"),
    ("unix seconds", 1767261600),
    ("null", None),
]


def _time_cases(field):
    return [("%s %s" % (field, label), {field: v}, 400, field) for label, v in TIME_CASES]


INTERACTION_FIELDS = [
    ("kind fax", {"kind": "fax"}, 400, "kind"),
    ("kind upper-case", {"kind": "CALL"}, 400, "kind"),
    ("kind number", {"kind": 1}, 400, "kind"),
    ("kind null", {"kind": None}, 400, "kind"),
    ("subject empty", {"subject": ""}, 400, "subject"),
    ("subject 201 Chinese chars", {"subject": "话" * 201}, 400, "subject"),
    ("subject with newline", {"subject": "第一\n第二"}, 400, "subject"),
    ("subject number", {"subject": 5}, 400, "subject"),
    ("subject null", {"subject": None}, 400, "subject"),
    ("notes 10001 chars", {"notes": "记" * 10001}, 400, "notes"),
    ("notes number", {"notes": 1}, 400, "notes"),
    ("notes with ESC", {"notes": "a\x1bb"}, 400, "notes"),
    ("material_type for a call", {"material_type": "other"}, 400, "material_type"),
    ("material_type number", {"material_type": 3}, 400, "material_type"),
    ("contact_ids not an array", {"contact_ids": 5}, 400, "contact_ids"),
    ("contact_ids null", {"contact_ids": None}, 400, "contact_ids"),
    ("contact_ids of strings", {"contact_ids": ["1"]}, 400, "contact_ids"),
    ("contact_ids 0", {"contact_ids": [0]}, 400, "contact_ids"),
    ("contact_ids negative", {"contact_ids": [-3]}, 400, "contact_ids"),
    ("contact_ids 1.5", {"contact_ids": [1.5]}, 400, "contact_ids"),
    ("contact_ids nested", {"contact_ids": [[1]]}, 400, "contact_ids"),
    ("contact_ids 51 ids", {"contact_ids": list(range(1, 52))}, 400, "contact_ids"),
    ("contact_ids a contact of another account", {"contact_ids": ["@other_contact"]}, 400, "contact_ids"),
    ("contact_ids unknown", {"contact_ids": [999999999]}, 400, "contact_ids"),
    ("visit_id in body", {"visit_id": 1}, 400, "visit_id"),
    ("user_id in body", {"user_id": 1}, 400, "user_id"),
    ("account_id in body", {"account_id": "@other_account"}, 400, "account_id"),
    ("id in body", {"id": 1}, 400, "id"),
    ("unknown field", {"mood": "good"}, 400, "mood"),
] + _time_cases("occurred_at")
INTERACTION_POST_ONLY = [("kind missing", {"kind": DEL}, 400, "kind"), ("subject missing", {"subject": DEL}, 400, "subject"),
                         ("version in POST", {"version": 1}, 400, "version")]
INTERACTION_PATCH_ONLY = [("version string", {"version": "1"}, 400, "version"),
                          ("version 1.5", {"version": 1.5}, 400, "version")]

VISIT_FIELDS = [
    ("kind email", {"kind": "email"}, 400, "kind"),
    ("kind null", {"kind": None}, 400, "kind"),
    ("kind number", {"kind": 2}, 400, "kind"),
    ("contact_id of another account", {"contact_id": "@other_contact"}, 400, "contact_id"),
    ("contact_id unknown", {"contact_id": 999999999}, 400, "contact_id"),
    ("contact_id string", {"contact_id": "1"}, 400, "contact_id"),
    ("owner_id unknown", {"owner_id": 999999999}, 400, "owner_id"),
    ("owner_id disabled user", {"owner_id": "@disabled"}, 400, "owner_id"),
    ("owner_id string", {"owner_id": "1"}, 400, "owner_id"),
    ("owner_id null", {"owner_id": None}, 400, "owner_id"),
    ("outcome (set by complete)", {"outcome": "x"}, 400, "outcome"),
    ("cadence_id in body", {"cadence_id": 1}, 400, "cadence_id"),
    ("overdue in body", {"overdue": True}, 400, "overdue"),
    ("id in body", {"id": 1}, 400, "id"),
    ("unknown field", {"venue": "上海"}, 400, "venue"),
] + _time_cases("planned_at")
VISIT_POST_ONLY = [("planned_at missing", {"planned_at": DEL}, 400, "planned_at"),
                   ("status in POST", {"status": "planned"}, 400, "status"),
                   ("version in POST", {"version": 1}, 400, "version")]
VISIT_PATCH_ONLY = [("status done", {"status": "done"}, 400, "status"), ("status null", {"status": None}, 400, "status"),
                    ("status number", {"status": 1}, 400, "status"), ("version string", {"version": "1"}, 400, "version")]
COMPLETE = [
    ("outcome missing", {"outcome": DEL}, 400, "outcome"),
    ("outcome null", {"outcome": None}, 400, "outcome"),
    ("outcome number", {"outcome": 5}, 400, "outcome"),
    ("next_steps number", {"next_steps": 5}, 400, "next_steps"),
    ("next_steps with ESC", {"next_steps": "a\x1bb"}, 400, "next_steps"),
    ("occurred_at 2 days ahead", {"occurred_at": "@future"}, 400, "occurred_at"),
    ("contact_ids of another account", {"contact_ids": ["@other_contact"]}, 400, "contact_ids"),
    ("contact_ids not an array", {"contact_ids": 1}, 400, "contact_ids"),
    ("status in body", {"status": "done"}, 400, "status"),
    ("unknown field", {"rating": 5}, 400, "rating"),
] + _time_cases("occurred_at")

ISSUE_FIELDS = [
    ("title empty", {"title": ""}, 400, "title"),
    ("title 201 chars", {"title": "题" * 201}, 400, "title"),
    ("title with newline", {"title": "a\nb"}, 400, "title"),
    ("title number", {"title": 5}, 400, "title"),
    ("title null", {"title": None}, 400, "title"),
    ("description 8001 chars", {"description": "述" * 8001}, 400, "description"),
    ("description number", {"description": 1}, 400, "description"),
    ("description with NUL", {"description": "a\u0000b"}, 400, "description"),
    ("category bug", {"category": "bug"}, 400, "category"),
    ("category null", {"category": None}, 400, "category"),
    ("severity urgent", {"severity": "urgent"}, 400, "severity"),
    ("severity upper-case", {"severity": "HIGH"}, 400, "severity"),
    ("severity number", {"severity": 3}, 400, "severity"),
    ("assignee_id unknown", {"assignee_id": 999999999}, 400, "assignee_id"),
    ("assignee_id disabled user", {"assignee_id": "@disabled"}, 400, "assignee_id"),
    ("assignee_id string", {"assignee_id": "1"}, 400, "assignee_id"),
    ("contact_id of another account", {"contact_id": "@other_contact"}, 400, "contact_id"),
    ("contact_id unknown", {"contact_id": 999999999}, 400, "contact_id"),
    ("status in body", {"status": "resolved"}, 400, "status"),
    ("reported_at in body", {"reported_at": "2026-01-01T00:00:00Z"}, 400, "reported_at"),
    ("response_due_at in body", {"response_due_at": "2026-01-01T00:00:00Z"}, 400, "response_due_at"),
    ("escalated_to in body", {"escalated_to": 1}, 400, "escalated_to"),
    ("account_id in body", {"account_id": "@other_account"}, 400, "account_id"),
    ("id in body", {"id": 1}, 400, "id"),
    ("unknown field", {"priority": 1}, 400, "priority"),
]
ISSUE_POST_ONLY = [("title missing", {"title": DEL}, 400, "title"), ("version in POST", {"version": 1}, 400, "version")]
ISSUE_PATCH_ONLY = [("version string", {"version": "1"}, 400, "version"), ("version null", {"version": None}, 400, "version")]
TRANSITION = [
    ("to missing", {"to": DEL}, 400, "to"),
    ("to null", {"to": None}, 400, "to"),
    ("to number", {"to": 2}, 400, "to"),
    ("to closed", {"to": "closed"}, 400, "to"),
    ("to upper-case", {"to": "RESOLVED"}, 400, "to"),
    ("note 4001 chars", {"note": "注" * 4001}, 400, "note"),
    ("note number", {"note": 5}, 400, "note"),
    ("note with ESC", {"note": "a\x1bb"}, 400, "note"),
    ("unknown field", {"reason": "x"}, 400, "reason"),
]
CADENCE_POST = [
    ("tier missing", {"tier": DEL}, 400, "tier"),
    ("kind missing", {"kind": DEL}, 400, "kind"),
    ("every_days missing", {"every_days": DEL}, 400, "every_days"),
    ("every_days 0", {"every_days": 0}, 400, "every_days"),
    ("every_days 366", {"every_days": 366}, 400, "every_days"),
    ("every_days 2^64", {"every_days": 18446744073709551616}, 400, "every_days"),
    ("tier platinum", {"tier": "platinum"}, 400, "tier"),
    ("kind visit", {"kind": "visit"}, 400, "kind"),
    ("decision_role boss", {"decision_role": "boss"}, 400, "decision_role"),
    ("active string", {"active": "true"}, 400, "active"),
    ("id in body", {"id": 1}, 400, "id"),
    ("unknown field", {"weekday": 1}, 400, "weekday"),
]


def g_badinput_rel(ctx):
    ck = ctx.ck
    a = ctx.admin
    now = time.time()
    r = a.post("/api/v1/users", {"login": ctx.uniq("reldis"), "name": "Disabled rel", "email": "rd@example.com",
                                 "role": "account_manager", "team_id": None, "password": "disabled-pass-1"})
    dis = r.json["id"] if ck.expect(r, 201, "create user to disable") else 999999998
    ck.expect(a.patch("/api/v1/users/%d" % dis, {"disabled": True}), 200, "disable it")
    RB = ctx.new_account("am_e", code=ctx.uniq("RB"), name="关系坏输入 " + ctx.tag, tier="key")
    RO = ctx.new_account("am_e", code=ctx.uniq("RO"), name="Other rel account " + ctx.tag)
    cb = ctx.new_contact(RB, name="坏输入联系人", decision_role="decision_maker")
    co = ctx.new_contact(RO, name="别家的人")
    subst = {"@disabled": dis, "@other_account": RO, "@other_contact": co, "@future": iso(now + 2 * 86400)}

    def ids(path, q=None):
        return lambda: ctx.ids_of(path, q)

    def rec(path, extra=None):
        def st():
            r = a.get(path)
            out = {"record": (r.status, r.json)}
            if extra:
                out["extra"] = extra()
            return out
        return st

    contact = lambda: a.get("/api/v1/contacts/%d" % cb).json  # noqa: E731
    inter_ids = ids("/api/v1/accounts/%d/interactions" % RB)
    ok = run_table(ctx, "POST interaction", a, "POST", "/api/v1/accounts/%d/interactions" % RB,
                   {"kind": "call", "subject": "坏输入电话", "contact_ids": [cb]},
                   INTERACTION_POST_ONLY + INTERACTION_FIELDS + RAW_CASES,
                   lambda: (inter_ids(), contact()), "subject", subst)
    IB = ctx.new_interaction(RB, kind="meeting", contact_ids=[cb], occurred_at=iso(now - 86400))
    ok = ok and run_table(ctx, "PATCH interaction", a, "PATCH", "/api/v1/interactions/%d" % IB, {},
                          INTERACTION_PATCH_ONLY + INTERACTION_FIELDS + RAW_CASES,
                          rec("/api/v1/interactions/%d" % IB, contact), "subject", subst)
    visit_ids = ids("/api/v1/visits", {"account_id": str(RB)})
    ok = ok and run_table(ctx, "POST visit", a, "POST", "/api/v1/accounts/%d/visits" % RB,
                          {"kind": "onsite", "planned_at": iso(now + 86400), "contact_id": cb},
                          VISIT_POST_ONLY + VISIT_FIELDS + RAW_CASES, visit_ids, "kind", subst)
    VB = ctx.new_visit(RB, "am_e", contact_id=cb)
    ok = ok and run_table(ctx, "PATCH visit", a, "PATCH", "/api/v1/visits/%d" % VB, {},
                          VISIT_PATCH_ONLY + VISIT_FIELDS + RAW_CASES, rec("/api/v1/visits/%d" % VB), "kind", subst)
    ok = ok and run_table(ctx, "POST complete", a, "POST", "/api/v1/visits/%d/complete" % VB,
                          {"outcome": "坏输入", "contact_ids": [cb]}, COMPLETE + RAW_CASES,
                          rec("/api/v1/visits/%d" % VB, lambda: (inter_ids(), contact())), "outcome", subst)
    issue_ids = ids("/api/v1/issues", {"account_id": str(RB)})
    ok = ok and run_table(ctx, "POST issue", a, "POST", "/api/v1/accounts/%d/issues" % RB,
                          {"title": "坏输入问题", "severity": "low", "contact_id": cb},
                          ISSUE_POST_ONLY + ISSUE_FIELDS + RAW_CASES, issue_ids, "title", subst)
    XB = ctx.new_issue(RB, title="坏输入目标", severity="low")
    audit = lambda: ctx.audit_ids("account", RB)  # noqa: E731
    ok = ok and run_table(ctx, "PATCH issue", a, "PATCH", "/api/v1/issues/%d" % XB, {},
                          ISSUE_PATCH_ONLY + ISSUE_FIELDS + RAW_CASES, rec("/api/v1/issues/%d" % XB, audit), "title",
                          subst)
    ok = ok and run_table(ctx, "POST transition", a, "POST", "/api/v1/issues/%d/transition" % XB,
                          {"to": "in_progress", "note": "坏输入"}, TRANSITION + RAW_CASES,
                          rec("/api/v1/issues/%d" % XB, audit), "to", subst)
    ok = ok and run_table(ctx, "POST cadence", a, "POST", "/api/v1/cadences",
                          {"tier": "growth", "decision_role": None, "kind": "phone", "every_days": 30, "active": False},
                          CADENCE_POST + RAW_CASES, ctx.config_state, "tier", subst)
    ok = ok and run_table(ctx, "PATCH freshness", a, "PATCH", "/api/v1/settings/freshness", {"maintain": 90},
                          RAW_CASES, ctx.config_state, "maintain", subst)
    if not ok:
        return
    # times are YYYY-MM-DDTHH:MM:SSZ (API.md conventions; the server's own messages say so): a bare date is not one
    for path, body, f, st in (("/api/v1/accounts/%d/interactions" % RB, {"kind": "call", "subject": "日期"}, "occurred_at",
                               inter_ids),
                              ("/api/v1/accounts/%d/visits" % RB, {"kind": "phone"}, "planned_at", visit_ids)):
        before = st()
        r = a.post(path, dict(body, **{f: iso(now - 86400)[:10]}))
        ck.expect(r, 400, "POST %s with %s a bare date (%s) -> 400 field %s" % (path, f, iso(now - 86400)[:10], f),
                  field=f, code="invalid")
        if r.status in (200, 201):
            kind = "interactions" if f == "occurred_at" else "visits"
            if kind == "interactions":
                a.delete("/api/v1/interactions/%d" % r.json["id"])
            else:
                a.patch("/api/v1/visits/%d" % r.json["id"], {"status": "cancelled"})
        else:
            ck.same(before, st(), "bare date %s changed nothing" % f)
    r = a.request("POST", "/api/v1/accounts/%d/interactions" % RB, raw=b'{"kind":"call","subject":"x"}',
                  content_type="text/plain")
    ck.expect(r, 415, "POST interaction with Content-Type text/plain -> 415", code="unsupported_media_type")
    r = a.socket_request("POST", "/api/v1/accounts/%d/issues" % RB,
                         b'{"title":"big","description":"' + b"d" * (1024 * 1024) + b'"}')
    ck.expect(r, 413, "POST issue with a body over 1 MiB -> 413", code="too_large")
    ck.ok(ctx.srv.alive(), "server alive after the relationship bad-input tables", ctx.srv.log_tail(10))
