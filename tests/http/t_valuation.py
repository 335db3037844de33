"""Prospects and valuation (F2.1, F1.2): the valuation of an account (score = weighted mean of
the manual criteria that have a value, rounded half up; its contributions; the tier history),
assessments moving the tier across the thresholds (reason "score", not when tier_locked),
manual tier changes (reason "manual"), criterion weights and tier thresholds (validation and
rescoring), the preview (exactly the accounts that would change; changes nothing), screening
of prospects.

The expected scores are computed here, with integers, from the weights GET
/api/v1/scoring-criteria reports. Weights and thresholds are global: every change is undone
(also when a check aborts). The valuation accounts belong to a fresh account manager, so that
the preview, which covers the caller's scope, is exact even on a database used before.
"""

import itertools
import math
import time

from lib import ANY, is_id, is_time
from t_interactions import near

MANUAL = ("business_scale", "market_position", "growth_potential")
COMPUTED = ("volume_12m", "growth", "share_of_wallet", "satisfaction")
CRITERION_SHAPE = {"id": is_id, "key": str, "name_zh": str, "name_en": str, "kind": str, "weight": int,
                   "active": bool}
VALUATION_SHAPE = {"account_id": is_id, "score": ANY, "tier": str, "suggested_tier": ANY, "tier_locked": bool,
                   "computed_at": ANY, "contributions": list, "history": list}
HISTORY_SHAPE = {"from_tier": ANY, "to_tier": str, "score": ANY, "reason": str, "user_id": ANY, "at": is_time}
CONTRIB_SHAPE = {"key": str, "name_zh": str, "name_en": str, "kind": str, "weight": int, "active": bool,
                 "value": ANY, "points": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))}
DEFAULT_THRESHOLDS = {"strategic": 80, "key": 60, "growth": 40}


class Model:
    """The contract's arithmetic: criteria (in id order) and thresholds as the server reports them."""

    def __init__(self, criteria, thresholds):
        self.crit = [dict(c) for c in criteria]
        self.thr = dict(thresholds)

    def set_weight(self, key, weight=None, active=None):
        for c in self.crit:
            if c["key"] == key:
                if weight is not None:
                    c["weight"] = weight
                if active is not None:
                    c["active"] = active

    def counted(self, values):
        return [(c["weight"], values[c["key"]]) for c in self.crit
                if c["kind"] == "manual" and c["active"] and c["key"] in values]

    def score(self, values):
        """Weighted mean, rounded half up (exact integer arithmetic); None without a value."""
        parts = self.counted(values)
        wsum = sum(w for w, _ in parts)
        if not parts or wsum == 0:
            return None
        num = sum(w * v for w, v in parts)
        return (2 * num + wsum) // (2 * wsum)

    def float_score(self, values):
        """The same computed naively in doubles, summing each share (to find boundary cases)."""
        parts = self.counted(values)
        wsum = sum(w for w, _ in parts)
        total = 0.0
        for w, v in parts:
            total += float(w) * float(v) / float(wsum)
        return int(math.floor(total + 0.5))

    def is_half(self, values):
        parts = self.counted(values)
        wsum = sum(w for w, _ in parts)
        num = sum(w * v for w, v in parts)
        return wsum > 0 and (2 * num) % (2 * wsum) == wsum

    def tier(self, score, thr=None):
        t = thr or self.thr
        if score is None:
            return None
        return ("strategic" if score >= t["strategic"] else "key" if score >= t["key"]
                else "growth" if score >= t["growth"] else "maintain")

    def points(self, values):
        parts = {c["key"]: c for c in self.crit}
        counted = self.counted(values)
        wsum = sum(w for w, _ in counted)
        out = {}
        for c in self.crit:
            k = c["key"]
            if c["kind"] == "manual" and c["active"] and k in values and wsum:
                out[k] = parts[k]["weight"] * values[k] / wsum
            else:
                out[k] = 0
        return out


