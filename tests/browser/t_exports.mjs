// Exports (issue 12, item 4): on an account's contacts tab, the export menu downloads a CSV and
// an .xlsx through a plain link (the session cookie carries the login) holding the tab's
// contacts, with the visible columns labelled in the UI language (zh-CN) and the decision-role
// filter applied. The .xlsx is read by Python's zipfile (no new packages). The other list
// screens (issues, care, visits, an account's timeline, KPIs) export the columns they show with
// zh-CN labels (never raw field keys), and a refused export shows a message instead of
// downloading the error. The cells say what the screen says: the menu's links carry lang= (the
// UI language), and enum values (decision role, attitude, severity, status, category) and user
// ids (the issue's assignee) arrive as the screen's words and people's names, in zh-CN and, after
// a language switch, in en.
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'

function csvRows(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const rows = []
  let row = [], cell = '', q = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (q) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++
      else if (ch === '"') q = false
      else cell += ch
    } else if (ch === '"') q = true
    else if (ch === ',') row.push(cell), (cell = '')
    else if (ch === '\r') continue
    else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '')
    else cell += ch
  }
  if (cell || row.length) row.push(cell), rows.push(row)
  return rows
}

const XLSX_PY = `
import io, json, sys, zipfile, xml.etree.ElementTree as ET
N = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
z = zipfile.ZipFile(sys.argv[1])
# shared strings (the KPI workbook has them; the list exports write inline strings)
ss = ["".join(t.text or "" for t in si.iter(N + "t")) for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(N + "si")] if "xl/sharedStrings.xml" in z.namelist() else []
rows = []
for r in ET.fromstring(z.read("xl/worksheets/sheet1.xml")).iter(N + "row"):
    out = {}
    for c in r.findall(N + "c"):
        ref = "".join(ch for ch in c.get("r") if ch.isalpha())
        i = 0
        for ch in ref:
            i = i * 26 + ord(ch) - 64
        v = c.find(N + "v")
        out[i - 1] = "".join(t.text or "" for t in c.iter(N + "t")) if c.get("t") == "inlineStr" else ss[int(v.text)] if c.get("t") == "s" and v is not None else (v.text if v is not None else "")
    rows.append([out.get(i, "") for i in range(max(out) + 1)] if out else [])
print(json.dumps(rows))
`

