#!/usr/bin/env node
// Browser tests of the KAM web workspace (web/), driving Debian's Chromium through
// playwright-core against a real `kam serve` on a throw-away SQLite database with demo data.
//
//   node tests/browser/run.mjs --kam build/kam [--keep] [--only REGEX] [--serve-dist]
//
// --serve-dist  serve web/dist from a small proxy in front of kam (with kam's CSP header), for
//               a kam binary that does not embed the web app yet.
// --keep        keep the temporary directory (database, server log).
// --only REGEX  run only the checks whose name matches.
//
// Prints one line per check, the first-load time and size of the home page, and ends with
// "N passed, N failed"; exits 1 when a check failed. Screenshots go to build/screenshots/.
import { createRequire } from 'node:module'
import { spawn, execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import http from 'node:http'
import zlib from 'node:zlib'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const require = createRequire(new URL('../../web/package.json', import.meta.url))
const { chromium } = require('playwright-core')

// ---------------------------------------------------------------- arguments
const argv = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = argv.indexOf(name)
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt
}
const flag = (name) => argv.includes(name)
const KAM = path.resolve(ROOT, opt('--kam', 'build/kam'))
const ONLY = opt('--only', '') ? new RegExp(opt('--only', ''), 'i') : null
const KEEP = flag('--keep')
const SERVE_DIST = flag('--serve-dist')
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const SHOTS = path.join(ROOT, 'build', 'screenshots')
const PASSWORD = 'kam-demo-2026'
const CSP_EXPECTED = "script-src 'self'"

// ---------------------------------------------------------------- results
let passed = 0
let failed = 0
const started = Date.now()

async function check(name, fn) {
  if (ONLY && !ONLY.test(name)) return
  const t0 = Date.now()
  try {
    await fn()
    passed++
    console.log(`ok   ${name} (${Date.now() - t0} ms)`)
  } catch (e) {
    failed++
    const msg = String(e?.message ?? e).split('\n').filter(Boolean).slice(0, 3).join(' | ')
    console.log(`FAIL ${name}: ${msg}`)
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg)
}

// ---------------------------------------------------------------- server
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

async function waitHealthy(base, proc, ms = 20000) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`kam serve exited with ${proc.exitCode}`)
    try {
      const r = await fetch(`${base}/healthz`)
      if (r.ok) return
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('kam serve did not answer /healthz in time')
}

/** --serve-dist: web/dist with the server's CSP, history fallback, /api and /healthz proxied. */
function startDistProxy(port, kamPort) {
  const dist = path.join(ROOT, 'web', 'dist')
  const csp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'"
  const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json' }
  const srv = http.createServer((req, res) => {
    if (req.url.startsWith('/api/') || req.url === '/healthz') {
      const p = http.request({ host: '127.0.0.1', port: kamPort, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers)
        r.pipe(res)
      })
      p.on('error', () => res.writeHead(502).end())
      req.pipe(p)
      return
    }
    const rel = decodeURIComponent(req.url.split('?')[0])
    let file = path.join(dist, rel)
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(dist, 'index.html')
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': csp })
    fs.createReadStream(file).pipe(res)
  })
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)))
}

// ---------------------------------------------------------------- browser helpers
const problems = [] // console errors, page errors, CSP violations: {where, what}

function watch(page, where) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    const text = m.text()
    const url = m.location()?.url ?? ''
    // An API answering 4xx is how the tests reach forms' error paths; the app shows those. Not
    // an app error. Anything else (a script error, a failed asset, a CSP refusal) is.
    if (/^Failed to load resource/.test(text) && url.includes('/api/v1/')) return
    problems.push({ where: where(), what: text.slice(0, 300) })
  })
  page.on('pageerror', (e) => problems.push({ where: where(), what: `pageerror: ${e.message.slice(0, 300)}` }))
}

async function newPage(browser, base, { locale = 'zh-CN', label = 'page' } = {}) {
  const context = await browser.newContext({ baseURL: base, locale, viewport: { width: 1440, height: 900 } })
  context.setDefaultTimeout(10000)
  await context.addInitScript(() => {
    window.__csp = []
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    )
  })
  const page = await context.newPage()
  let screen = label
  watch(page, () => `${label} ${screen || page.url()}`)
  page.setScreen = (s) => (screen = `${label}:${s}`)
  return { context, page }
}

async function cspViolations(page) {
  return page.evaluate(() => window.__csp ?? []).catch(() => [])
}