class V:
    """The valuation world: accounts, their assessed values, their expected tiers."""

    def __init__(self, ctx, model, owner):
        self.ctx = ctx
        self.ck = ctx.ck
        self.m = model
        self.owner = owner
        self.values = {}   # account -> {criterion: value}
        self.tier = {}     # account -> the tier we expect
        self.locked = set()
        self.name = {}
        self.hist = {}     # account -> history length last seen

    def new(self, label, **fields):
        ctx = self.ctx
        name = "估值 %s %s" % (label, ctx.tag)
        aid = ctx.new_account(self.owner.key, code=ctx.uniq("VAL"), name=name, **fields)
        self.values[aid] = {}
        self.tier[aid] = fields.get("tier", "maintain")
        self.name[aid] = name
        if fields.get("tier_locked"):
            self.locked.add(aid)
        self.hist[aid] = len(self.get(aid).get("history") or [])
        return aid

    def get(self, aid, client=None):
        r = (client or self.ctx.admin).get("/api/v1/accounts/%d/valuation" % aid)
        return r.json if r.status == 200 and isinstance(r.json, dict) else {"status": r.status}

    def assess(self, aid, body, label, client=None):
        r = (client or self.owner.client).patch("/api/v1/accounts/%d/valuation" % aid, body)
        ok = self.ck.expect(r, 200, label, json=VALUATION_SHAPE)
        if ok:
            self.values[aid].update({k: v for k, v in body.items() if k in MANUAL})
        return r if ok else None

    def settle(self, label, moved_by=None):
        """After a change: every account's score/tier as the model says, and one history row
        (reason score, with the new score) for each account whose tier moved."""
        ck = self.ck
        for aid in sorted(self.values):
            vals = self.values[aid]
            s = self.m.score(vals)
            want = self.tier[aid]
            if s is not None and aid not in self.locked:
                want = self.m.tier(s)
            j = self.get(aid)
            h = j.get("history") or []
            moved = want != self.tier[aid]
            ck.matches(j, dict(VALUATION_SHAPE, account_id=aid, score=s, tier=want, suggested_tier=self.m.tier(s),
                               tier_locked=aid in self.locked),
                       "%s: %s %s -> score %s, tier %s%s" % (label, self.name[aid], vals, s, want,
                                                             " (locked)" if aid in self.locked else ""))
            new_rows = h[: max(0, len(h) - self.hist[aid])]
            if moved:
                ck.matches(new_rows, [dict(HISTORY_SHAPE, from_tier=self.tier[aid], to_tier=want, score=s,
                                           reason="score", user_id=moved_by, at=near(time.time(), 30))],
                           "%s: %s moved %s -> %s: one history row, reason score, with the score"
                           % (label, self.name[aid], self.tier[aid], want))
            else:
                ck.ok(new_rows == [], "%s: %s kept its tier %s: no history row" % (label, self.name[aid], want),
                      repr(new_rows))
            self.tier[aid] = want
            self.hist[aid] = len(h)


def criteria(ctx):
    r = ctx.admin.get("/api/v1/scoring-criteria")
    return r.items if r.status == 200 and r.items is not None else []


def thresholds(ctx):
    r = ctx.admin.get("/api/v1/settings/tier-thresholds")
    return r.json if r.status == 200 and isinstance(r.json, dict) else {}


def global_state(ctx):
    return {"criteria": criteria(ctx), "thresholds": thresholds(ctx)}


def g_valuation(ctx):
    ck, a = ctx.ck, ctx.admin
    r = ctx.U("viewer_x").client.get("/api/v1/scoring-criteria")
    if not ck.expect(r, 200, "GET /scoring-criteria (as a viewer) -> a list", json={"items": list}):
        return
    crit = r.items
    for c in crit:
        ck.matches(c, CRITERION_SHAPE, "criterion %s shape" % c.get("key"))
    kinds = {c.get("key"): c.get("kind") for c in crit}
    ck.ok(kinds == dict([(k, "manual") for k in MANUAL] + [(k, "computed") for k in COMPUTED]),
          "criteria: business_scale, market_position, growth_potential (manual); volume_12m, growth, "
          "share_of_wallet (computed)", repr(kinds))
    r = ctx.U("hr").client.get("/api/v1/settings/tier-thresholds")
    if not ck.expect(r, 200, "GET /settings/tier-thresholds (as hr) -> {strategic, key, growth}",
                     json={"strategic": int, "key": int, "growth": int}):
        return
    orig_t = {k: r.json[k] for k in ("strategic", "key", "growth")}
    orig_c = {c["id"]: (c["weight"], c["active"]) for c in crit}
    by_key = {c["key"]: c for c in crit}
    if not ck.ok(all(by_key.get(k, {}).get("active") and by_key[k].get("weight", 0) > 0 for k in MANUAL),
                 "the manual criteria are active with a weight (needed for this group)", repr(crit)):
        return
    try:
        if orig_t != DEFAULT_THRESHOLDS:
            print("NOTE: tier thresholds were %s; set to %s for this group" % (orig_t, DEFAULT_THRESHOLDS))
            ck.expect(a.patch("/api/v1/settings/tier-thresholds", DEFAULT_THRESHOLDS), 200,
                      "set the default thresholds")
        _valuation(ctx, Model(crit, DEFAULT_THRESHOLDS))
    finally:
        for cid, (w, act) in orig_c.items():
            now = {c["id"]: (c["weight"], c["active"]) for c in criteria(ctx)}
            if now.get(cid) != (w, act):
                ck.expect(a.patch("/api/v1/scoring-criteria/%d" % cid, {"weight": w, "active": act}), 200,
                          "restore criterion %d" % cid)
        if thresholds(ctx) != orig_t:
            ck.expect(a.patch("/api/v1/settings/tier-thresholds", orig_t), 200, "restore the thresholds")


