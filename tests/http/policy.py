"""The suite's OWN expected access policy, transcribed from docs/API.md
("Roles and record scope"). It is deliberately NOT read from the server.

Key: (x-kam-object, x-kam-action) -> {role: ALL | SCOPE | NONE}
  ALL   allowed on every record
  SCOPE allowed only on records in the caller's scope
        (for operations whose x-kam-scope is "none", e.g. lists: allowed,
        the server filters the result)
  NONE  denied

An operation in openapi.json whose (object, action) is missing here is a
failure ("route without a policy in the test"): a new route must come with
a deliberate decision in this table.
"""

ALL, SCOPE, NONE = "all", "scope", "none"

ROLES = ("admin", "director", "team_lead", "account_manager", "finance", "service", "hr", "viewer", "legal")


def _roles(default=None, **kw):
    """A row: every role's grant. legal is left out unless named or the row's default is ALL
    (what everyone may do): its grant then follows the rule of policy() (docs/API.md "Roles":
    legal reads what finance reads and writes nothing outside the contracts chapter)."""
    out = {}
    for r in ROLES:
        if r == "legal" and r not in kw and default != ALL:
            continue
        if r in kw:
            out[r] = kw[r]
        elif default is not None:
            out[r] = default
        else:
            raise ValueError("policy row lacks role %s" % r)
    return out


# accounts / contacts / members: read
BIZ_READ = _roles(admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, account_manager=SCOPE,
                  service=SCOPE, hr=NONE, viewer=SCOPE)
# creating an account: team_lead and account_manager may create (owner defaults to themselves)
ACCOUNT_CREATE = _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=ALL)
# changing an account (and managing its team members: "needs write on the account")
ACCOUNT_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE)
# "Deleting an account needs admin, director, or team_lead in scope"
ACCOUNT_DELETE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE)
# service: "write contacts in scope"
CONTACT_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, service=SCOPE)
# users, teams: everyone reads; admin and hr write
DIR_READ = _roles(ALL)
DIR_WRITE = _roles(NONE, admin=ALL, hr=ALL)
# self-service (own session, own profile/password, own tokens, public docs)
SELF = _roles(ALL)

# Relationships (issue 5): interactions, visits and issues "follow the account's record scope
# like contacts": read for everyone who may read the account; write (create/update, and a
# visit's completion or an issue's transition) for admin/director (all) and
# team_lead/account_manager/service (in scope); finance and viewer read only; hr nothing.
REL_READ = BIZ_READ
REL_WRITE = CONTACT_WRITE
# deleting an interaction: admin/director all, team_lead and account_manager in scope, not service
REL_DELETE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE)
# deleting an issue: like deleting an account
ISSUE_DELETE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE)
# config (cadence rules, SLA rules, freshness days): everyone reads, admin and director write
CONFIG_READ = _roles(ALL)
CONFIG_WRITE = _roles(NONE, admin=ALL, director=ALL)

# Care (F2.4): reminders follow the account's record scope "like visits": read for admin,
# director and finance (all) and team_lead/account_manager/service/viewer (in scope); send,
# done and skip (action update) for admin/director (all) and team_lead/account_manager/service
# (in scope); hr nothing. Occasions and templates are config.
CARE_READ = REL_READ
CARE_UPDATE = REL_WRITE
# Prospects and valuation (F2.1, F1.2): GET /accounts/{id}/valuation is account read; the
# assessment (PATCH .../valuation) and the screening are account update (ACCOUNT_WRITE);
# POST /valuation/preview is account read with x-kam-scope none (every role that reads
# accounts; the server limits it to the caller's scope); criteria and thresholds are config.
# PATCH /api/v1/me (own name, e-mail, digest) is self.

