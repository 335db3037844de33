"""Test context and the fixture world, built through the API as admin.

Team tree                      users (role)
  Sales   manager lead0          dir (director, Sales), lead0 (team_lead, Sales)
    East  manager lead_e         lead_e, am_e, service_e, viewer_e
    West  manager lead_w         lead_w, am_w
  Dummy   (renamed by the permission matrix)
no team: fin (finance), hr (hr), legal (legal), viewer_x, am_f/am_s/pager (owners of list
fixtures), spare/spare2 (matrix targets), pw (password change), rl (rate
limit victim), off (disabled later).

Accounts: A_own  owned by am_e, account team service_e (service) + viewer_e (marketing)
          A_other owned by am_w, no team.
Contacts: C_own on A_own, C_other on A_other.
Interactions I_own/I_other, visits V_own/V_other (planned, owners am_e/am_w), issues
X_own/X_other: one of each on A_own and on A_other.
The matrix user of each role (ROLE_USER) has A_own in scope and A_other out of scope.
"""

import secrets
import time

from lib import Client, ANY, is_id, iso

ROLE_USER = {
    "admin": "admin",
    "director": "dir",
    "team_lead": "lead_e",
    "account_manager": "am_e",
    "finance": "fin",
    "service": "service_e",
    "hr": "hr",
    "viewer": "viewer_e",
    "legal": "legal",
}

USER_SPECS = [
    # key, role, team, display name
    ("dir", "director", "sales", "周总监"),
    ("fin", "finance", None, "Fiona Finance"),
    ("hr", "hr", None, "Harriet HR"),
    ("legal", "legal", None, "Lena Legal"),
    ("lead0", "team_lead", "sales", "销售总负责"),
    ("lead_e", "team_lead", "east", "华东组长"),
    ("lead_w", "team_lead", "west", "华西组长"),
    ("am_e", "account_manager", "east", "王东"),
    ("am_w", "account_manager", "west", "李西"),
    ("service_e", "service", "east", "Sam Service"),
    ("viewer_e", "viewer", "east", "Vera Viewer"),
    ("viewer_x", "viewer", None, "Xavier Viewer"),
    ("am_f", "account_manager", None, "Filter Owner"),
    ("am_s", "account_manager", None, "Search Owner"),
    ("pager", "account_manager", None, "Pager Owner"),
    ("spare", "viewer", None, "Spare One"),
    ("spare2", "viewer", None, "Spare Two"),
    ("pw", "viewer", None, "Pat Password"),
    ("rl", "viewer", None, "Rita RateLimit"),
    ("off", "account_manager", None, "Otto Disabled"),
]

LOGGED_IN = ["admin", "dir", "fin", "hr", "legal", "lead0", "lead_e", "lead_w", "am_e", "am_w", "service_e",
             "viewer_e", "viewer_x"]

USER_SHAPE = {"id": is_id, "login": str, "name": str, "email": str, "role": str, "team_id": ANY,
              "disabled": bool, "created_at": ANY, "updated_at": ANY}


class FixtureError(Exception):
    pass


class U:
    def __init__(self, key, login, password, role, team=None, name=""):
        self.key = key
        self.login = login
        self.password = password
        self.role = role
        self.team = team
        self.name = name
        self.id = None
        self.client = None

    def __repr__(self):
        return "<U %s id=%s>" % (self.login, self.id)