def _valuation(ctx, m):
    ck, a = ctx.ck, ctx.admin
    owner = ctx.new_user("val", "account_manager", team="east")
    W = V(ctx, m, owner)
    crit_id = {c["key"]: c["id"] for c in m.crit}

    # ---- a fresh account: no score yet
    V1 = W.new("一")
    r = owner.client.get("/api/v1/accounts/%d/valuation" % V1)
    want_contrib = [dict(CONTRIB_SHAPE, key=c["key"], kind=c["kind"], weight=c["weight"], active=c["active"],
                         value=None, points=0) for c in m.crit]
    ck.expect(r, 200, "GET valuation of a fresh account: no score, tier maintain, a contribution per criterion "
              "without value", json=dict(VALUATION_SHAPE, account_id=V1, score=None, tier="maintain",
                                         suggested_tier=None, tier_locked=False, contributions=want_contrib))
    for h in (r.json or {}).get("history") or []:
        ck.matches(h, HISTORY_SHAPE, "history row shape")
    r = a.get("/api/v1/accounts/999999999/valuation")
    ck.expect(r, 404, "GET valuation of an unknown account -> 404", code="not_found")

    # ---- assessment: score, contributions, tier across a threshold, audit
    t0 = time.time()
    body = {"business_scale": 85, "market_position": 85, "growth_potential": 85, "note": "首次评估"}
    r = W.assess(V1, body, "PATCH valuation: all three manual criteria 85 (by the owner) -> 200")
    if r is None:
        return
    vals = W.values[V1]
    pts = m.points(vals)
    ck.matches(r.json, {"score": 85, "tier": "strategic", "suggested_tier": "strategic",
                        "computed_at": near(t0), "contributions": [
                            dict(CONTRIB_SHAPE, key=c["key"], weight=c["weight"], value=vals.get(c["key"]),
                                 points=(lambda want: lambda p: isinstance(p, (int, float)) and abs(p - want) <= 0.051)
                                 (pts[c["key"]])) for c in m.crit]},
               "the answer: score 85 (equal values), tier strategic, each criterion's value and points "
               "(weight x value / sum of the weights with a value; computed ones 0)")
    W.settle("after the first assessment", moved_by=owner.id)
    r = a.get("/api/v1/accounts/%d" % V1)
    ck.expect(r, 200, "the account itself moved to strategic", json={"tier": "strategic", "version": 2})
    rows = [x for x in ctx.audit_items("account", V1) if isinstance(x, dict) and x.get("entity") == "assessment"]
    ck.ok(len(rows) == 1 and rows[0].get("user_id") == owner.id and rows[0].get("changes", {}).get("business_scale")
          == [None, 85] and rows[0].get("changes", {}).get("growth_potential") == [None, 85],
          "the assessment is audited (entity assessment, [null, 85] per criterion, by the owner)", repr(rows)[:400])
    rows = [x for x in ctx.audit_items("account", V1) if isinstance(x, dict) and x.get("entity") == "account"
            and (x.get("changes") or {}).get("tier") == ["maintain", "strategic"]]
    ck.ok(len(rows) == 1 and rows[0].get("action") == "update", "the tier move is audited on the account "
          "(tier [maintain, strategic])", repr(ctx.audit_items("account", V1))[:400])

    W.assess(V1, {"market_position": 12}, "PATCH valuation: market_position only -> the others are kept")
    W.settle("market_position 85 -> 12", moved_by=owner.id)
    lead = ctx.U("lead_e")
    W.assess(V1, {"market_position": 14, "note": "组长复核"}, "PATCH valuation by the owner's team lead -> 200",
             client=lead.client)
    W.settle("market_position 12 -> 14 (team lead)", moved_by=lead.id)

    # ---- locked tier, manual tier, more accounts
    V2 = W.new("锁定", tier_locked=True)
    W.assess(V2, {"business_scale": 90, "market_position": 90, "growth_potential": 95},
             "PATCH valuation of a tier_locked account -> 200")
    W.settle("tier_locked: the score suggests strategic, the tier stays", moved_by=owner.id)
    V3 = W.new("手动")
    del W.values[V3]  # never assessed
    t0 = time.time()
    r = owner.client.patch("/api/v1/accounts/%d" % V3, {"tier": "key"})
    ck.expect(r, 200, "PATCH /accounts/{id} tier maintain -> key (by the owner)", json={"tier": "key"})
    W.tier[V3] = "key"
    h = W.get(V3).get("history") or []
    ck.matches(h[: len(h) - W.hist[V3]], [dict(HISTORY_SHAPE, from_tier="maintain", to_tier="key", reason="manual",
                                               user_id=owner.id, at=near(t0))],
               "a manual tier change writes one history row, reason manual, by the user")
    r = owner.client.patch("/api/v1/accounts/%d" % V3, {"tier_locked": True, "source": "referral",
                                                        "referred_by": "老客户 张总"})
    ck.expect(r, 200, "PATCH tier_locked, source and referred_by -> 200",
              json={"tier_locked": True, "source": "referral", "referred_by": "老客户 张总", "tier": "key"})
    W.locked.add(V3)
    ck.ok(len(W.get(V3).get("history") or []) == len(h), "...no history row when the tier does not change")
    V5 = W.new("五")
    W.assess(V5, {"business_scale": 70, "market_position": 40, "growth_potential": 40},
             "PATCH valuation 70/40/40 -> 200")
    W.settle("70/40/40", moved_by=owner.id)

    # a value pair whose weighted mean, with the weights used below, ends in exactly .5
    new_bs = 100 if m.crit[[c["key"] for c in m.crit].index("business_scale")]["weight"] != 100 else 60
    m2 = Model(m.crit, m.thr)
    m2.set_weight("business_scale", new_bs)
    m3 = Model(m2.crit, m.thr)
    m3.set_weight("market_position", active=False)
    edge = _half_case(m2, [m, m2, m3])
    V4 = None
    if edge is None:
        print("NOTE: no assessment has a weighted mean ending in .5 with these weights; the rounding case is skipped")
    else:
        # kept apart (owned by the admin, outside the owner's scope, not followed by settle())
        V4 = ctx.new_account(None, code=ctx.uniq("VAL"), name="估值 半 " + ctx.tag)
        r = a.patch("/api/v1/accounts/%d/valuation" % V4, edge)
        ck.expect(r, 200, "PATCH valuation %s (an account kept apart for the rounding case) -> 200" % edge,
                  json={"score": m.score(edge)})

    # ---- bad assessments change nothing
    before = (W.get(V1), ctx.acct_state(V1))
    for b, f, label in (({"business_scale": 101}, "business_scale", "101"),
                        ({"business_scale": -1}, "business_scale", "-1"),
                        ({"market_position": "50"}, "market_position", "a string"),
                        ({"growth_potential": None}, "growth_potential", "null"),
                        ({"growth_potential": 50.5}, "growth_potential", "a fraction"),
                        ({"volume_12m": 50}, "volume_12m", "a computed criterion"),
                        ({"business_scale": 50, "note": "x" * 2001}, "note", "a note of 2001 chars"),
                        ({"business_scale": 50, "score": 99}, "score", "an unknown field")):
        r = owner.client.patch("/api/v1/accounts/%d/valuation" % V1, b)
        ck.expect(r, 400, "PATCH valuation %s -> 400 field %s" % (label, f), field=f, code="invalid")
    for b, label in (({}, "an empty body"), ({"note": "只有备注"}, "only a note")):
        r = owner.client.patch("/api/v1/accounts/%d/valuation" % V1, b)
        ck.expect(r, 400, "PATCH valuation with %s (no criterion) -> 400" % label, code="invalid")
    ck.same(before, (W.get(V1), ctx.acct_state(V1)), "the refused assessments changed nothing")
    r = a.patch("/api/v1/accounts/999999999/valuation", {"business_scale": 5})
    ck.expect(r, 404, "PATCH valuation of an unknown account -> 404", code="not_found")

    # ---- preview: exact, changes nothing
    _preview(ctx, W, m, new_bs)

    # ---- criterion weights: validation, rescoring
    bs = crit_id["business_scale"]
    old_bs = next(c["weight"] for c in m.crit if c["key"] == "business_scale")
    before = (global_state(ctx), W.get(V1))
    for b, f in (({"weight": 101}, "weight"), ({"weight": -1}, "weight"), ({"weight": "30"}, "weight"),
                 ({"weight": None}, "weight"), ({"active": "no"}, "active"), ({"kind": "computed"}, "kind"),
                 ({"key": "x"}, "key")):
        r = a.patch("/api/v1/scoring-criteria/%d" % bs, b)
        ck.expect(r, 400, "PATCH criterion %s -> 400 field %s" % (b, f), field=f, code="invalid")
    ck.same(before, (global_state(ctx), W.get(V1)), "the refused criterion PATCHes changed nothing")
    r = a.patch("/api/v1/scoring-criteria/999999999", {"weight": 5})
    ck.expect(r, 404, "PATCH an unknown criterion -> 404", code="not_found")
    for w in (0, 100):
        r = a.patch("/api/v1/scoring-criteria/%d" % crit_id["share_of_wallet"], {"weight": w})
        ck.expect(r, 200, "PATCH a computed criterion's weight to %d (the range is 0..100) -> 200" % w,
                  json=dict(CRITERION_SHAPE, key="share_of_wallet", weight=w))
        m.set_weight("share_of_wallet", w)
    W.settle("a computed criterion's weight (no value yet) moves no score", moved_by=None)

    r = ctx.U("dir").client.patch("/api/v1/scoring-criteria/%d" % bs, {"weight": new_bs})
    ck.expect(r, 200, "PATCH business_scale weight -> %d (director)" % new_bs,
              json=dict(CRITERION_SHAPE, id=bs, key="business_scale", weight=new_bs, active=True))
    m.set_weight("business_scale", new_bs)
    W.settle("business_scale weight %d: every score follows" % new_bs, moved_by=ctx.U("dir").id)
    if V4 is not None:
        got = W.get(V4).get("score")
        want = m.score(edge)
        ck.ok(got == want, "a weighted mean of exactly %s.5 rounds half up to %s (values %s, weights %s)"
              % (want - 1, want, edge, [(c["key"], c["weight"]) for c in m.crit if c["kind"] == "manual"]),
              "GET /api/v1/accounts/%d/valuation -> score %r" % (V4, got))
    r = a.patch("/api/v1/scoring-criteria/%d" % crit_id["market_position"], {"active": False})
    ck.expect(r, 200, "PATCH market_position active=false -> 200", json={"active": False})
    m.set_weight("market_position", active=False)
    W.settle("market_position inactive: it no longer counts", moved_by=ctx.U("admin").id)
    j = W.get(V1)
    mp = [c for c in j.get("contributions") or [] if c.get("key") == "market_position"]
    ck.ok(len(mp) == 1 and mp[0].get("active") is False and mp[0].get("points") == 0,
          "an inactive criterion is listed, active false, 0 points", repr(mp))
    r = a.patch("/api/v1/scoring-criteria/%d" % crit_id["market_position"], {"active": True})
    ck.expect(r, 200, "market_position active again -> 200")
    m.set_weight("market_position", active=True)
    W.settle("market_position counts again", moved_by=ctx.U("admin").id)
    r = a.patch("/api/v1/scoring-criteria/%d" % bs, {"weight": old_bs})
    ck.expect(r, 200, "business_scale weight back to %d" % old_bs, json={"weight": old_bs})
    m.set_weight("business_scale", old_bs)
    W.settle("business_scale weight back to %d" % old_bs, moved_by=ctx.U("admin").id)

    # ---- thresholds: validation, rescoring
    path = "/api/v1/settings/tier-thresholds"
    before = (global_state(ctx), W.get(V1))
    for b, f in (({"strategic": 50}, ("strategic", "key", "growth", "")),
                 ({"key": 40}, ("strategic", "key", "growth", "")),
                 ({"strategic": 60, "key": 60}, ("strategic", "key", "growth", "")),
                 ({"growth": 101}, ("growth", "key", "")), ({"strategic": 101}, "strategic"),
                 ({"growth": -1}, "growth"), ({"key": "50"}, "key"), ({"key": None}, "key"),
                 ({"bronze": 10}, "bronze")):
        r = a.patch(path, b)
        ck.expect(r, 400, "PATCH thresholds %s -> 400" % b, field=f, code="invalid")
    ck.same(before, (global_state(ctx), W.get(V1)), "the refused threshold PATCHes changed nothing")
    r = ctx.U("lead_e").client.patch(path, {"growth": 30})
    ck.expect(r, 403, "a team lead may not change the thresholds -> 403", code="forbidden")
    low = m.score(W.values[V5])
    new_key = max(low, m.thr["growth"] + 1) if low is not None and low < m.thr["key"] else m.thr["key"] - 5
    r = ctx.U("dir").client.patch(path, {"key": new_key})
    ck.expect(r, 200, "PATCH thresholds key %d -> %d" % (m.thr["key"], new_key),
              json={"strategic": m.thr["strategic"], "key": new_key, "growth": m.thr["growth"]})
    m.thr["key"] = new_key
    W.settle("threshold key %d: tiers follow" % new_key, moved_by=ctx.U("dir").id)
    r = a.patch(path, {"key": DEFAULT_THRESHOLDS["key"]})
    ck.expect(r, 200, "threshold key back to %d" % DEFAULT_THRESHOLDS["key"], json=DEFAULT_THRESHOLDS)
    m.thr["key"] = DEFAULT_THRESHOLDS["key"]
    W.settle("threshold key back", moved_by=ctx.U("admin").id)

    # an assessed account can be deleted
    r = a.delete("/api/v1/accounts/%d" % V2)
    ck.expect(r, 204, "DELETE an assessed account (with a score and a tier history) -> 204")
    ck.expect(a.get("/api/v1/accounts/%d/valuation" % V2), 404, "...its valuation is gone (404)", code="not_found")