# Volume growth (issue 6, src/svc/core/policy.c). Products (the catalogue and, with the same object,
# the exchange rates): everyone who works with accounts reads them; admin, director and finance
# create and change them; nobody deletes one (retire it with active=false); hr nothing.
PRODUCT_READ = _roles(ALL, hr=NONE)
PRODUCT_WRITE = _roles(NONE, admin=ALL, director=ALL, finance=ALL)
# Order lines ("sales", record scope = the line's account): admin, director and finance all;
# team_lead, account_manager, service and viewer read the lines of their accounts; hr nothing.
SALES_READ = _roles(SCOPE, admin=ALL, director=ALL, finance=ALL, hr=NONE)
SALES_WRITE = _roles(NONE, admin=ALL, director=ALL, finance=ALL)
# Imports (issue 10): every POST /imports/{kind} is an import create, and so are reading the
# runs and their reports: admin, director, finance -- "imports are not" the account teams'.
# The service then wants the rights of what the kind writes: orders create and change every
# sales line and products every product (admin, director, finance hold both); accounts take
# account create (admin, director: finance gets 403 naming "kind", see ALSO_NEEDS), and each
# existing account in the file is changed only where the caller may (a row problem otherwise).
# Non-admins import at most 200000 rows a file (422 naming the limit, nothing loaded).
IMPORT_READ = _roles(NONE, admin=ALL, director=ALL, finance=ALL)
IMPORT_CREATE = IMPORT_READ
# Wallet estimates (GET /accounts/{id}/wallet, PUT|DELETE .../wallet/{year}) are account
# read/update.
# Targets (src/svc/core/policy.c): plans are read by everyone who works with accounts except service
# (team_lead/account_manager/viewer: filtered), written by admin and director; approving a plan
# (target_approval) is the director's alone -- admin has NONE (separation of duties); the
# account teams' proposals (PUT /accounts/{id}/target-proposals/{plan_id}, account scope) are
# written by admin/director (all) and team_lead/account_manager (in scope), read also by
# finance and viewers.
TARGET_READ = _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, account_manager=SCOPE,
                     viewer=SCOPE)
TARGET_WRITE = _roles(NONE, admin=ALL, director=ALL)
TARGET_APPROVAL = _roles(NONE, director=ALL)
PROPOSAL_READ = TARGET_READ
PROPOSAL_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE)
# Measures (4P actions, src/svc/core/policy.c; record scope `measure` = the measure's account): admin
# and director all; team_lead everything in scope; account_manager reads, creates and changes in
# scope but deletes nothing; finance reads all; service and viewer read in scope; hr nothing. A
# plan-wide measure (no account) is read by every measure reader and written only with an
# org-wide grant (t_plans.py checks that; the matrix uses measures of A_own / A_other).
MEASURE_READ = _roles(NONE, admin=ALL, director=ALL, finance=ALL, team_lead=SCOPE, account_manager=SCOPE,
                      service=SCOPE, viewer=SCOPE)
MEASURE_WRITE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE)
MEASURE_DELETE = _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE)
# The behaviour profile (GET /accounts/{id}/behaviour, account scope) and the family affinity
# (GET /sales/affinity, filtered) are sales reads.

