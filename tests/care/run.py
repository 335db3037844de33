#!/usr/bin/env python3
"""Care and the e-mail outbox, end to end, with a real SMTP sink on loopback.

    tests/care/run.py --kam build/kam [--dsn DSN]

A contact's birthday three days ahead (test clock KAM_NOW) makes `kam jobs run` create one
care reminder (and a second run none); the owner sends the greeting from a template through
the API; the outbox delivers it to the sink, which refuses the first attempt: the message is
retried with back-off and arrives exactly once, also when two `kam jobs run` race and when the
jobs run again later. Festivals: a reminder before the Mid-Autumn festival. Last line:
N passed, N failed.

The messages are read back with Python's e-mail parser (email.policy.default), as a mail
client would (issue 10): the From display name "KAM 大客户系统" is encoded on its own and the
address parses; a 200-character Chinese subject comes back exactly, in encoded-words of at
most 75 characters on lines of at most 76; Message-IDs are <32 hex digits@example.com>,
different for two messages and the same for every attempt at one; a contact e-mail that hides
another address in angle brackets is refused.
"""
import argparse
import datetime
import email
import email.header
import email.policy
import json
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
sys.path.insert(0, HERE)
from lib import Server, http_call, run_cli  # noqa: E402
from smtp_sink import Sink  # noqa: E402

PASSED = FAILED = 0