async function login(page, user, { expectFail = false, password = PASSWORD } = {}) {
  await page.goto('/login')
  await field(page, 'login-name').fill(user)
  await field(page, 'login-password').fill(password)
  await page.locator('[data-test=login-submit]').click()
  if (!expectFail) await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

/** The <input>/<textarea> of an Element Plus input carrying data-test=ID. */
function field(page, id) {
  return page
    .locator(`input[data-test="${id}"], textarea[data-test="${id}"], [data-test="${id}"] input, [data-test="${id}"] textarea`)
    .first()
}

async function chooseOption(page, id, label) {
  await page.locator(`[data-test="${id}"]`).first().click()
  const opt = page.locator('.el-select-dropdown__item:visible', { hasText: label }).first()
  await opt.click()
}

function fieldError(scope, prop) {
  return scope.locator(`[data-field="${prop}"] .el-form-item__error`)
}

async function settle(page, ms = 250) {
  await page.waitForLoadState('networkidle').catch(() => {})
  await page.waitForTimeout(ms)
}

async function shot(page, name, { fullPage = true } = {}) {
  await page.mouse.move(5, 895)
  await settle(page, 400)
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage })
}

/** fetch() inside the page, with the session's CSRF token on unsafe methods. */
async function api(page, method, url, body) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const headers = { Accept: 'application/json' }
      if (method !== 'GET') {
        const s = await fetch('/api/v1/session').then((r) => r.json())
        headers['X-CSRF-Token'] = s.csrf_token
      }
      if (body !== undefined) headers['Content-Type'] = 'application/json'
      const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await r.text()
      let json = null
      try {
        json = text ? JSON.parse(text) : null
      } catch {
        /* not JSON */
      }
      return { status: r.status, json }
    },
    { method, url, body },
  )
}