EXPECTED = {
    # GET on a collection is action "read" too (x-kam-scope none => the server filters the list)
    ("account", "read"): BIZ_READ,
    ("account", "create"): ACCOUNT_CREATE,
    ("account", "update"): ACCOUNT_WRITE,
    ("account", "delete"): ACCOUNT_DELETE,

    ("contact", "read"): BIZ_READ,
    ("contact", "create"): CONTACT_WRITE,
    ("contact", "update"): CONTACT_WRITE,
    ("contact", "delete"): CONTACT_WRITE,

    ("account_member", "read"): BIZ_READ,
    ("account_member", "create"): ACCOUNT_WRITE,
    ("account_member", "delete"): ACCOUNT_WRITE,

    # audit of an account's records shares the account's scope; entity
    # user/team (admin or hr) is covered by an explicit case table (t_audit.py).
    ("audit", "read"): BIZ_READ,

    ("user", "read"): DIR_READ,
    ("user", "create"): DIR_WRITE,
    ("user", "update"): DIR_WRITE,

    ("team", "read"): DIR_READ,
    ("team", "create"): DIR_WRITE,
    ("team", "update"): DIR_WRITE,

    # "self": the caller's own session, profile, password and API tokens
    ("self", "read"): SELF,
    ("self", "create"): SELF,
    ("self", "update"): SELF,
    ("self", "delete"): SELF,

    ("interaction", "read"): REL_READ,
    ("interaction", "create"): REL_WRITE,
    ("interaction", "update"): REL_WRITE,
    ("interaction", "delete"): REL_DELETE,

    # POST /visits/{id}/complete is a visit update too
    ("visit", "read"): REL_READ,
    ("visit", "create"): REL_WRITE,
    ("visit", "update"): REL_WRITE,
    ("visit", "delete"): REL_DELETE,

    # POST /issues/{id}/transition is an issue update too; /issues/stats is a (filtered) read
    ("issue", "read"): REL_READ,
    ("issue", "create"): REL_WRITE,
    ("issue", "update"): REL_WRITE,
    ("issue", "delete"): ISSUE_DELETE,

    # GET /care (x-kam-scope none: filtered), GET /care/{id}; POST /care/{id}/send|done|skip
    ("care", "read"): CARE_READ,
    ("care", "update"): CARE_UPDATE,

    ("config", "read"): CONFIG_READ,
    ("config", "create"): CONFIG_WRITE,
    ("config", "update"): CONFIG_WRITE,
    ("config", "delete"): CONFIG_WRITE,

    ("product", "read"): PRODUCT_READ,
    ("product", "create"): PRODUCT_WRITE,
    ("product", "update"): PRODUCT_WRITE,
    ("product", "delete"): _roles(NONE),  # no route: products are retired, never deleted

    ("sales", "read"): SALES_READ,
    ("sales", "create"): SALES_WRITE,
    ("sales", "update"): SALES_WRITE,
    ("sales", "delete"): SALES_WRITE,

    ("import", "read"): IMPORT_READ,
    ("import", "create"): IMPORT_CREATE,

    ("target", "read"): TARGET_READ,
    ("target", "create"): TARGET_WRITE,
    ("target", "update"): TARGET_WRITE,
    ("target", "delete"): TARGET_WRITE,
    ("target_approval", "read"): TARGET_APPROVAL,
    ("target_approval", "create"): TARGET_APPROVAL,
    ("target_approval", "update"): TARGET_APPROVAL,
    ("target_approval", "delete"): TARGET_APPROVAL,
    ("target_proposal", "read"): PROPOSAL_READ,
    ("target_proposal", "create"): PROPOSAL_WRITE,
    ("target_proposal", "update"): PROPOSAL_WRITE,
    ("target_proposal", "delete"): PROPOSAL_WRITE,

    ("measure", "read"): MEASURE_READ,
    ("measure", "create"): MEASURE_WRITE,
    ("measure", "update"): MEASURE_WRITE,
    ("measure", "delete"): MEASURE_DELETE,

    # "public": no authentication needed (healthz, openapi.json, login, the calendar feed)
    ("public", "read"): SELF,
    ("public", "create"): SELF,
}