def ok(cond, name, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL %s %s" % (name, detail))
    return cond


class Api:
    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None

    def call(self, method, path, body=None):
        hdrs = [("Connection", "close")]
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.append(("Content-Type", "application/json"))
        if self.cookie:
            hdrs.append(("Cookie", self.cookie))
        if self.csrf and method != "GET":
            hdrs.append(("X-CSRF-Token", self.csrf))
        st, headers, raw, _ = http_call(self.port, method, path, data, hdrs)
        for k, v in headers:
            if k.lower() == "set-cookie" and v.startswith("kam_session="):
                self.cookie = v.split(";")[0]
        try:
            return st, json.loads(raw) if raw else None
        except ValueError:
            return st, None

    def login(self, login, password):
        st, js = self.call("POST", "/api/v1/session", {"login": login, "password": password})
        self.csrf = (js or {}).get("csrf_token")
        return st


FROM = "KAM 大客户系统 <kam@example.com>"
MID = re.compile(r"^<[0-9a-f]{32}@example\.com>$")
EW = re.compile(r"=\?[^?]+\?[BbQq]\?[^?]*\?=")


def parse(data):
    return email.message_from_bytes(data, policy=email.policy.default)


def header_problems(data):
    """Raw header lines: at most 76 characters where an encoded-word is (RFC 2047), else 78;
    every encoded-word at most 75 characters."""
    head = re.split(rb"\r?\n\r?\n", data, 1)[0].decode("ascii", "replace")  # the sink gives LF
    out = []
    for line in re.split(r"\r?\n", head):
        words = EW.findall(line)
        limit = 76 if words else 78
        if len(line) > limit:
            out.append("line of %d > %d: %r" % (len(line), limit, line))
        out += ["encoded-word of %d > 75: %r" % (len(w), w) for w in words if len(w) > 75]
    return out


def jobs(kam, dsn, now, env):
    e = dict(env, KAM_NOW=str(now))
    p = subprocess.run([kam, "jobs", "run", "--db", dsn], capture_output=True, env=e, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def admin_api(srv):
    api = Api(srv.port)
    ok(api.login("care.admin", "care-admin-password") == 200, "admin login")
    return api


def long_subject(kam, dsn, now, env, admin, am, qian, first_mid):
    """A 200-character Chinese subject (with a four-byte character) through a real send."""
    subject = ("中秋佳节，月圆人团圆。感谢贵司一直以来的信任与支持，祝您和家人阖家幸福、万事如意🥮"
               * 5)[:195] + " 大客户部"
    if not ok(len(subject) == 200, "the subject has 200 characters", len(subject)):
        return
    st, tpl = admin.call("POST", "/api/v1/message-templates",
                         {"name": "长标题中秋", "locale": "zh", "occasion": "festival", "subject": subject,
                          "body": "尊敬的{{contact}}：\n中秋快乐！\n{{sender}}"})
    if not ok(st == 201, "a template with a 200-character subject", tpl) or not ok(qian, "钱总's reminder"):
        return
    st, sent = am.call("POST", "/api/v1/care/%d/send" % qian[0]["id"], {"template_id": tpl["id"]})
    ok(st == 200 and sent["mail_status"] == "queued", "send with the long subject: queued", sent)
    sink = Sink()
    sink.start()
    rc, out, err = jobs(kam, dsn, now, dict(env, KAM_SMTP_URL="smtp://127.0.0.1:%d" % sink.port, KAM_SMTP_FROM=FROM))
    # (Digests queued by the festival runs without a mail server go out in the same pass.)
    mine = [x for x in sink.messages if x["to"] == ["qian@example.cn"]]
    ok(rc == 0 and len(mine) == 1, "the long-subject mail is sent to 钱总, once", out + err)
    if mine:
        data = mine[0]["data"]
        m = parse(data)
        ok(str(m["Subject"]) == subject, "the 200-character subject round-trips exactly", str(m["Subject"]))
        p = header_problems(data)
        ok(not p, "long subject: lines <= 76, encoded-words <= 75", "; ".join(p))
        head = re.split(rb"\r?\n\r?\n", data, 1)[0].decode("ascii")
        raw_subject = re.split(r"\r?\n(?=\S)", re.split(r"\nSubject:", head, 1)[1], 1)[0]
        ok(len(EW.findall(raw_subject)) > 1 and "\n " in raw_subject, "the subject is split and folded",
           raw_subject[:200])
        mid = str(m["Message-ID"])
        ok(MID.match(mid) and mid != first_mid, "a second message, a second Message-ID", (mid, first_mid))
        mids = [str(parse(x["data"])["Message-ID"]) for x in sink.messages]
        ok(len(set(mids)) == len(mids), "every message of the pass has its own Message-ID", mids)
    sink.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kam", required=True)
    ap.add_argument("--dsn")
    args = ap.parse_args()
    kam = os.path.abspath(args.kam)
    tmp = tempfile.mkdtemp(prefix="kam-care-")
    dsn = args.dsn or "sqlite:" + os.path.join(tmp, "kam.db")
    now = int(datetime.datetime(2026, 9, 1, 2, 0, tzinfo=datetime.timezone.utc).timestamp())
    env = dict(os.environ, KAM_JOBS_INTERVAL="0")
    env.pop("KAM_SMTP_URL", None)

    ok(run_cli(kam, ["init", "--db", dsn])[0] == 0, "init")
    rc, out, err = run_cli(kam, ["user", "add", "--db", dsn, "--login", "care.admin", "--role",
                                 "admin"], stdin_text="care-admin-password\n")
    ok(rc == 0, "admin user", err)
    rc, out, err = run_cli(kam, ["user", "add", "--db", dsn, "--login", "care.am", "--role",
                                 "account_manager", "--name", "王经理"], stdin_text="care-am-password\n")
    ok(rc == 0, "account manager", err)

    srv = Server(kam, dsn, tmp, name="care", env_extra={"KAM_NOW": str(now), "KAM_JOBS_INTERVAL": "0"})
    if not ok(srv.start(), "serve", srv.start_error or ""):
        print("%d passed, %d failed" % (PASSED, FAILED))
        return 1
    am = Api(srv.port)
    ok(am.login("care.am", "care-am-password") == 200, "login")
    st, acc = am.call("POST", "/api/v1/accounts", {"code": "CARE-1", "name": "华东精密", "tier": "key"})
    ok(st == 201, "account", acc)
    birthday = "1980-09-04"  # three days after the test clock's 2026-09-01
    st, c1 = am.call("POST", "/api/v1/accounts/%d/contacts" % acc["id"],
                     {"name": "张伟", "decision_role": "decision_maker", "email": "zhang.wei@example.cn",
                      "birthday": birthday})
    ok(st == 201, "contact with a birthday in 3 days", c1)
    st, c2 = am.call("POST", "/api/v1/accounts/%d/contacts" % acc["id"],
                     {"name": "李娜", "decision_role": "user", "birthday": "1985-10-20"})
    ok(st == 201, "contact with a birthday in 7 weeks", c2)

    # Two schedulers at once: the reminder exists once, whoever made it.
    racers = [subprocess.Popen([kam, "jobs", "run", "--db", dsn], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=dict(env, KAM_NOW=str(now)))
              for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in racers]
    made = sum(int(o[0].decode().split(" care reminders")[0].rsplit(" ", 1)[-1])
               for o in outs if b" care reminders" in o[0])
    ok(all(p.returncode == 0 for p in racers) and made == 1,
       "two racing jobs runs: one birthday reminder in all (7 days ahead window)", outs)
    rc, out, err = jobs(kam, dsn, now, env)
    ok(rc == 0 and "0 care reminders" in out, "jobs again: nothing twice", out + err)
    st, lst = am.call("GET", "/api/v1/care?status=pending")
    items = (lst or {}).get("items", [])
    ok(st == 200 and len(items) == 1 and items[0]["contact_id"] == c1["id"]
       and items[0]["occasion_date"] == "2026-09-04" and items[0]["occasion_key"] == "birthday",
       "the reminder names the contact and the date", lst)
    st, notes = am.call("GET", "/api/v1/notifications")
    ok(st == 200 and any(n["kind"] == "care_due" for n in notes["items"]), "the owner is notified", notes)
    rem = items[0] if items else {"id": 0}

    st, tpls = am.call("GET", "/api/v1/message-templates")
    zh = [t for t in (tpls or {}).get("items", []) if t["locale"] == "zh" and t["occasion"] == "birthday"]
    ok(st == 200 and zh, "a Chinese birthday template exists", tpls)
    st, sent = am.call("POST", "/api/v1/care/%d/send" % rem["id"], {"template_id": zh[0]["id"] if zh else 0})
    ok(st == 200 and sent["status"] == "sent" and sent["mail_status"] == "queued", "send: queued", sent)
    st, again = am.call("POST", "/api/v1/care/%d/send" % rem["id"], {"template_id": zh[0]["id"] if zh else 0})
    ok(st == 409, "sending twice -> 409", again)
    st, tl = am.call("GET", "/api/v1/accounts/%d/interactions" % acc["id"])
    ok(st == 200 and tl["items"] and tl["items"][0]["kind"] == "email", "the greeting is an interaction", tl)
    st, c1b = am.call("GET", "/api/v1/contacts/%d" % c1["id"])
    ok(st == 200 and c1b["last_contacted_at"] is not None, "the contact's last contact moved", c1b)

    sink = Sink(refuse_first=1)
    sink.start()
    env_mail = dict(env, KAM_SMTP_URL="smtp://127.0.0.1:%d" % sink.port, KAM_SMTP_FROM=FROM)
    rc, out, err = jobs(kam, dsn, now, env_mail)
    ok(rc == 0 and "0 mails sent, 1 mails to retry" in out, "first attempt refused by the sink", out + err)
    rc, out, err = jobs(kam, dsn, now + 10, env_mail)
    ok(rc == 0 and "0 mails sent" in out, "no retry before the back-off", out)
    later = now + 120
    procs = [subprocess.Popen([kam, "jobs", "run", "--db", dsn], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=dict(env_mail, KAM_NOW=str(later)))
             for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    ok(all(p.returncode == 0 for p in procs), "two racing jobs runs exit 0", outs)
    ok(len(sink.messages) == 1, "the sink got the message exactly once", sink.messages)
    rc, out, err = jobs(kam, dsn, later + 3600, env_mail)
    ok(rc == 0 and len(sink.messages) == 1, "and never again", sink.messages)
    ok(sink.attempts == 2, "two attempts in all (one refused)", sink.attempts)
    first_mid = None
    if sink.messages:
        data = sink.messages[0]["data"]
        m = parse(data)
        subj = str(m["Subject"])
        body = m.get_body().get_content()
        ok(sink.messages[0]["to"] == ["zhang.wei@example.cn"], "to the contact", sink.messages[0]["to"])
        ok(subj == "张伟，生日快乐！", "subject rendered in Chinese", subj)
        ok("尊敬的张伟" in body and "王经理" in body and "{{" not in body, "body rendered", body)
        frm = m["From"].addresses if m["From"] is not None else ()
        ok(len(frm) == 1 and frm[0].addr_spec == "kam@example.com" and frm[0].display_name == "KAM 大客户系统",
           "From parses to one address kam@example.com named KAM 大客户系统 (display name encoded alone)",
           repr(m.get("From")) + " " + repr([(a.display_name, a.addr_spec) for a in frm]))
        ok(sink.messages[0]["from"] == "kam@example.com", "MAIL FROM is the From address", sink.messages[0]["from"])
        to = m["To"].addresses if m["To"] is not None else ()
        ok(len(to) == 1 and to[0].addr_spec == "zhang.wei@example.cn", "To parses to the contact's address",
           repr(m.get("To")))
        first_mid = str(m["Message-ID"])
        ok(MID.match(first_mid), "Message-ID <32 hex digits@example.com> (random, the From domain)", first_mid)
        ok(sink.refused and str(parse(sink.refused[0]["data"])["Message-ID"]) == first_mid,
           "the retried message keeps its Message-ID", repr([parse(r["data"])["Message-ID"] for r in sink.refused]))
        p = header_problems(data)
        ok(not p, "header lines and encoded-words within RFC 2047 limits", "; ".join(p))
    st, after = am.call("GET", "/api/v1/care/%d" % rem["id"])
    ok(st == 200 and after["mail_status"] == "sent", "the reminder shows the mail sent", after)
    # The daily digest: opt in, then one mail per day with the unread notifications.
    st, me = am.call("PATCH", "/api/v1/me", {"email": "wang@kam.example", "digest": True})
    ok(st == 200 and me["digest"] is True, "opt in to the daily digest", me)
    st, bad = am.call("PATCH", "/api/v1/me", {"role": "admin"})
    ok(st == 400 and bad["error"]["field"] == "role", "PATCH /me cannot change the role", bad)
    rc, out, err = jobs(kam, dsn, later + 7200, env_mail)
    ok(rc == 0 and "1 digests" in out, "one digest queued", out + err)
    rc, out, err = jobs(kam, dsn, later + 7300, env_mail)
    ok(rc == 0 and "0 digests" in out, "not twice the same day", out + err)
    digests = [m for m in sink.messages if m["to"] == ["wang@kam.example"]]
    ok(len(digests) == 1, "the digest arrived once", [m["to"] for m in sink.messages])
    if digests:
        body = email.message_from_bytes(digests[0]["data"]).get_payload(decode=True).decode()
        # written in the user's language (users.lang; none chosen: zh-CN), issue 12
        ok("客户关怀：生日 " in body and "Birthday" not in body and "您好" in body,
           "the digest lists the care notification, in Simplified Chinese", body)
        mid = str(parse(digests[0]["data"])["Message-ID"])
        ok(MID.match(mid) and mid != first_mid, "the digest has a Message-ID of its own", (mid, first_mid))
    sink.stop()

    # A contact e-mail hiding another address in angle brackets is refused (issue 10).
    for bad in ("x<evil@attacker.example>", "钱总 <qian@example.cn>", "qian@example.cn, evil@attacker.example"):
        st, r = am.call("POST", "/api/v1/accounts/%d/contacts" % acc["id"],
                        {"name": "钱总", "decision_role": "decision_maker", "email": bad})
        ok(st == 400 and (r or {}).get("error", {}).get("field") == "email",
           "contact e-mail %r -> 400 email" % bad, (st, r))

    # Festivals: Mid-Autumn 2026 is 09-25; 14 days before is 09-11.
    st, c3 = am.call("POST", "/api/v1/accounts/%d/contacts" % acc["id"],
                     {"name": "赵总", "decision_role": "decision_maker", "email": "zhao@example.cn"})
    st, c4 = am.call("POST", "/api/v1/accounts/%d/contacts" % acc["id"],
                     {"name": "钱总", "decision_role": "decision_maker", "email": "qian@example.cn"})
    ok(st == 201, "a third key person with a plain e-mail", c4)
    rc, out, err = jobs(kam, dsn, now + 9 * 86400, env)
    st, lst = am.call("GET", "/api/v1/care?status=pending")
    mid = [r for r in (lst or {}).get("items", []) if r["occasion_key"] == "mid_autumn"]
    ok(len(mid) == 0, "no Mid-Autumn reminder 16 days before (window 14)", lst)
    rc, out, err = jobs(kam, dsn, now + 11 * 86400, env)
    st, lst = am.call("GET", "/api/v1/care?status=pending")
    mid = [r for r in (lst or {}).get("items", []) if r["occasion_key"] == "mid_autumn"]
    ok(len(mid) == 3 and all(r["occasion_date"] == "2026-09-25" for r in mid),
       "Mid-Autumn reminders for the three key people, dated 2026-09-25", mid)
    qian = [r for r in mid if r["contact_id"] == (c4 or {}).get("id")]
    mid = [r for r in mid if r not in qian]
    if mid:
        st, done = am.call("POST", "/api/v1/care/%d/done" % mid[0]["id"], {"channel": "gift", "note": "月饼礼盒"})
        ok(st == 200 and done["status"] == "done" and done["interaction_id"], "care by hand: a gift", done)
        st, bad = am.call("POST", "/api/v1/care/%d/done" % mid[1]["id"], {"channel": "pigeon"})
        ok(st == 400 and bad["error"]["field"] == "channel", "unknown channel -> 400", bad)
        st, sk = am.call("POST", "/api/v1/care/%d/skip" % mid[1]["id"])
        ok(st == 200 and sk["status"] == "skipped", "skip", sk)
    long_subject(kam, dsn, now + 11 * 86400 + 600, env, admin_api(srv), am, qian, first_mid)
    ok(srv.stop() == 0, "server stops cleanly")
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