class Ctx:
    def __init__(self, kam, dsn, tmp, ck, api_md=None):
        self.kam = kam
        self.dsn = dsn
        self.tmp = tmp
        self.ck = ck
        self.api_md = api_md
        self.tag = secrets.token_hex(3)
        self.srv = None
        self.jobs_dsn = None
        self.users = {}
        self.teams = {}
        self.ids = {}
        self.openapi = None
        self._n = 0
        self.admin_password = "admin-pass-%s-xyz" % self.tag

    # -- helpers
    def uniq(self, prefix=""):
        self._n += 1
        return "%s%s%04d" % (prefix, self.tag, self._n)

    def client(self, label="anon"):
        return Client(self, label)

    def U(self, key):
        return self.users[key]

    @property
    def admin(self):
        return self.users["admin"].client

    def must(self, r, status, what):
        ok = self.ck.expect(r, status, "fixture: " + what)
        if not ok:
            raise FixtureError("%s failed: %s" % (what, r.describe()))
        return r.json

    def new_account(self, owner_key=None, members=(), parent_id=None, **fields):
        code = fields.pop("code", None) or self.uniq("FX")
        body = {"code": code, "name": fields.pop("name", "Fixture " + code)}
        if owner_key:
            body["owner_id"] = self.U(owner_key).id
        if parent_id is not None:
            body["parent_id"] = parent_id
        body.update(fields)
        j = self.must(self.admin.post("/api/v1/accounts", body), 201, "create account %s" % code)
        for ukey, dept in members:
            self.must(self.admin.post("/api/v1/accounts/%d/members" % j["id"],
                                      {"user_id": self.U(ukey).id, "dept_role": dept}),
                      201, "add member %s to %s" % (ukey, code))
        return j["id"]

    def new_contact(self, account_id, **fields):
        body = {"name": fields.pop("name", "联系人" + self.uniq())}
        body.update(fields)
        j = self.must(self.admin.post("/api/v1/accounts/%d/contacts" % account_id, body), 201, "create contact")
        return j["id"]

    def new_user(self, prefix, role, team=None, login=True, name=None):
        """A fresh user (team: a key of ctx.teams or None); logged in unless login=False."""
        login_name = self.uniq(prefix + "_")
        # not containing the login: the password rules refuse that (docs/API.md)
        u = U(login_name, login_name, "pw-%s-0123456" % login_name.replace("_", "-"), role, team,
              name or login_name)
        body = {"login": login_name, "name": u.name, "email": login_name + "@example.com", "role": role,
                "team_id": self.teams[team] if team else None, "password": u.password}
        u.id = self.must(self.admin.post("/api/v1/users", body), 201, "create user %s" % login_name)["id"]
        self.users[login_name] = u
        if login:
            u.client = self.client(login_name)
            self.must(u.client.login(u.login, u.password), 200, "login %s" % login_name)
        return u

    def new_interaction(self, account_id, **fields):
        body = {"kind": fields.pop("kind", "call"), "subject": fields.pop("subject", "互动 " + self.uniq())}
        body.update(fields)
        j = self.must(self.admin.post("/api/v1/accounts/%d/interactions" % account_id, body), 201,
                      "create interaction")
        return j["id"]

    def new_visit(self, account_id, owner_key=None, **fields):
        """A planned visit (default: on-site, 10 days ahead, owner = owner_key or admin)."""
        body = {"kind": fields.pop("kind", "onsite"),
                "planned_at": fields.pop("planned_at", iso(time.time() + 10 * 86400 + self._n * 60))}
        if owner_key:
            body["owner_id"] = self.U(owner_key).id
        body.update(fields)
        j = self.must(self.admin.post("/api/v1/accounts/%d/visits" % account_id, body), 201, "plan visit")
        return j["id"]

    def new_issue(self, account_id, client=None, **fields):
        body = {"title": fields.pop("title", "问题 " + self.uniq())}
        body.update(fields)
        j = self.must((client or self.admin).post("/api/v1/accounts/%d/issues" % account_id, body), 201,
                      "create issue")
        return j["id"]

    def audit_items(self, entity, eid, client=None):
        c = client or self.admin
        items, _, err = c.list_all("/api/v1/audit", {"entity": entity, "id": str(eid)})
        return items if err is None else ("error", err.status, err.body)

    def audit_ids(self, entity, eid):
        items = self.audit_items(entity, eid)
        if isinstance(items, tuple):
            return items
        return [it.get("id") for it in items]

    def acct_state(self, acc_id):
        """Everything about an account an unauthorised request must not change."""
        a = self.admin
        rec = a.get("/api/v1/accounts/%d" % acc_id)
        contacts, _, e1 = a.list_all("/api/v1/accounts/%d/contacts" % acc_id)
        members = a.get("/api/v1/accounts/%d/members" % acc_id)
        return {
            "record": (rec.status, rec.json),
            "audit": self.audit_ids("account", acc_id),
            "contacts": sorted(c.get("id") for c in contacts) if e1 is None else ("error", e1.status),
            "members": (members.status, members.json),
        }

    def contact_state(self, contact_id, acc_id):
        r = self.admin.get("/api/v1/contacts/%d" % contact_id)
        st = self.acct_state(acc_id)
        st["contact"] = (r.status, r.json)
        return st

    def rel_state(self, acc_id):
        """acct_state plus the account's interactions, visits and issues."""
        st = self.acct_state(acc_id)
        st["interactions"] = self.ids_of("/api/v1/accounts/%d/interactions" % acc_id)
        st["visits"] = self.ids_of("/api/v1/visits", {"account_id": str(acc_id)})
        st["issues"] = self.ids_of("/api/v1/issues", {"account_id": str(acc_id)})
        return st

    def record_state(self, kind, rid, acc_id):
        """kind: interactions | visits | issues."""
        r = self.admin.get("/api/v1/%s/%d" % (kind, rid))
        st = self.rel_state(acc_id)
        st["record"] = (r.status, r.json)
        return st

    def config_state(self):
        a = self.admin
        out = {}
        for path in ("/api/v1/cadences", "/api/v1/sla-rules", "/api/v1/settings/freshness",
                     "/api/v1/care-occasions", "/api/v1/message-templates", "/api/v1/scoring-criteria",
                     "/api/v1/settings/tier-thresholds"):
            r = a.get(path)
            out[path] = (r.status, r.json)
        return out

    def notif_state(self, client):
        items, _, err = client.list_all("/api/v1/notifications")
        return items if err is None else ("error", err.status)

    def user_state(self, uid):
        r = self.admin.get("/api/v1/users/%d" % uid)
        return {"record": (r.status, r.json), "audit": self.audit_ids("user", uid)}

    def team_state(self, tid):
        r = self.admin.get("/api/v1/teams/%d" % tid)
        return {"record": (r.status, r.json), "audit": self.audit_ids("team", tid)}

    def ids_of(self, path, query=None, client=None):
        c = client or self.admin
        items, _, err = c.list_all(path, query)
        if err is not None:
            return ("error", err.status)
        return sorted(it.get("id") for it in items)