def _half_case(half, models):
    """Values whose weighted mean under `half` ends in exactly .5 and whose score under each of
    `models` stays clear of every threshold this group uses; preferably one where summing the
    shares in doubles falls just below the .5."""
    best = None
    thr = (40, 50, 51, 52, 55, 60, 70, 80)
    for c, a, b in itertools.product((50, 30, 70, 60), range(1, 100), range(1, 100)):
        vals = {"business_scale": a, "market_position": b, "growth_potential": c}
        if not half.is_half(vals):
            continue
        if any(abs(x.score(vals) - t) <= 2 for x in models for t in thr):
            continue
        if half.float_score(vals) != half.score(vals):
            return vals
        best = best or vals
    return best


def _preview(ctx, W, m, new_bs):
    ck = ctx.ck
    path = "/api/v1/valuation/preview"
    owner = W.owner
    assessed = sorted(W.values)

    def snapshot():
        return {"global": global_state(ctx), "val": [W.get(x) for x in sorted(W.tier)],
                "acc": [ctx.admin.get("/api/v1/accounts/%d" % x).json for x in sorted(W.tier)]}

    def expected(model):
        out = []
        for aid in assessed:
            s_old, s_new = m.score(W.values[aid]), model.score(W.values[aid])
            if aid in W.locked or s_new is None:
                continue
            nt = model.tier(s_new)
            if nt != W.tier[aid]:
                out.append({"account_id": aid, "name": W.name[aid], "tier": W.tier[aid], "new_tier": nt,
                            "score": s_old, "new_score": s_new})
        return out

    before = snapshot()
    r = owner.client.post(path, {})
    ck.expect(r, 200, "preview {} (nothing changes) -> no change proposed",
              json={"accounts_scored": len(assessed), "changes": []})
    # every criterion the settings screen lists may be weighed, the optional satisfaction one
    # included (the screen sends them all); an inactive criterion's weight changes nothing
    crits = {c["key"]: c for c in ctx.admin.get("/api/v1/scoring-criteria").json["items"]}
    if ck.ok("satisfaction" in crits and not crits["satisfaction"]["active"],
             "the satisfaction criterion ships, inactive", repr(crits.get("satisfaction"))):
        r = owner.client.post(path, {"satisfaction": crits["satisfaction"]["weight"]})
        ck.expect(r, 200, "preview with the satisfaction criterion's weight -> no change proposed",
                  json={"accounts_scored": len(assessed), "changes": []})
    m2 = Model(m.crit, m.thr)
    m2.set_weight("business_scale", new_bs)
    m2.thr["key"] = m.thr["key"] - 8
    m2.thr["strategic"] = m.thr["strategic"] - 10
    body = {"business_scale": new_bs, "threshold_key": m2.thr["key"], "threshold_strategic": m2.thr["strategic"]}
    want = expected(m2)
    r = owner.client.post(path, body)
    got = sorted((r.json or {}).get("changes") or [], key=lambda x: x.get("account_id", 0)) \
        if r.status == 200 else None
    ck.expect(r, 200, "preview %s -> 200 {accounts_scored, changes}" % body,
              json={"accounts_scored": len(assessed), "changes": list})
    ck.matches(got, want, "the preview lists exactly the owner's accounts whose tier would change (locked ones "
               "never), with current and new score and tier (%d)" % len(want))
    ck.ok(len(want) >= 2, "(the scenario makes at least 2 accounts change in the preview)", repr(want))
    ck.same(before, snapshot(), "the preview changed nothing (scores, tiers, history, weights, thresholds)")
    for who in ("am_w", "viewer_x"):
        r = ctx.U(who).client.post(path, body)
        ids = {x.get("account_id") for x in (r.json or {}).get("changes") or []}
        ck.ok(r.status == 200 and not ids & set(W.tier), "preview as %s: none of the owner's accounts (out of "
              "scope)" % who, r.describe())
    r = ctx.U("lead_e").client.post(path, body)
    ids = sorted(x.get("account_id") for x in (r.json or {}).get("changes") or [])
    ck.ok(r.status == 200 and set(ids) >= {x["account_id"] for x in want},
          "preview as the owner's team lead includes them", r.describe())
    for b, f in (({"business_scale": 101}, "business_scale"), ({"growth": -1}, "growth"),
                 ({"threshold_key": m.thr["strategic"]}, ("threshold_key", "threshold_strategic", "key", "")),
                 ({"threshold_growth": m.thr["key"] + 1}, ("threshold_growth", "threshold_key", "key", "")),
                 ({"market_position": "10"}, "market_position"), ({"weights": {}}, "weights"),
                 ({"threshold_maintain": 1}, "threshold_maintain")):
        r = owner.client.post(path, b)
        ck.expect(r, 400, "preview %s -> 400" % b, field=f, code="invalid")
    ck.same(before, snapshot(), "...and the refused previews changed nothing")

    # the real change moves exactly those accounts
    a = ctx.admin
    bs = next(c["id"] for c in m.crit if c["key"] == "business_scale")
    old_bs = next(c["weight"] for c in m.crit if c["key"] == "business_scale")
    old_t = dict(m.thr)
    ok1 = ck.expect(a.patch("/api/v1/settings/tier-thresholds", {"key": m2.thr["key"],
                                                                 "strategic": m2.thr["strategic"]}), 200,
                    "apply the previewed thresholds")
    ok2 = ck.expect(a.patch("/api/v1/scoring-criteria/%d" % bs, {"weight": new_bs}), 200,
                    "apply the previewed weight")
    if ok1 and ok2:
        moved = []
        for aid in sorted(W.tier):
            t = W.get(aid).get("tier")
            if t != W.tier[aid]:
                moved.append({"account_id": aid, "new_tier": t})
        ck.ok(moved == [{"account_id": x["account_id"], "new_tier": x["new_tier"]} for x in got or []],
              "applying the previewed weight and thresholds moves exactly the previewed accounts to the "
              "previewed tiers", "moved %s, previewed %s" % (moved, got))
    a.patch("/api/v1/scoring-criteria/%d" % bs, {"weight": old_bs})
    a.patch("/api/v1/settings/tier-thresholds", old_t)
    for aid in sorted(W.tier):
        W.hist[aid] = len(W.get(aid).get("history") or [])
    ck.ok([W.get(x).get("tier") for x in sorted(W.tier)] == [W.tier[x] for x in sorted(W.tier)],
          "undoing them brings every tier back", repr([(x, W.get(x).get("tier"), W.tier[x]) for x in sorted(W.tier)]))