# Issue 18, the account team (src/svc/core/policy.c, transcribed; docs/API.md "The account team").
# Records about one person (assessment, enrolment, scorecard, payout; record scope "user" and the
# record kinds of the same names) are in scope for that person and for those who lead them.
TEAM_EXPECTED = {
    ('competency', 'read'): _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=ALL, finance=ALL, service=ALL, hr=ALL, viewer=ALL, legal=ALL),
    ('competency', 'create'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('competency', 'update'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('competency', 'delete'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('assessment', 'read'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, finance=NONE, service=SCOPE, hr=ALL, viewer=NONE, legal=NONE),
    ('assessment', 'create'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, finance=NONE, service=SCOPE, hr=ALL, viewer=NONE, legal=NONE),
    ('assessment', 'update'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, finance=NONE, service=SCOPE, hr=ALL, viewer=NONE, legal=NONE),
    ('assessment', 'delete'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('candidate', 'read'): _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('candidate', 'create'): _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('candidate', 'update'): _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('candidate', 'delete'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('course', 'read'): _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=ALL, finance=ALL, service=ALL, hr=ALL, viewer=ALL, legal=ALL),
    ('course', 'create'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('course', 'update'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('course', 'delete'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('enrolment', 'read'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, finance=SCOPE, service=SCOPE, hr=ALL, viewer=NONE, legal=SCOPE),
    ('enrolment', 'create'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, finance=SCOPE, service=SCOPE, hr=ALL, viewer=NONE, legal=SCOPE),
    ('enrolment', 'update'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, finance=SCOPE, service=SCOPE, hr=ALL, viewer=NONE, legal=SCOPE),
    ('enrolment', 'delete'): _roles(NONE, admin=ALL, director=NONE, team_lead=SCOPE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('scheme', 'read'): _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=ALL, finance=ALL, service=ALL, hr=ALL, viewer=ALL, legal=ALL),
    ('scheme', 'create'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('scheme', 'update'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('scheme', 'delete'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('scorecard', 'read'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, finance=SCOPE, service=SCOPE, hr=ALL, viewer=NONE, legal=SCOPE),
    ('scorecard', 'create'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('scorecard', 'update'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, finance=SCOPE, service=SCOPE, hr=ALL, viewer=NONE, legal=SCOPE),
    ('scorecard', 'delete'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('commission', 'read'): _roles(NONE, admin=ALL, director=ALL, team_lead=ALL, account_manager=ALL, finance=ALL, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('commission', 'create'): _roles(NONE, admin=ALL, director=ALL, team_lead=NONE, account_manager=NONE, finance=ALL, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('commission', 'update'): _roles(NONE, admin=ALL, director=ALL, team_lead=NONE, account_manager=NONE, finance=ALL, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('commission', 'delete'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=NONE, viewer=NONE, legal=NONE),
    ('payout', 'read'): _roles(NONE, admin=ALL, director=ALL, team_lead=SCOPE, account_manager=SCOPE, finance=ALL, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('payout', 'create'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=ALL, service=NONE, hr=ALL, viewer=NONE, legal=NONE),
    ('payout', 'update'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=ALL, service=NONE, hr=NONE, viewer=NONE, legal=NONE),
    ('payout', 'delete'): _roles(NONE, admin=ALL, director=NONE, team_lead=NONE, account_manager=NONE, finance=NONE, service=NONE, hr=NONE, viewer=NONE, legal=NONE),
}
EXPECTED.update(TEAM_EXPECTED)


# Routes whose service asks for a second right after the route's own (x-kam-object/action):
# (method, path as in openapi.json) -> [(object, action)], each of which the role must hold
# (ALL or SCOPE) too, or the answer is 403.
ALSO_NEEDS = {
    ("POST", "/api/v1/imports/accounts"): [("account", "create")],
}


def also_allowed(role, method, path):
    """Whether the role holds every further right ALSO_NEEDS lists for the route."""
    return all(policy(role, o, a) in (ALL, SCOPE) for o, a in ALSO_NEEDS.get((method, path), ()))


def policy(role, obj, action):
    """ALL/SCOPE/NONE, or None when the table has no row for (obj, action)."""
    row = EXPECTED.get((obj, action))
    if row is None:
        return None
    if role == "legal" and "legal" not in row:
        return ALL if action == "read" and row["finance"] != NONE else NONE
    return row[role]


def allowed(role, obj, action, in_scope):
    p = policy(role, obj, action)
    return p == ALL or (p == SCOPE and in_scope)


# Record kinds about one person (x-kam-scope): a denied request is a 403 for those who may read
# the record itself, else a 404 (src/svc/core/policy.c policy_decide).
PERSON_KINDS = ("user", "assessment", "enrolment", "scorecard", "payout")


def may_read_record(role, in_scope, obj=None, kind=None):
    """Whether the role may read an account (or a contact/member of it); for a record about a
    person (kind in PERSON_KINDS), whether it may read that record (obj read)."""
    if kind in PERSON_KINDS:
        return allowed(role, obj, "read", in_scope)
    return allowed(role, "account", "read", in_scope)