async function allPages(page, url) {
  const items = []
  let cursor = null
  for (;;) {
    const sep = url.includes('?') ? '&' : '?'
    const r = await api(page, 'GET', `${url}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    assert(r.status === 200, `GET ${url} -> ${r.status}`)
    items.push(...r.json.items)
    if (!r.json.next_cursor) return items
    cursor = r.json.next_cursor
  }
}

async function tableRows(page, testId) {
  return page.locator(`[data-test="${testId}"] .el-table__body-wrapper tbody tr.el-table__row`)
}

const digits = (s) => Number(String(s).replace(/[^\d]/g, ''))

// ---------------------------------------------------------------- main
async function main() {
  assert(fs.existsSync(KAM), `no kam binary at ${KAM} (run make)`)
  fs.mkdirSync(SHOTS, { recursive: true })
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kam-browser-'))
  const dsn = `sqlite:${path.join(tmp, 'kam.db')}`
  execFileSync(KAM, ['init', '--db', dsn], { stdio: 'pipe' })
  execFileSync(KAM, ['demo', '--db', dsn], { stdio: 'pipe' })
  const port = await freePort()
  const logFile = path.join(tmp, 'serve.log')
  const log = fs.openSync(logFile, 'w')
  const server = spawn(KAM, ['serve', '--db', dsn, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', log, log] })
  let proxy = null
  let browser = null
  try {
    const kamBase = `http://127.0.0.1:${port}`
    await waitHealthy(kamBase, server)
    let base = kamBase
    if (SERVE_DIST) {
      const p2 = await freePort()
      proxy = await startDistProxy(p2, port)
      base = `http://127.0.0.1:${p2}`
      console.log(`# serving web/dist through a proxy at ${base} (kam at ${kamBase})`)
    }

    let spaOk = false
    await check('kam serves the web app (index.html with the CSP header, history fallback)', async () => {
      for (const p of ['/', '/accounts/1?tab=map']) {
        const r = await fetch(base + p)
        const text = await r.text()
        assert(r.status === 200, `${p}: status ${r.status}`)
        assert(text.includes('<div id="app">'), `${p}: not the web app's index.html: ${text.slice(0, 80)}`)
        const csp = r.headers.get('content-security-policy') ?? ''
        assert(csp.includes(CSP_EXPECTED), `${p}: CSP header is "${csp}"`)
        assert(!/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/i.test(text), `${p}: inline <script> in index.html`)
      }
      spaOk = true
    })
    if (!spaOk) {
      console.log('# kam does not serve web/dist (rebuild with make, or pass --serve-dist); skipping the UI checks')
      return
    }

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    await runChecks(browser, base)
  } finally {
    if (browser) await browser.close().catch(() => {})
    if (proxy) proxy.close()
    server.kill('SIGTERM')
    await new Promise((resolve) => {
      if (server.exitCode !== null) return resolve()
      const t = setTimeout(() => {
        server.kill('SIGKILL')
        resolve()
      }, 5000)
      server.on('exit', () => {
        clearTimeout(t)
        resolve()
      })
    })
    if (failed && fs.existsSync(logFile)) {
      const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-8)
      console.log(`# last lines of the server log:\n${tail.map((l) => `#   ${l}`).join('\n')}`)
    }
    if (KEEP) console.log(`# kept ${tmp}`)
    else fs.rmSync(tmp, { recursive: true, force: true })
  }
}

async function runChecks(browser, base) {
  // ------------------------------------------------------------ account manager, zh-CN
  const am = await newPage(browser, base, { label: 'am.east1' })
  const page = am.page
  let me = null
  let created = null // { id, name }

  await check('login page: wrong password shows an error, then log in (zh-CN)', async () => {
    page.setScreen('login')
    await page.goto('/')
    await page.waitForURL(/\/login/)
    await page.locator('[data-test=login-submit]').waitFor()
    await shot(page, 'login-zh-CN')
    await login(page, 'am.east1', { expectFail: true, password: 'wrong-password' })
    const err = page.locator('[data-test=login-error]')
    await err.waitFor()
    assert((await err.innerText()).includes('用户名或密码错误'), `error text: ${await err.innerText()}`)
    await login(page, 'am.east1')
    assert(new URL(page.url()).pathname === '/', `landed on ${page.url()}`)
    me = (await api(page, 'GET', '/api/v1/me')).json
    assert(me?.login === 'am.east1', 'GET /me after login')
  })

  await check('home: own accounts and a tier chart from real data', async () => {
    page.setScreen('home')
    await page.locator('[data-test=tier-chart] canvas').waitFor()
    await page.locator('[data-test=tier-chart] [data-rendered="1"]').waitFor()
    const mine = await allPages(page, `/api/v1/accounts?owner_id=${me.id}`)
    const kpi = digits(await page.locator('[data-test=kpi-mine]').innerText())
    assert(kpi === mine.length, `KPI says ${kpi}, API has ${mine.length} own accounts`)
    const rows = await (await tableRows(page, 'my-accounts')).count()
    assert(rows === Math.min(8, mine.length) && rows > 0, `my accounts table has ${rows} rows`)
    const first = await (await tableRows(page, 'my-accounts')).first().innerText()
    assert(mine.some((a) => first.includes(a.name)), `first row "${first.slice(0, 40)}" is not one of mine`)
    await shot(page, 'home-zh-CN')
  })

  await check('account list: search a Chinese name ("精密")', async () => {
    page.setScreen('accounts')
    await page.locator('[data-test=nav-accounts]').click()
    await page.waitForURL(/\/accounts$/)
    await (await tableRows(page, 'account-table')).first().waitFor()
    await shot(page, 'accounts-zh-CN')
    await field(page, 'account-search').fill('精密')
    await page.waitForURL(/q=/)
    await settle(page)
    const expected = (await api(page, 'GET', '/api/v1/accounts?q=' + encodeURIComponent('精密') + '&limit=20')).json.items
    assert(expected.length > 0, 'the API finds no account with 精密 (demo data changed?)')
    const rows = await tableRows(page, 'account-table')
    const n = await rows.count()
    assert(n === expected.length, `${n} rows, API returns ${expected.length}`)
    for (let i = 0; i < n; i++) {
      const t = await rows.nth(i).innerText()
      assert(t.includes('精密'), `row ${i} does not mention 精密: ${t.slice(0, 60)}`)
    }
  })

  await check('account list: search an English name, case-insensitive ("EAST CHINA precision")', async () => {
    await field(page, 'account-search').fill('EAST CHINA precision')
    await page.waitForURL(/q=EAST/)
    await settle(page)
    const rows = await tableRows(page, 'account-table')
    const n = await rows.count()
    assert(n > 0, 'no rows')
    for (let i = 0; i < n; i++) {
      const t = (await rows.nth(i).innerText()).toLowerCase()
      assert(t.includes('east china precision'), `row ${i}: ${t.slice(0, 60)}`)
    }
  })

  await check('account list: tier filter, sort and cursor paging', async () => {
    await page.goto('/accounts')
    await (await tableRows(page, 'account-table')).first().waitFor()
    await chooseOption(page, 'filter-tier', '成长')
    await page.waitForURL(/tier=growth/)
    await settle(page)
    const growth = await allPages(page, '/api/v1/accounts?tier=growth')
    const rows = await tableRows(page, 'account-table')
    const n = await rows.count()
    assert(n === Math.min(20, growth.length), `${n} rows for tier growth, API has ${growth.length}`)
    for (let i = 0; i < n; i++) assert((await rows.nth(i).innerText()).includes('成长'), `row ${i} is not growth`)
    // paging through everything in scope with the opaque cursor
    await page.goto('/accounts?sort=code')
    await settle(page)
    const all = await allPages(page, '/api/v1/accounts?sort=code')
    assert(all.length > 20, `only ${all.length} accounts in scope, cannot page`)
    const firstPage = await (await tableRows(page, 'account-table')).first().innerText()
    assert(firstPage.includes(all[0].code), `sorted by code, first row is not ${all[0].code}`)
    await page.locator('[data-test=page-next]').click()
    await page.waitForURL(/cursor=/)
    await settle(page)
    const second = await (await tableRows(page, 'account-table')).first().innerText()
    assert(second.includes(all[20].code), `page 2 starts with "${second.slice(0, 30)}", expected ${all[20].code}`)
    await page.locator('[data-test=page-prev]').click()
    await page.waitForURL((u) => !u.search.includes('cursor='))
    await settle(page)
    assert((await (await tableRows(page, 'account-table')).first().innerText()).includes(all[0].code), 'back on page 1')
  })

  await check('create account: client rules, a server error next to its field, fix, save', async () => {
    page.setScreen('account-new')
    await page.goto('/accounts/new')
    await page.locator('[data-test=account-form]').waitFor()
    await page.locator('[data-test=save]').click()
    await fieldError(page, 'name').waitFor()
    assert((await fieldError(page, 'name').innerText()).includes('必填'), 'name is required')
    await field(page, 'f-code').fill('C000001') // taken: only the server knows
    const name = `浦江精密测试科技有限公司 ${Date.now() % 100000}`
    await field(page, 'f-name').fill(name)
    await field(page, 'f-alias').fill('Pujiang Precision Test Co.')
    await field(page, 'f-revenue').fill('12500000.50')
    await page.locator('[data-test=save]').click()
    // the server's 409 (field "code") is shown at the code field
    await fieldError(page, 'code').filter({ hasText: '编码已被' }).waitFor()
    await shot(page, 'account-form-error-zh-CN')
    await field(page, 'f-code').fill(`WEB${Date.now() % 1000000}`)
    await page.locator('[data-test=save]').click()
    await page.waitForURL(/\/accounts\/\d+$/)
    await page.locator('[data-test=account-name]').waitFor()
    assert((await page.locator('[data-test=account-name]').innerText()).includes(name), 'account page shows the new name')
    created = { id: Number(new URL(page.url()).pathname.split('/')[2]), name }
    const a = (await api(page, 'GET', `/api/v1/accounts/${created.id}`)).json
    assert(a.revenue?.amount === 1250000050 && a.revenue.currency === 'CNY', `revenue stored as ${JSON.stringify(a.revenue)}`)
  })

  await check('create contacts: a bad e-mail shown next to its field, fix, save; reports-to', async () => {
    assert(created, 'no account created')
    page.setScreen('contacts')
    await page.goto(`/accounts/${created.id}?tab=contacts`)
    await page.locator('[data-test=new-contact]').click()
    const dlg = page.locator('.el-dialog', { has: page.locator('[data-test=c-save]') })
    await dlg.waitFor()
    await field(page, 'c-name').fill('李明')
    await field(page, 'c-title').fill('采购总监')
    await field(page, 'c-email').fill('li.ming-at-example.cn')
    await page.locator('[data-test=c-save]').click()
    await fieldError(dlg, 'email').waitFor()
    assert((await fieldError(dlg, 'email').innerText()).includes('邮箱'), 'e-mail error text')
    await shot(page, 'contact-error-zh-CN', { fullPage: false })
    await field(page, 'c-email').fill('li.ming@example.cn')
    await page.locator('[data-test=c-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator('[data-test=contacts-table]', { hasText: '李明' }).waitFor()
    // a second one, reporting to the first, a supporter
    await page.locator('[data-test=new-contact]').click()
    await dlg.waitFor()
    await field(page, 'c-name').fill('王芳')
    await field(page, 'c-title').fill('采购经理')
    await chooseOption(page, 'c-reports-to', '李明')
    await page.locator('[data-test=c-attitude] label', { hasText: '+2' }).click()
    await page.locator('[data-test=c-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const cs = (await api(page, 'GET', `/api/v1/accounts/${created.id}/contacts`)).json.items
    const li = cs.find((c) => c.name === '李明')
    const wang = cs.find((c) => c.name === '王芳')
    assert(li && wang && wang.reports_to_id === li.id && wang.attitude === 2, `stored: ${JSON.stringify(cs.map((c) => [c.name, c.reports_to_id, c.attitude]))}`)
    created.li = li.id
    created.wang = wang.id
  })

  let mapAccount = null
  await check('buying-centre map: org chart from reports_to_id with role, influence, attitude, freshness', async () => {
    assert(created?.li, 'no contacts created')
    page.setScreen('map')
    await page.goto(`/accounts/${created.id}?tab=map`)
    await page.locator('[data-test=map-node]').first().waitFor()
    assert((await page.locator('[data-test=map-node]').count()) === 2, 'two people on the new account')
    const nested = page.locator(`li:has(> [data-contact-id="${created.li}"]) > ul > li > [data-contact-id="${created.wang}"]`)
    assert((await nested.count()) === 1, '王芳 is drawn under 李明')
    assert((await page.locator(`[data-contact-id="${created.wang}"] [data-attitude="2"]`).count()) === 1, 'attitude +2 shown')
    assert((await page.locator(`[data-contact-id="${created.li}"]`).innerText()).includes('从未联系'), 'freshness "never"')
    // a demo account with a bigger buying centre
    const mine = await allPages(page, `/api/v1/accounts?owner_id=${me.id}`)
    let best = null
    for (const a of mine.slice(0, 12)) {
      const n = (await allPages(page, `/api/v1/accounts/${a.id}/contacts`)).length
      if (!best || n > best.n) best = { id: a.id, n }
    }
    mapAccount = best.id
    const contacts = await allPages(page, `/api/v1/accounts/${best.id}/contacts`)
    await page.goto(`/accounts/${best.id}`)
    await page.locator('[data-test=profile]').waitFor()
    await shot(page, 'account-zh-CN')
    await page.goto(`/accounts/${best.id}?tab=map`)
    await page.locator('[data-test=map-node]').first().waitFor()
    const nodes = page.locator('[data-test=map-node]')
    assert((await nodes.count()) === contacts.length, `${await nodes.count()} nodes for ${contacts.length} contacts`)
    for (const c of contacts) {
      const node = page.locator(`[data-test=map-node][data-contact-id="${c.id}"]`)
      assert((await node.locator(`[data-influence="${c.influence}"]`).count()) === 1, `influence of ${c.name}`)
      const att = node.locator(`[data-attitude="${c.attitude}"]`)
      assert((await att.count()) === 1, `attitude of ${c.name}`)
      const color = await att.evaluate((el) => getComputedStyle(el).color)
      assert(color !== 'rgb(0, 0, 0)', 'attitude is colour-coded')
      const days = await node.locator('[data-days]').getAttribute('data-days')
      assert(c.last_contacted_at ? /^\d+$/.test(days) : days === 'never', `freshness of ${c.name}: ${days}`)
      if (c.reports_to_id) {
        const under = page.locator(`li:has(> [data-contact-id="${c.reports_to_id}"]) > ul > li > [data-contact-id="${c.id}"]`)
        assert((await under.count()) === 1, `${c.name} is not drawn under contact ${c.reports_to_id}`)
      }
    }
    await shot(page, 'map-zh-CN')
  })

  await check('history: the account page lists audit rows of the account and its contacts', async () => {
    assert(created, 'no account created')
    page.setScreen('history')
    await page.goto(`/accounts/${created.id}?tab=history`)
    await page.locator('[data-test=history] .el-timeline-item').first().waitFor()
    const audit = (await api(page, 'GET', `/api/v1/audit?entity=account&id=${created.id}`)).json.items
    const n = await page.locator('[data-test=history] .el-timeline-item').count()
    assert(n === audit.length && n >= 3, `${n} entries, API has ${audit.length}`)
    const text = await page.locator('[data-test=history]').innerText()
    assert(text.includes('王芳') && text.includes('李明'), 'contact names in the history')
  })

  await check('account team: the owner leads it; add a member', async () => {
    assert(created, 'no account created')
    page.setScreen('team')
    await page.goto(`/accounts/${created.id}?tab=team`)
    const rows = await tableRows(page, 'members-table')
    await rows.first().waitFor()
    assert((await rows.count()) === 1 && (await rows.first().innerText()).includes('负责人'), 'the owner is listed first')
    await page.locator('[data-test=add-member]').click()
    await chooseOption(page, 'm-user', 'service1')
    await chooseOption(page, 'm-role', '服务')
    await page.locator('[data-test=m-save]').click()
    await page.locator('[data-test=members-table]', { hasText: 'service1' }).waitFor()
    const members = (await api(page, 'GET', `/api/v1/accounts/${created.id}/members`)).json.items
    assert(members.length === 1 && members[0].login === 'service1' && members[0].dept_role === 'service', `members: ${JSON.stringify(members)}`)
  })

  await check('language: switch to 繁體中文 and English, labels change, choice remembered', async () => {
    page.setScreen('language')
    await page.goto('/')
    await page.locator('[data-test=tier-chart] [data-rendered="1"]').waitFor()
    const nav = page.locator('[data-test=nav-accounts]')
    assert((await nav.innerText()).includes('客户'), 'starts in zh-CN')
    await page.locator('[data-test=lang-switch]').click()
    await page.locator('[data-test="lang-zh-TW"]').click()
    await page.waitForFunction(() => document.documentElement.lang === 'zh-TW')
    assert((await nav.innerText()).includes('客戶'), `zh-TW label: ${await nav.innerText()}`)
    assert((await page.locator('[data-test=greeting]').innerText()).match(/早安|午安|晚安/), 'greeting in zh-TW')
    await shot(page, 'home-zh-TW')
    await page.locator('[data-test=lang-switch]').click()
    await page.locator('[data-test="lang-en"]').click()
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    assert((await nav.innerText()).includes('Accounts'), `en label: ${await nav.innerText()}`)
    await page.reload()
    await page.locator('[data-test=tier-chart] [data-rendered="1"]').waitFor()
    assert((await page.locator('[data-test=nav-accounts]').innerText()).includes('Accounts'), 'English after reload')
    const greet = await page.locator('[data-test=greeting]').innerText()
    assert(/^Good (morning|afternoon|evening)/.test(greet), `greeting: ${greet}`)
    await shot(page, 'home-en')
    await page.goto('/accounts')
    await (await tableRows(page, 'account-table')).first().waitFor()
    assert((await page.locator('[data-test=account-table] thead').innerText()).includes('Tier'), 'table header in English')
    await shot(page, 'accounts-en')
    if (mapAccount) {
      await page.goto(`/accounts/${mapAccount}`)
      await page.locator('[data-test=profile]').waitFor()
      assert((await page.locator('[data-test=profile]').innerText()).includes('Annual revenue'), 'profile in English')
      await shot(page, 'account-en')
      await page.goto(`/accounts/${mapAccount}?tab=map`)
      await page.locator('[data-test=map-node]').first().waitFor()
      const mapText = await page.locator('[data-test=buying-center]').innerText()
      assert(/Decision maker|Influencer|Champion|Gatekeeper|User|Other/.test(mapText), 'decision roles in English')
      await shot(page, 'map-en')
    }
  })

  await check('a 403 from the API is shown in the form (request refused by the server)', async () => {
    page.setScreen('account-edit')
    assert(created, 'no account created')
    await page.goto(`/accounts/${created.id}/edit`)
    await field(page, 'f-name').waitFor()
    await page.waitForFunction(() => document.querySelector('input[data-test="f-name"], [data-test="f-name"] input')?.value)
    // Make the server refuse the change: a CSRF token it did not issue answers 403 forbidden.
    await page.evaluate(() => {
      const pinia = document.querySelector('#app').__vue_app__.config.globalProperties.$pinia
      pinia.state.value.session.csrfToken = 'not-the-token'
    })
    await field(page, 'f-alias').fill('Refused Alias')
    await page.locator('[data-test=save]').click()
    const alert = page.locator('[data-test=form-error]')
    await alert.waitFor()
    const text = await alert.innerText()
    assert(text.includes('403'), `alert: ${text}`)
    assert(new URL(page.url()).pathname.endsWith('/edit'), 'stays on the form')
  })

  await check('401 (session ended) sends the user to the login page', async () => {
    page.setScreen('expired')
    await page.goto('/')
    await page.locator('[data-test=nav-accounts]').waitFor()
    const r = await api(page, 'DELETE', '/api/v1/session')
    assert(r.status === 204, `logout via API: ${r.status}`)
    await page.locator('[data-test=nav-accounts]').click()
    await page.waitForURL(/\/login\?redirect=/)
    await page.locator('[data-test=login-submit]').waitFor()
  })

  await check('logout from the user menu', async () => {
    await login(page, 'am.east1')
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=logout]').click()
    await page.waitForURL(/\/login/)
    const r = await api(page, 'GET', '/api/v1/me')
    assert(r.status === 401, `GET /me after logout: ${r.status}`)
  })
  for (const v of await cspViolations(page)) problems.push({ where: 'am.east1', what: `CSP: ${v}` })
  await am.context.close()

  // ------------------------------------------------------------ first load of the home page
  await check('home first load (cold cache, signed in) is measured', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'first-load' })
    const r = await context.request.post('/api/v1/session', { data: { login: 'am.east1', password: PASSWORD } })
    assert(r.ok(), `login via API: ${r.status()}`)
    const loaded = []
    p.on('response', (res) => {
      const type = res.request().resourceType()
      if (type === 'script' || type === 'stylesheet') loaded.push(res)
    })
    await p.goto('/')
    await p.locator('[data-test=tier-chart] [data-rendered="1"]').waitFor({ timeout: 20000 })
    const ms = await p.evaluate(() => {
      const m = performance.getEntriesByName('kam:home-chart')[0]
      return m ? Math.round(m.startTime) : null
    })
    assert(ms !== null, 'no kam:home-chart performance mark')
    let raw = 0
    let gz = 0
    const byKind = { script: [0, 0], stylesheet: [0, 0] }
    for (const res of loaded) {
      const body = await res.body().catch(() => Buffer.alloc(0))
      const g = zlib.gzipSync(body, { level: 9 }).length
      raw += body.length
      gz += g
      const k = byKind[res.request().resourceType()]
      k[0] += body.length
      k[1] += g
    }
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`
    console.log(`home first load: ${ms} ms`)
    console.log(
      `home first screen JS+CSS: ${loaded.length} files, ${kb(raw)} raw, ${kb(gz)} gzip ` +
        `(JS ${kb(byKind.script[0])} / ${kb(byKind.script[1])} gzip, CSS ${kb(byKind.stylesheet[0])} / ${kb(byKind.stylesheet[1])} gzip)`,
    )
    for (const v of await cspViolations(p)) problems.push({ where: 'first-load', what: `CSP: ${v}` })
    await context.close()
  })

  // ------------------------------------------------------------ viewer
  const vw = await newPage(browser, base, { label: 'viewer' })
  let viewerAccount = null
  await check('viewer: no create/edit/delete offered', async () => {
    const p = vw.page
    p.setScreen('home')
    await login(p, 'viewer')
    assert((await p.locator('[data-test=home-new-account]').count()) === 0, 'no "new account" on home')
    const list = await api(p, 'GET', '/api/v1/accounts?limit=5')
    assert(list.status === 200 && list.json.items.length > 0, 'viewer sees some accounts via the API')
    viewerAccount = list.json.items[0].id
    p.setScreen('accounts')
    await p.locator('[data-test=nav-accounts]').click()
    await (await tableRows(p, 'account-table')).first().waitFor()
    assert((await p.locator('[data-test=new-account]').count()) === 0, 'no "new account" button')
    assert((await p.locator('[data-test=edit-account]').count()) === 0, 'no edit links in the list')
    p.setScreen('account')
    await p.goto(`/accounts/${viewerAccount}`)
    await p.locator('[data-test=account-name]').waitFor()
    assert((await p.locator('[data-test=edit-account]').count()) === 0, 'no edit button')
    assert((await p.locator('[data-test=delete-account]').count()) === 0, 'no delete button')
    await p.goto(`/accounts/${viewerAccount}?tab=contacts`)
    await p.locator('[data-test=contacts-table]').waitFor()
    assert((await p.locator('[data-test=new-contact]').count()) === 0, 'no "new contact" button')
    assert((await p.locator('[data-test=edit-contact]').count()) === 0, 'no contact edit links')
    await p.goto(`/accounts/${viewerAccount}?tab=team`)
    await p.locator('[data-test=members-table]').waitFor()
    assert((await p.locator('[data-test=add-member]').count()) === 0, 'no "add member" button')
    assert((await p.locator('[data-test=nav-users]').count()) === 0, 'no administration menu')
  })

  await check('viewer: the edit URL shows the 403 message; a PATCH sent from the page gets 403', async () => {
    const p = vw.page
    assert(viewerAccount, 'no account for the viewer')
    p.setScreen('account-edit')
    await p.goto(`/accounts/${viewerAccount}/edit`)
    const f = p.locator('[data-test=forbidden]')
    await f.waitFor()
    assert((await f.innerText()).includes('403'), `forbidden text: ${await f.innerText()}`)
    await shot(p, 'viewer-forbidden-zh-CN', { fullPage: false })
    const r = await api(p, 'PATCH', `/api/v1/accounts/${viewerAccount}`, { name: 'viewer was here' })
    assert(r.status === 403 && r.json?.error?.code === 'forbidden', `PATCH as viewer: ${r.status} ${JSON.stringify(r.json)}`)
    const after = await api(p, 'GET', `/api/v1/accounts/${viewerAccount}`)
    assert(after.json.name !== 'viewer was here', 'the account did not change')
  })
  for (const v of await cspViolations(vw.page)) problems.push({ where: 'viewer', what: `CSP: ${v}` })
  await vw.context.close()

  // ------------------------------------------------------------ hr and admin
  await check('hr: only users and teams are offered; administrators cannot be edited', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'hr' })
    await login(p, 'hr')
    assert((await p.locator('[data-test=nav-accounts]').count()) === 0, 'no accounts menu')
    await p.locator('[data-test=nav-users]').click()
    await (await tableRows(p, 'users-table')).first().waitFor()
    const adminRow = (await tableRows(p, 'users-table')).filter({ hasText: 'admin@' }).first()
    assert(await adminRow.locator('[data-test=edit-user]').isDisabled(), 'editing the admin is disabled for hr')
    await p.goto('/accounts')
    await p.locator('[data-test=forbidden]').waitFor()
    for (const v of await cspViolations(p)) problems.push({ where: 'hr', what: `CSP: ${v}` })
    await context.close()
  })

  await check('admin: users list, create with a taken login (error at the field), teams tree', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'admin' })
    p.setScreen('users')
    await login(p, 'admin')
    await p.locator('[data-test=nav-users]').click()
    await (await tableRows(p, 'users-table')).first().waitFor()
    assert((await (await tableRows(p, 'users-table')).count()) >= 10, 'users listed')
    await shot(p, 'users-zh-CN')
    await p.locator('[data-test=new-user]').click()
    const dlg = p.locator('.el-dialog', { has: p.locator('[data-test=u-save]') })
    await dlg.waitFor()
    await field(p, 'u-login').fill('am.east1')
    await field(p, 'u-name').fill('测试用户')
    await field(p, 'u-password').fill('a-long-password-1')
    await p.locator('[data-test=u-save]').click()
    await fieldError(dlg, 'login').waitFor()
    assert((await fieldError(dlg, 'login').innerText()).includes('已被占用'), 'login taken shown at the field')
    const newLogin = `web.test${Date.now() % 100000}`
    await field(p, 'u-login').fill(newLogin)
    await p.locator('[data-test=u-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const users = await allPages(p, `/api/v1/users?q=${newLogin}`)
    assert(users.some((u) => u.login === newLogin && u.name === '测试用户'), 'user created')
    p.setScreen('teams')
    await p.locator('[data-test=nav-teams]').click()
    await (await tableRows(p, 'teams-table')).first().waitFor()
    const teams = (await api(p, 'GET', '/api/v1/teams')).json.items
    assert((await (await tableRows(p, 'teams-table')).count()) === teams.length, 'every team in the tree')
    await shot(p, 'teams-zh-CN')
    for (const v of await cspViolations(p)) problems.push({ where: 'admin', what: `CSP: ${v}` })
    await context.close()
  })

  await check('no console errors and no CSP violations on any screen', async () => {
    if (problems.length) {
      for (const pr of problems.slice(0, 10)) console.log(`#   ${pr.where}: ${pr.what}`)
      throw new Error(`${problems.length} problem(s)`)
    }
  })
}

main()
  .catch((e) => {
    failed++
    console.log(`FAIL harness: ${e?.stack ?? e}`)
  })
  .finally(() => {
    console.log(`# screenshots in ${path.relative(ROOT, SHOTS)}/, ${((Date.now() - started) / 1000).toFixed(1)} s`)
    console.log(`${passed} passed, ${failed} failed`)
    process.exit(failed ? 1 : 0)
  })