export default async (k) => {
  const { check, assert, newPage, login, ready, api, allPages, browser, base } = k
  // a language's messages with the feature files merged over them, as the app does
  // (web/src/i18n/index.ts)
  const merge = (into, from) => {
    for (const [key, v] of Object.entries(from)) {
      if (v && typeof v === 'object' && into[key] && typeof into[key] === 'object') merge(into[key], v)
      else into[key] = v
    }
  }
  const messages = (lang) => {
    const m = JSON.parse(fs.readFileSync(path.join(k.ROOT, `web/src/locales/${lang}.json`), 'utf8'))
    const dir = path.join(k.ROOT, `web/src/locales/${lang}`)
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) merge(m, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
    return m
  }
  const zh = messages('zh-CN')
  const en = messages('en')
  let ctx = null
  let account = null
  let contacts = []

  async function download(page, which) {
    await page.locator('[data-test=export-menu]').first().click()
    const link = page.locator(`[data-test=export-${which}]:visible`).first()
    await link.waitFor()
    const [dl] = await Promise.all([page.waitForEvent('download'), link.click()])
    const file = await dl.path()
    assert(file, `the ${which} download has no file (${await dl.failure()})`)
    return { name: dl.suggestedFilename(), file }
  }

  /** The CSV link of the screen's export menu (the menu renders its items when first opened). */
  async function csvHref(page) {
    // (an account page keeps its other tabs' menus, hidden)
    const menu = page.locator('[data-test=export-menu]:visible').first()
    await menu.click()
    const link = page.locator('[data-test=export-csv]:visible').first()
    await link.waitFor()
    const href = await link.getAttribute('href')
    await menu.click() // closes the menu again
    await link.waitFor({ state: 'hidden' })
    return href
  }

  /** Fetches an export link in the page (the session cookie) and checks its header row: the
   *  labels the link asks for, the first one `first`, none a raw field key. */
  async function checkHeader(page, href, first) {
    const u = new URL(href, base)
    const cols = (u.searchParams.get('columns') ?? '').split(',').filter(Boolean)
    assert(cols.length > 1 && cols.every((c) => c.includes(':')), `${u.pathname}: columns ${cols.join(',')}`)
    const r = await page.evaluate(async (url) => {
      const res = await fetch(url)
      return { status: res.status, text: await res.text() }
    }, `${u.pathname}${u.search}`)
    assert(r.status === 200, `${u.pathname}: ${r.status} ${r.text.slice(0, 200)}`)
    const rows = csvRows(r.text)
    const head = rows[0]
    assert(head[0] === first, `${u.pathname}: first header ${head[0]}, want ${first}`)
    assert(head.join('|') === cols.map((c) => c.slice(c.indexOf(':') + 1)).join('|'), `${u.pathname}: header ${head.join('|')}`)
    assert(!head.some((h) => /^[a-z_]+(\.[a-z_]+)*$/.test(h)), `${u.pathname}: a raw field key in ${head.join('|')}`)
    return { u, rows }
  }

  await check('exports: the contacts tab downloads a CSV of its contacts with zh-CN column labels', async () => {
    ctx = await newPage(k.browser ?? browser, base, { label: 'exports' })
    const page = ctx.page
    await login(page, 'director')
    const accounts = await allPages(page, '/api/v1/accounts')
    for (const a of accounts) {
      const cs = await allPages(page, `/api/v1/accounts/${a.id}/contacts`)
      if (cs.length >= 2 && new Set(cs.map((c) => c.decision_role)).size >= 2) {
        account = a
        contacts = cs
        break
      }
    }
    assert(account, 'no account with two contacts of different decision roles in the demo data')
    await page.goto(`/accounts/${account.id}?tab=contacts`)
    await page.locator('[data-test=contacts-table]').waitFor()
    await ready(page)
    const { name, file } = await download(page, 'csv')
    assert(name.endsWith('.csv') && name.includes('contacts'), `file name ${name}`)
    const rows = csvRows(fs.readFileSync(file, 'utf8'))
    assert(rows[0][0] === zh.contact.name && rows[0].includes(zh.contact.email), `header ${rows[0].join('|')}`)
    const names = rows.slice(1).map((r) => r[0].replace(/^'/, ''))
    assert(rows.length - 1 === contacts.length, `${rows.length - 1} rows for ${contacts.length} contacts`)
    assert(contacts.every((c) => names.includes(c.name)), `names ${names.join(', ')}`)
    // the decision role and the attitude in the screen's words, never the stored codes
    const ri = rows[0].indexOf(zh.contact.decisionRole), ai = rows[0].indexOf(zh.contact.attitude)
    assert(ri > 0 && ai > 0, `header ${rows[0].join('|')}`)
    for (const c of contacts) {
      const r = rows.find((x) => x[0].replace(/^'/, '') === c.name)
      assert(r[ri] === zh.decisionRole[c.decision_role], `${c.name}: role ${r[ri]}, the screen says ${zh.decisionRole[c.decision_role]}`)
      assert(r[ai] === zh.attitude[String(c.attitude)], `${c.name}: attitude ${r[ai]}, the screen says ${zh.attitude[String(c.attitude)]}`)
    }
  })

  await check('exports: the contacts tab downloads an .xlsx with the same rows; the role filter applies', async () => {
    assert(ctx && account, 'no set-up')
    const page = ctx.page
    const { name, file } = await download(page, 'xlsx')
    assert(name.endsWith('.xlsx'), `file name ${name}`)
    const rows = JSON.parse(execFileSync('python3', ['-c', XLSX_PY, file], { encoding: 'utf8' }))
    assert(rows[0][0] === zh.contact.name, `header ${rows[0].join('|')}`)
    assert(rows.length - 1 === contacts.length, `${rows.length - 1} rows for ${contacts.length} contacts`)
    assert(contacts.every((c) => rows.some((r) => r[0] === c.name)), 'every contact in the workbook')
    // the tab's decision-role filter, chosen on the screen, goes into the export link and the file
    const role = contacts[0].decision_role
    const want = contacts.filter((c) => c.decision_role === role)
    assert(want.length > 0 && want.length < contacts.length, `role ${role}: ${want.length} of ${contacts.length} contacts`)
    const toolbar = page.locator('.toolbar', { has: page.locator('[data-test=export-menu]') }).first()
    await toolbar.locator('.el-select').first().click()
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: new RegExp(`^\\s*${zh.decisionRole[role]}\\s*$`) }).first().click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=contacts-table] .el-table__body-wrapper tbody tr.el-table__row').length === n, want.length)
    await ready(page)
    const href = await page.locator('[data-test=export-csv]').first().getAttribute('href')
    const u = new URL(href, base)
    assert(u.searchParams.get('decision_role') === role && u.searchParams.get('format') === 'csv', `export link ${href}`)
    const filtered = await download(page, 'csv')
    const frows = csvRows(fs.readFileSync(filtered.file, 'utf8')).slice(1).filter((r) => r.length > 1 || r[0] !== '')
    const fnames = frows.map((r) => r[0].replace(/^'/, ''))
    assert(frows.length === want.length && want.every((c) => fnames.includes(c.name)), `filtered export rows ${fnames.join(', ')}, want ${want.map((c) => c.name).join(', ')}`)
    await ctx.context.close()
  })

  await check('exports: issues, care, visits, the timeline and KPIs export their columns with zh-CN labels', async () => {
    const { context, page } = await newPage(k.browser ?? browser, base, { label: 'exports-lists' })
    try {
      await login(page, 'director')
      page.setScreen('issues')
      await page.goto('/issues')
      await page.locator('[data-test=issues-table]').waitFor()
      await ready(page)
      const issues = await allPages(page, '/api/v1/issues')
      const issuesHref = await csvHref(page)
      assert(new URL(issuesHref, base).searchParams.get('lang') === 'zh-CN', `the export link asks for the UI language: ${issuesHref}`)
      const { rows } = await checkHeader(page, issuesHref, zh.issue.titleField)
      assert(rows.length - 1 === issues.length, `${rows.length - 1} issue rows, the list has ${issues.length}`)
      // words and names as the issue table shows them
      const users = await allPages(page, '/api/v1/users')
      const nameOf = (id) => {
        const u = users.find((x) => x.id === id)
        return id == null ? '' : u ? u.name || u.login : `#${id}`
      }
      const h = rows[0]
      const col = (label) => h.indexOf(label)
      for (const [i, it] of issues.entries()) {
        const r = rows[i + 1]
        assert(r[col(zh.issue.severity)] === zh.issue.severities[it.severity], `issue ${it.id}: severity ${r[col(zh.issue.severity)]}`)
        assert(r[col(zh.issue.status)] === zh.issue.statuses[it.status], `issue ${it.id}: status ${r[col(zh.issue.status)]}`)
        assert(r[col(zh.issue.category)] === zh.issue.categories[it.category], `issue ${it.id}: category ${r[col(zh.issue.category)]}`)
        assert(r[col(zh.issue.assignee)] === nameOf(it.assignee_id), `issue ${it.id}: assignee ${r[col(zh.issue.assignee)]}, want ${nameOf(it.assignee_id)}`)
      }
      // the download itself (the menu checks the list route first, then downloads)
      const { name } = await download(page, 'csv')
      assert(name.endsWith('.csv') && name.includes('issues'), `file name ${name}`)

      page.setScreen('care')
      await page.goto('/care?status=all&all=1')
      await page.locator('[data-test=care-table]').waitFor()
      await ready(page)
      await checkHeader(page, await csvHref(page), zh.care.occasion)

      page.setScreen('visits')
      await page.goto('/visits?owner=all')
      await page.locator('[data-test=cal-range]').waitFor()
      await ready(page)
      await checkHeader(page, await csvHref(page), zh.visit.plannedAt)

      page.setScreen('timeline')
      const acc = (await api(page, 'GET', '/api/v1/accounts?limit=1')).json.items[0]
      await page.goto(`/accounts/${acc.id}?tab=timeline`)
      await page.locator('[data-test=timeline]').waitFor()
      await ready(page)
      await checkHeader(page, await csvHref(page), zh.interaction.occurredAt)

      page.setScreen('kpis')
      await page.goto('/kpis')
      await page.locator('[data-test=kpi-table]').waitFor()
      await ready(page)
      const planId = new URL(page.url()).searchParams.get('plan')
      assert(planId, `no plan in the URL ${page.url()}`)
      const href = await csvHref(page)
      const by = new URL(href, base).searchParams.get('by')
      const { u } = await checkHeader(page, href, by === 'none' ? zh.kpi.byNone : zh.volume.dims[by])
      assert(u.pathname === '/api/v1/kpis/export' && u.searchParams.get('plan_id') === planId && u.searchParams.get('period'), `KPI export ${u.pathname}${u.search}`)
      const { name: kname, file } = await download(page, 'xlsx')
      assert(kname.endsWith('.xlsx') && kname.startsWith('kpi'), `file name ${kname}`)
      const sheet = JSON.parse(execFileSync('python3', ['-c', XLSX_PY, file], { encoding: 'utf8' }))
      assert(sheet[0].includes(zh.kpi.status) && sheet[0].includes(zh.volume.actual), `KPI workbook header ${sheet[0].join('|')}`)
    } finally {
      await context.close()
    }
  })

  await check('exports: after a switch to English the issues export asks for lang=en and its cells are English words', async () => {
    const { context, page } = await newPage(k.browser ?? browser, base, { label: 'exports-en' })
    try {
      await login(page, 'director')
      page.setScreen('issues')
      await page.goto('/issues')
      await page.locator('[data-test=issues-table]').waitFor()
      await ready(page)
      await page.locator('[data-test=lang-switch]').click()
      await page.locator('[data-test="lang-en"]').click()
      await page.waitForFunction(() => document.documentElement.lang === 'en')
      await ready(page)
      const href = await csvHref(page)
      assert(new URL(href, base).searchParams.get('lang') === 'en', `export link ${href}`)
      const { rows } = await checkHeader(page, href, en.issue.titleField)
      const issues = await allPages(page, '/api/v1/issues')
      const si = rows[0].indexOf(en.issue.severity), ti = rows[0].indexOf(en.issue.status)
      assert(si >= 0 && ti >= 0, `header ${rows[0].join('|')}`)
      for (const [i, it] of issues.entries()) {
        assert(rows[i + 1][si] === en.issue.severities[it.severity] && rows[i + 1][ti] === en.issue.statuses[it.status], `issue ${it.id}: ${rows[i + 1][si]} / ${rows[i + 1][ti]}`)
      }
      // back to zh-CN for the pages that follow (the choice is remembered per browser context)
      await page.locator('[data-test=lang-switch]').click()
      await page.locator('[data-test="lang-zh-CN"]').click()
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
    } finally {
      await context.close()
    }
  })

  await check('exports: a refused export shows a message and downloads nothing', async () => {
    const { context, page } = await newPage(k.browser ?? browser, base, { label: 'exports-refused' })
    try {
      await login(page, 'director')
      page.setScreen('issues')
      await page.goto('/issues')
      await page.locator('[data-test=issues-table]').waitFor()
      await ready(page)
      // the server's own refusal of a bad filter, answered to the menu's check of the list route
      const refusal = await api(page, 'GET', '/api/v1/issues?limit=1&opened_from=bad')
      assert(refusal.status === 400 && refusal.json?.error, `refusal ${refusal.status}`)
      await page.route(
        (url) => url.pathname === '/api/v1/issues' && url.searchParams.get('limit') === '1',
        (route) => route.fulfill({ status: refusal.status, contentType: 'application/json', body: JSON.stringify(refusal.json) }),
      )
      let downloads = 0
      page.on('download', () => downloads++)
      await page.locator('[data-test=export-menu]').first().click()
      const link = page.locator('[data-test=export-csv]:visible').first()
      await link.waitFor()
      await link.click()
      await page.locator('.el-message--error').first().waitFor()
      await ready(page)
      assert(downloads === 0, `${downloads} download(s) after a refusal`)
      const text = await page.locator('.el-message--error').first().innerText()
      assert(text.trim() && !text.includes('{'), `message ${text}`)
    } finally {
      await context.close()
    }
  })
}