def bootstrap_admin(ctx):
    """`kam user add` for the admin (the server need not run)."""
    from lib import run_cli
    login = "admin_%s" % ctx.tag
    rc, out, err = run_cli(ctx.kam, ["user", "add", "--db", ctx.dsn, "--login", login, "--role", "admin"],
                           stdin_text=ctx.admin_password + "\n")
    ctx.ck.ok(rc == 0, "kam user add --login %s --role admin exits 0" % login,
              "rc=%s stdout=%s stderr=%s" % (rc, out.strip()[-300:], err.strip()[-300:]))
    u = U("admin", login, ctx.admin_password, "admin", None, "admin")
    ctx.users["admin"] = u
    return rc == 0


def build(ctx):
    ck = ctx.ck
    admin = ctx.users["admin"]
    admin.client = ctx.client("admin")
    r = admin.client.login(admin.login, admin.password)
    ctx.must(r, 200, "admin login")
    admin.id = r.json["user"]["id"]
    a = admin.client

    # teams
    def team(key, name, parent=None):
        body = {"name": name, "parent_id": ctx.teams[parent] if parent else None, "manager_id": None}
        j = ctx.must(a.post("/api/v1/teams", body), 201, "create team %s" % key)
        ctx.teams[key] = j["id"]

    team("sales", "Sales " + ctx.tag)
    team("east", "East " + ctx.tag, "sales")
    team("west", "West " + ctx.tag, "sales")
    team("dummy", "Dummy " + ctx.tag)

    # users
    for key, role, tkey, name in USER_SPECS:
        login = "%s_%s" % (key, ctx.tag)
        u = U(key, login, "pw-%s-%s-0123" % (key, ctx.tag), role, tkey, name)
        body = {"login": login, "name": name, "email": "%s@example.com" % login, "role": role,
                "team_id": ctx.teams[tkey] if tkey else None, "password": u.password}
        j = ctx.must(a.post("/api/v1/users", body), 201, "create user %s" % key)
        u.id = j["id"]
        ctx.users[key] = u

    # managers
    for tkey, ukey in (("sales", "lead0"), ("east", "lead_e"), ("west", "lead_w")):
        ctx.must(a.patch("/api/v1/teams/%d" % ctx.teams[tkey], {"manager_id": ctx.U(ukey).id}), 200,
                 "set manager of %s" % tkey)

    # accounts and contacts of the scope world
    ctx.ids["A_own"] = ctx.new_account("am_e", members=[("service_e", "service"), ("viewer_e", "marketing")],
                                       code=ctx.uniq("OWN"), name="自有客户 " + ctx.tag)
    ctx.ids["A_other"] = ctx.new_account("am_w", code=ctx.uniq("OTH"), name="他人客户 " + ctx.tag)
    ctx.ids["C_own"] = ctx.new_contact(ctx.ids["A_own"], name="张自有")
    ctx.ids["C_other"] = ctx.new_contact(ctx.ids["A_other"], name="李他人")
    for rec in ("own", "other"):
        acc, con = ctx.ids["A_" + rec], ctx.ids["C_" + rec]
        ctx.ids["I_" + rec] = ctx.new_interaction(acc, kind="meeting", contact_ids=[con],
                                                  occurred_at=iso(time.time() - 86400))
        ctx.ids["V_" + rec] = ctx.new_visit(acc, "am_e" if rec == "own" else "am_w", contact_id=con)
        ctx.ids["X_" + rec] = ctx.new_issue(acc, category="quality", severity="low")

    # one login per user that needs a session
    for key in LOGGED_IN:
        u = ctx.U(key)
        if u.client is None:
            u.client = ctx.client(key)
            r = u.client.login(u.login, u.password)
            ctx.must(r, 200, "login %s" % key)
    ck.ok(True, "fixtures built")