# ------------------------------------------------------------------ screening

def g_screening(ctx):
    ck, a = ctx.ck, ctx.admin
    owner = ctx.U("am_e")
    c = owner.client
    P1 = ctx.new_account("am_e", code=ctx.uniq("PRO"), name="展会潜客 " + ctx.tag, status="prospect",
                         source="trade_show", referred_by="")
    r = c.get("/api/v1/accounts/%d" % P1)
    ck.expect(r, 200, "a prospect carries source, referred_by and an empty screening",
              json={"status": "prospect", "source": "trade_show", "referred_by": "", "screening": None,
                    "screening_reason": "", "screened_by": None, "screened_at": None, "tier_locked": False})
    P2 = ctx.new_account("am_e", code=ctx.uniq("PRO"), name="转介绍潜客 " + ctx.tag, status="prospect",
                         source="referral", referred_by="华为 张总")
    P3 = ctx.new_account("am_e", code=ctx.uniq("PRO"), name="待筛选潜客 " + ctx.tag, status="prospect")

    for body, f in (({"source": "internet"}, "source"), ({"source": "Referral"}, "source"),
                    ({"referred_by": "x" * 201}, "referred_by"), ({"referred_by": None}, "referred_by"),
                    ({"tier_locked": "yes"}, "tier_locked"), ({"tier_locked": None}, "tier_locked"),
                    ({"screening": "accepted"}, "screening"), ({"screened_by": owner.id}, "screened_by")):
        r = c.patch("/api/v1/accounts/%d" % P3, body)
        ck.expect(r, 400, "PATCH account %s -> 400 field %s" % (str(body)[:50], f), field=f, code="invalid")
    r = a.post("/api/v1/accounts", {"code": ctx.uniq("PRX"), "name": "x", "source": "cold_call"})
    ck.expect(r, 400, "POST account with source cold_call -> 400 field source", field="source", code="invalid")
    r = c.patch("/api/v1/accounts/%d" % P3, {"source": None})
    ck.expect(r, 200, "source null is allowed", json={"source": None})
    before = ctx.acct_state(P3)

    for body, f in (({"decision": "maybe", "reason": "x"}, "decision"),
                    ({"decision": "ACCEPTED", "reason": "x"}, "decision"),
                    ({"reason": "x"}, "decision"), ({"decision": None, "reason": "x"}, "decision"),
                    ({"decision": "accepted"}, "reason"), ({"decision": "accepted", "reason": ""}, "reason"),
                    ({"decision": "accepted", "reason": "x" * 2001}, "reason"),
                    ({"decision": "rejected", "reason": 5}, "reason"),
                    ({"decision": "accepted", "reason": "x", "status": "active"}, "status")):
        r = c.post("/api/v1/accounts/%d/screening" % P3, body)
        ck.expect(r, 400, "screening %s -> 400 field %s" % (str(body)[:60], f), field=f, code="invalid")
    ck.same(before, ctx.acct_state(P3), "the refused screenings changed nothing")
    r = a.post("/api/v1/accounts/999999999/screening", {"decision": "accepted", "reason": "x"})
    ck.expect(r, 404, "screening an unknown account -> 404", code="not_found")

    for aid, decision, status, reason in ((P1, "accepted", "active", "规模大，增长快"),
                                          (P2, "rejected", "lost", "不在目标行业\n预算不足")):
        t0 = time.time()
        v0 = ctx.admin.get("/api/v1/accounts/%d" % aid).json.get("version")
        r = c.post("/api/v1/accounts/%d/screening" % aid, {"decision": decision, "reason": reason})
        ck.expect(r, 200, "screening %s (by the owner) -> 200 the valuation" % decision,
                  json=dict(VALUATION_SHAPE, account_id=aid))
        r = c.get("/api/v1/accounts/%d" % aid)
        ck.expect(r, 200, "%s -> status %s, the screening recorded (by whom, when, why)" % (decision, status),
                  json={"status": status, "screening": decision, "screening_reason": reason,
                        "screened_by": owner.id, "screened_at": near(t0), "version": v0 + 1})
        rows = [x for x in ctx.audit_items("account", aid) if isinstance(x, dict) and x.get("action") == "screen"]
        ck.ok(len(rows) == 1 and rows[0].get("user_id") == owner.id and rows[0].get("entity") == "account"
              and (rows[0].get("changes") or {}).get("status") == ["prospect", status],
              "the screening is audited (action screen, status [prospect, %s])" % status, repr(rows)[:400])
    r = ctx.U("service_e").client.post("/api/v1/accounts/%d/screening" % P3, {"decision": "accepted",
                                                                              "reason": "x"})
    ck.expect(r, 404, "service_e (P3 out of scope) screening -> 404", code="not_found")
    r = ctx.U("fin").client.post("/api/v1/accounts/%d/screening" % P3, {"decision": "accepted", "reason": "x"})
    ck.expect(r, 403, "finance (reads all, changes none) screening -> 403", code="forbidden")
    ck.same(before, ctx.acct_state(P3), "...changed nothing")
