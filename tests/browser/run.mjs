#!/usr/bin/env node
// Browser tests of the KAM web workspace (web/), driving Debian's Chromium through
// playwright-core against a real `kam serve` on a throw-away SQLite database with demo data.
//
//   node tests/browser/run.mjs --kam build/kam [--keep] [--only REGEX] [--lanes N] [--serve-dist [--dist DIR]]
//
// --serve-dist  serve web/dist (or --dist DIR, e.g. a `vite build --outDir DIR`) from a small
//               proxy in front of kam (with kam's CSP header), for a kam binary that does not
//               embed that build of the web app.
// --keep        keep the temporary directory (database, server log).
// --only REGEX  run only the checks whose name matches.
// --lanes N     run the checks on N servers at once (default KAM_BROWSER_LANES or 2; startLane).
//
// The checks of each feature live in tests/browser/t_*.mjs; each file, and the core checks here,
// is a unit that runs whole on one lane (startLane).
// Prints one line per check, the first-load transfer and time of the login page and the home
// (t_weight.mjs, '# weight' lines), and ends with
// "N passed, N failed"; exits 1 when a check failed. Screenshots go to build/screenshots/.
//
// No check sleeps: each waits for an element, an attribute or the app's readiness signal
// (ready() below, <html data-ready="1">), so a busy machine makes the suite slower, not red.
// KAM_BROWSER_TIMEOUT_MS (default 90000) bounds every single wait, as a safety net only.
import { createRequire } from 'node:module'
import { spawn, execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import http from 'node:http'

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
const DIST = path.resolve(ROOT, opt('--dist', 'web/dist'))
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const SHOTS = path.join(ROOT, 'build', 'screenshots')
const PASSWORD = 'kam-demo-2026'
const CSP_EXPECTED = "script-src 'self'"
const TIMEOUT = Number(process.env.KAM_BROWSER_TIMEOUT_MS ?? 90000) // per wait, a safety net

// ---------------------------------------------------------------- results
let passed = 0
let failed = 0
const started = Date.now()

async function check(name, fn, { always = false } = {}) {
  if (ONLY && !ONLY.test(name) && !always) return
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

async function waitHealthy(base, proc, ms = TIMEOUT) {
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

/** --serve-dist: web/dist with the server's CSP, history fallback, /api, /calendar and /healthz proxied. */
function startDistProxy(port, kamPort) {
  const dist = DIST
  const csp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'"
  const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json' }
  const srv = http.createServer((req, res) => {
    if (req.url.startsWith('/api/') || req.url.startsWith('/calendar/') || req.url === '/healthz') {
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
    // kam serves /s (the public survey answer page) from its own entry s.html (src/http/static.c)
    const entry = rel === '/s' && fs.existsSync(path.join(dist, 's.html')) ? 's.html' : 'index.html'
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(dist, entry)
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
  // Upper bounds, not expectations: every wait ends on a signal of the app (an element, an
  // attribute, <html data-ready>); this only stops a check that would otherwise hang.
  context.setDefaultTimeout(TIMEOUT)
  context.setDefaultNavigationTimeout(TIMEOUT)
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
  // a single select closes its dropdown on the choice: wait for it to be gone, so the next tap
  // (another select, the dialog's save) does not land on a dropdown still fading out over it
  const single = opt.locator('xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " el-select-dropdown ")][not(contains(@class, "is-multiple"))]')
  if (await single.count()) await opt.waitFor({ state: 'hidden' })
}

/** Waits for a dialog to close after its save; if it stays open, the failure says what the form shows. */
async function dialogClosed(dlg) {
  try {
    await dlg.waitFor({ state: 'hidden' })
  } catch (e) {
    const errs = await dlg.locator('.el-form-item__error, [data-test=form-error]').allInnerTexts().catch(() => [])
    throw new Error(`the dialog stayed open (${errs.length ? `it shows: ${errs.join('; ')}` : 'no error shown'}): ${String(e.message).split('\n')[0]}`)
  }
}

function fieldError(scope, prop) {
  return scope.locator(`[data-field="${prop}"] .el-form-item__error`)
}

/**
 * Waits for the application's own readiness signal (web/src/composables/ready.ts):
 * <html data-ready="1"> while no navigation, API request, lazy chunk, debounced search or chart
 * drawing is outstanding. It must hold on three animation frames in a row, so work that one
 * finished piece starts in a later frame is waited for too. Never a fixed delay: the checks run
 * as fast as the app on a quiet machine and as slow as it on a busy one.
 */
async function ready(page) {
  await page.waitForFunction(
    (token) => {
      if (window.__kamReadyToken !== token) {
        window.__kamReadyToken = token
        window.__kamReadyFrames = 0
      }
      if (document.documentElement.dataset.ready !== '1') {
        window.__kamReadyFrames = 0
        return false
      }
      return ++window.__kamReadyFrames >= 3
    },
    `${Date.now()}-${Math.random()}`,
    { polling: 'raf' },
  )
}

async function shot(page, name, { fullPage = true } = {}) {
  await page.mouse.move(5, 895)
  await ready(page)
  // finite CSS animations and transitions (hover, dialogs) are taken at their end state
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' })
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

/** The API's time format: "YYYY-MM-DDTHH:MM:SSZ". */
const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

/** "YYYY-MM-DD" of a local date (the browser runs in this process's time zone). */
function localDay(d) {
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** Types a local date and time into an Element Plus date-time picker (format YYYY-MM-DD HH:mm). */
async function fillDate(page, id, d) {
  const p = (n) => String(n).padStart(2, '0')
  const input = field(page, id)
  await input.click()
  await input.fill(`${localDay(d)} ${p(d.getHours())}:${p(d.getMinutes())}`)
  await input.press('Enter')
}

// ---------------------------------------------------------------- main
/**
 * A lane: a `kam serve` of its own on a throw-away SQLite database with the demo data (and,
 * with --serve-dist, its own proxy). The checks run on LANES lanes at once (KAM_BROWSER_LANES,
 * default 2; --lanes N): the suite waits on the app far more than it computes, so two lanes take
 * little more than half the time of one. Each unit of checks (the core checks of this file, or
 * one tests/browser/t_*.mjs) runs whole on one lane, in its own order, against that lane's
 * database; a lane takes the next unit when it is done with one. Units are independent: each
 * makes the records it needs.
 */
async function startLane(n) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kam-browser-'))
  const dsn = `sqlite:${path.join(tmp, 'kam.db')}`
  const logFile = path.join(tmp, 'serve.log')
  const lane = { n, tmp, dsn, logFile, server: null, proxy: null, base: null, kamBase: null }
  execFileSync(KAM, ['init', '--db', dsn], { stdio: 'pipe' })
  execFileSync(KAM, ['demo', '--db', dsn], { stdio: 'pipe' })
  const port = await freePort()
  const log = fs.openSync(logFile, 'w')
  // No scheduler pass of its own (KAM_JOBS_INTERVAL=0): the checks move time with `kam jobs run
  // --now`, and a pass at the real clock after one in the future (plan_due: a clock gone back is
  // due) would raise and clear alerts between what a page showed and what a check reads.
  lane.server = spawn(KAM, ['serve', '--db', dsn, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', log, log],
    env: { ...process.env, KAM_JOBS_INTERVAL: '0' },
  })
  lane.kamBase = `http://127.0.0.1:${port}`
  await waitHealthy(lane.kamBase, lane.server)
  lane.base = lane.kamBase
  if (SERVE_DIST) {
    const p2 = await freePort()
    lane.proxy = await startDistProxy(p2, port)
    lane.base = `http://127.0.0.1:${p2}`
    console.log(`# lane ${n}: serving web/dist through a proxy at ${lane.base} (kam at ${lane.kamBase})`)
  }
  return lane
}

async function stopLane(lane) {
  if (lane.proxy) lane.proxy.close()
  const server = lane.server
  if (server) {
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
  }
  if (failed && fs.existsSync(lane.logFile)) {
    const tail = fs.readFileSync(lane.logFile, 'utf8').trim().split('\n').slice(-8)
    console.log(`# lane ${lane.n}: last lines of the server log:\n${tail.map((l) => `#   ${l}`).join('\n')}`)
  }
  if (KEEP) console.log(`# kept ${lane.tmp}`)
  else fs.rmSync(lane.tmp, { recursive: true, force: true })
}

// The units that take longest first (seconds measured on a full run), so the lanes end together.
const UNIT_COST = { core: 700, 't_offers.mjs': 260, 't_pipeline.mjs': 215, 't_screens.mjs zh-CN': 200, 't_screens.mjs zh-TW': 200, 't_screens.mjs en': 200, 't_prices.mjs': 117, 't_phone.mjs': 112 }
const LANES = Math.max(1, Number(opt('--lanes', process.env.KAM_BROWSER_LANES ?? 2)) || 1)

async function main() {
  assert(fs.existsSync(KAM), `no kam binary at ${KAM} (run make)`)
  fs.mkdirSync(SHOTS, { recursive: true })
  const lanes = []
  let browser = null
  try {
    lanes.push(...(await Promise.all(Array.from({ length: LANES }, (_, i) => startLane(i + 1)))))
    const base = lanes[0].base

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
    }, { always: true }) // every other check needs it, --only or not
    if (!spaOk) {
      console.log('# kam does not serve web/dist (rebuild with make, or pass --serve-dist); skipping the UI checks')
      return
    }

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    const here = path.join(ROOT, 'tests', 'browser')
    const units = [{ name: 'core', run: (lane) => runChecks(browser, lane.base, lane.dsn) }]
    for (const f of fs.readdirSync(here).filter((n) => /^t_.*\.mjs$/.test(n)).sort()) {
      // a file runs whole (its default export), or as the several units it exports (`units`)
      const mod = await import(path.join(here, f))
      for (const u of mod.units ?? [{ name: f, run: mod.default }])
        units.push({ name: u.name, run: (lane) => u.run(kit(browser, lane.base, lane.dsn)) })
    }
    units.sort((a, b) => (UNIT_COST[b.name] ?? 0) - (UNIT_COST[a.name] ?? 0)) // stable: then by name
    let next = 0
    await Promise.all(
      lanes.map(async (lane) => {
        while (next < units.length) {
          const u = units[next++]
          const t0 = Date.now()
          try {
            await u.run(lane)
          } catch (e) {
            failed++
            console.log(`FAIL ${u.name}: ${String(e?.stack ?? e).split('\n').slice(0, 3).join(' | ')}`)
          }
          console.log(`# lane ${lane.n}: ${u.name} ${((Date.now() - t0) / 1000).toFixed(1)} s`)
        }
      }),
    )

    await check('no console errors and no CSP violations on any screen', async () => {
      if (problems.length) {
        for (const pr of problems.slice(0, 10)) console.log(`#   ${pr.where}: ${pr.what}`)
        throw new Error(`${problems.length} problem(s)`)
      }
    })
  } finally {
    if (browser) await browser.close().catch(() => {})
    await Promise.all(lanes.map(stopLane))
  }
}

/** What a feature suite (t_*.mjs) gets: its lane's server and database, and the helpers here. */
function kit(browser, base, dsn) {
  return { browser, base, dsn, KAM, ROOT, SHOTS, PASSWORD, TIMEOUT, check, assert, newPage, login, field, chooseOption, dialogClosed, fieldError, ready, shot, api, allPages, tableRows, digits, iso, localDay, fillDate, cspViolations, problems }
}

async function runChecks(browser, base, dsn) {
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
    await page.locator('[data-test=tier-chart] [data-ready="1"]').waitFor()
    await ready(page) // the KPI tiles and the table have their data too
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
    await ready(page)
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
    await ready(page)
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
    await ready(page)
    const growth = await allPages(page, '/api/v1/accounts?tier=growth')
    const rows = await tableRows(page, 'account-table')
    const n = await rows.count()
    assert(n === Math.min(20, growth.length), `${n} rows for tier growth, API has ${growth.length}`)
    for (let i = 0; i < n; i++) assert((await rows.nth(i).innerText()).includes('成长'), `row ${i} is not growth`)
    // paging through everything in scope with the opaque cursor
    await page.goto('/accounts?sort=code')
    await ready(page)
    const all = await allPages(page, '/api/v1/accounts?sort=code')
    assert(all.length > 20, `only ${all.length} accounts in scope, cannot page`)
    const firstPage = await (await tableRows(page, 'account-table')).first().innerText()
    assert(firstPage.includes(all[0].code), `sorted by code, first row is not ${all[0].code}`)
    await page.locator('[data-test=page-next]').click()
    await page.waitForURL(/cursor=/)
    await ready(page)
    const second = await (await tableRows(page, 'account-table')).first().innerText()
    assert(second.includes(all[20].code), `page 2 starts with "${second.slice(0, 30)}", expected ${all[20].code}`)
    await page.locator('[data-test=page-prev]').click()
    await page.waitForURL((u) => !u.search.includes('cursor='))
    await ready(page)
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
    await ready(page)
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
    await ready(page)
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
    await ready(page)
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
    await ready(page)
    assert((await rows.count()) === 1 && (await rows.first().innerText()).includes('负责人'), 'the owner is listed first')
    await page.locator('[data-test=add-member]').click()
    await chooseOption(page, 'm-user', 'service1')
    await chooseOption(page, 'm-role', '服务')
    await page.locator('[data-test=m-save]').click()
    await page.locator('[data-test=members-table]', { hasText: 'service1' }).waitFor()
    const members = (await api(page, 'GET', `/api/v1/accounts/${created.id}/members`)).json.items
    assert(members.length === 1 && members[0].login === 'service1' && members[0].dept_role === 'service', `members: ${JSON.stringify(members)}`)
  })

  // ------------------------------------------------------------ relationships (issue 5), zh-CN
  const rel = {} // { dm, dmName, overdueVisit, plannedVisit, issue }

  await check('relationships setup (API): a strategic account with a never-contacted decision maker and a visit planned in the past', async () => {
    assert(created?.li, 'no account created')
    const acc = (await api(page, 'GET', `/api/v1/accounts/${created.id}`)).json
    const up = await api(page, 'PATCH', `/api/v1/accounts/${created.id}`, { tier: 'strategic', version: acc.version })
    assert(up.status === 200, `PATCH tier: ${up.status} ${JSON.stringify(up.json)}`)
    rel.dmName = '赵志刚'
    const dm = await api(page, 'POST', `/api/v1/accounts/${created.id}/contacts`, { name: rel.dmName, title: '总经理', decision_role: 'decision_maker', influence: 5, reports_to_id: null })
    assert(dm.status === 201 && dm.json.stale === true, `decision maker: ${dm.status} ${JSON.stringify(dm.json)}`)
    rel.dm = dm.json.id
    const past = new Date(Date.now() - 20 * 86400_000)
    past.setUTCHours(2, 0, 0, 0)
    const v = await api(page, 'POST', `/api/v1/accounts/${created.id}/visits`, { contact_id: rel.dm, kind: 'onsite', planned_at: iso(past) })
    assert(v.status === 201 && v.json.overdue === true, `past visit: ${v.status} ${JSON.stringify(v.json)}`)
    rel.overdueVisit = v.json.id
  })

  await check('home: "stakeholders to contact" lists the stale decision maker first; "overdue visits" shows the past visit', async () => {
    assert(rel.dm, 'no setup')
    page.setScreen('home-relationships')
    await page.goto('/')
    const rows = await tableRows(page, 'stale-contacts')
    await rows.first().waitFor()
    await ready(page)
    const expected = (await api(page, 'GET', `/api/v1/stale-contacts?owner_id=${me.id}&limit=8`)).json.items
    assert((await rows.count()) === expected.length, `${await rows.count()} rows, API has ${expected.length}`)
    const first = await rows.first().innerText()
    assert(first.includes(rel.dmName) && first.includes('从未联系') && first.includes(created.name.slice(0, 8)), `first stale row: ${first}`)
    const od = page.locator(`[data-test=agenda-overdue-visit][data-id="${rel.overdueVisit}"]`)
    await od.waitFor()
    assert((await od.innerText()).includes(created.name.slice(0, 8)), 'overdue visit names the account')
    await shot(page, 'home-relationships-zh-CN')
    await page.locator('[data-test=stale-contacts] [data-test=stale-account]').first().click()
    await page.waitForURL(new RegExp(`/accounts/${created.id}\\?tab=contacts`))
  })

  await check('contacts tab and buying-centre map flag the stale decision maker ("久未联系")', async () => {
    page.setScreen('contacts-stale')
    const row = (await tableRows(page, 'contacts-table')).filter({ hasText: rel.dmName })
    await row.first().waitFor()
    assert((await row.locator('[data-test=stale-badge]').innerText()).includes('久未联系'), 'badge on the contact row')
    await ready(page)
    assert((await page.locator('[data-test=stale-badge]').count()) === 1, 'only the decision maker is stale (李明, 王芳 are not key people)')
    assert((await page.locator('[data-test=tab-stale-count]').innerText()).trim() === '1', 'stale count on the tab')
    await page.goto(`/accounts/${created.id}?tab=map`)
    const node = page.locator(`[data-test=map-node][data-contact-id="${rel.dm}"]`)
    await node.waitFor()
    assert((await node.getAttribute('data-stale')) === '1' && (await node.locator('[data-test=stale-badge]').count()) === 1, 'badge on the map card')
    await shot(page, 'map-stale-zh-CN')
  })

  await check('timeline: log an interaction (material shared, contacts present); the decision maker is no longer stale', async () => {
    page.setScreen('timeline')
    await page.goto(`/accounts/${created.id}?tab=timeline`)
    await page.locator('[data-test=timeline]').waitFor()
    await page.locator('[data-test=log-interaction]').click()
    const dlg = page.locator('.el-dialog', { has: page.locator('[data-test=i-save]') })
    await dlg.waitFor()
    await page.locator('[data-test=i-kind] label[data-kind="material"], [data-test=i-kind] [data-kind="material"]').first().click()
    await field(page, 'i-subject').fill('分享行业白皮书')
    await page.locator('[data-test=i-save]').click()
    await fieldError(dlg, 'material_type').waitFor()
    assert((await fieldError(dlg, 'material_type').innerText()).includes('必填'), 'material type required')
    await chooseOption(page, 'i-material', '行业趋势')
    await chooseOption(page, 'i-contacts', rel.dmName)
    await field(page, 'i-notes').fill('介绍 2027 年汽车电子趋势。\n客户对新能源方向感兴趣。')
    await shot(page, 'interaction-form-zh-CN', { fullPage: false })
    await page.locator('[data-test=i-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const item = page.locator('[data-test=interaction]', { hasText: '分享行业白皮书' })
    await item.waitFor()
    assert((await item.locator('[data-test=interaction-icon]').getAttribute('data-kind')) === 'material', 'kind icon')
    assert((await item.locator('[data-test=material-type]').innerText()).includes('行业趋势'), 'material type shown')
    assert((await item.locator('[data-test=interaction-contact]').innerText()).includes(rel.dmName), 'contact present shown')
    const list = (await api(page, 'GET', `/api/v1/accounts/${created.id}/interactions`)).json.items
    assert(list[0]?.kind === 'material' && list[0].material_type === 'industry_trends' && list[0].contact_ids.includes(rel.dm), `stored: ${JSON.stringify(list[0])}`)
    await shot(page, 'timeline-zh-CN')
    await page.goto(`/accounts/${created.id}?tab=contacts`)
    await (await tableRows(page, 'contacts-table')).filter({ hasText: rel.dmName }).first().waitFor()
    await ready(page)
    assert((await page.locator('[data-test=contacts-table] [data-test=stale-badge]').count()) === 0, 'stale badge gone after the interaction')
  })

  await check('visits: the overdue list highlights the past visit; open it, reschedule it, then cancel it', async () => {
    assert(rel.overdueVisit, 'no overdue visit')
    page.setScreen('visits-overdue')
    await page.locator('[data-test=nav-visits]').click()
    await page.waitForURL(/\/visits/)
    const od = page.locator(`[data-test=overdue-visit][data-id="${rel.overdueVisit}"]`)
    await od.waitFor()
    const bg = await od.evaluate((el) => getComputedStyle(el).borderLeftColor)
    assert(bg === 'rgb(208, 48, 80)', `overdue item is highlighted red (${bg})`)
    await od.click()
    const dlg = page.locator(`[data-test=visit-dialog][data-visit-id="${rel.overdueVisit}"]`)
    await dlg.waitFor()
    assert((await dlg.locator('[data-test=visit-status]').getAttribute('data-status')) === 'overdue', 'dialog says overdue')
    await page.locator(`[data-test=cal-visit][data-id="${rel.overdueVisit}"][data-status=overdue]`).waitFor()
    await shot(page, 'visit-overdue-zh-CN', { fullPage: false })
    await page.locator('[data-test=v-reschedule]').click()
    const when = new Date(Date.now() + 3 * 86400_000)
    when.setHours(15, 30, 0, 0)
    await fillDate(page, 'v-new-time', when)
    await page.locator('[data-test=v-reschedule-save]').click()
    await dlg.locator('[data-test=visit-status][data-status=planned]').waitFor()
    let v = (await api(page, 'GET', `/api/v1/visits/${rel.overdueVisit}`)).json
    assert(v.planned_at === iso(when) && !v.overdue, `rescheduled to ${v.planned_at}, wanted ${iso(when)}`)
    await od.waitFor({ state: 'detached' })
    await page.locator('[data-test=v-cancel]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await dlg.locator('[data-test=visit-status][data-status=cancelled]').waitFor()
    v = (await api(page, 'GET', `/api/v1/visits/${rel.overdueVisit}`)).json
    assert(v.status === 'cancelled', `status ${v.status}`)
    await page.locator('[data-test=v-close]').click()
    await dlg.waitFor({ state: 'hidden' })
  })

  await check('visits: plan a visit from the calendar (click a day), complete it, see it done', async () => {
    page.setScreen('visits-plan')
    await page.goto('/visits?view=week')
    const today = localDay(new Date())
    const cell = page.locator(`[data-test=cal-day][data-date="${today}"]`)
    await cell.waitFor()
    await cell.locator('[data-test=cal-add]').click()
    const dlg = page.locator('.el-dialog', { has: page.locator('[data-test=p-save]') })
    await dlg.waitFor()
    const preset = await field(page, 'p-time').inputValue()
    assert(preset.startsWith(today) || preset.startsWith(localDay(new Date(Date.now() + 3600_000))), `time preset from the clicked day: ${preset}`)
    await field(page, 'p-account').fill('浦江精密测试')
    await page.locator('.el-select-dropdown__item:visible', { hasText: created.name }).first().click()
    await chooseOption(page, 'p-contact', '李明')
    await page.locator('[data-test=p-kind] label', { hasText: '上门拜访' }).click()
    await shot(page, 'visit-plan-zh-CN', { fullPage: false })
    await page.locator('[data-test=p-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const mine = await allPages(page, `/api/v1/visits?account_id=${created.id}&status=planned`)
    const planned = mine.find((x) => x.contact_id === created.li && x.kind === 'onsite')
    assert(planned, `planned visit stored: ${JSON.stringify(mine)}`)
    rel.plannedVisit = planned.id
    const chip = page.locator(`[data-test=cal-visit][data-id="${planned.id}"]`)
    await chip.waitFor()
    assert((await chip.getAttribute('data-status')) === 'planned', 'chip is planned')
    await shot(page, 'visits-week-zh-CN')
    await chip.click()
    const vd = page.locator(`[data-test=visit-dialog][data-visit-id="${planned.id}"]`)
    await vd.waitFor()
    await page.locator('[data-test=v-complete]').click()
    await field(page, 'v-outcome-input').fill('确认明年框架协议的主要条款。')
    await field(page, 'v-next-input').fill('下周发送报价。')
    await chooseOption(page, 'v-contacts', '王芳')
    await vd.locator('.vh-title').click() // close the multi-select's dropdown
    await shot(page, 'visit-complete-zh-CN', { fullPage: false })
    await page.locator('[data-test=v-complete-save]').click()
    await vd.locator('[data-test=visit-status][data-status=done]').waitFor()
    assert((await vd.locator('[data-test=v-outcome]').innerText()).includes('框架协议'), 'outcome shown')
    await page.locator('[data-test=v-close]').click()
    await vd.waitFor({ state: 'hidden' })
    await page.locator(`[data-test=cal-visit][data-id="${planned.id}"][data-status=done]`).waitFor()
    const v = (await api(page, 'GET', `/api/v1/visits/${planned.id}`)).json
    assert(v.status === 'done' && v.interaction_id, `visit after completion: ${JSON.stringify(v)}`)
    const it = (await api(page, 'GET', `/api/v1/interactions/${v.interaction_id}`)).json
    assert(it.kind === 'visit' && it.contact_ids.includes(created.li) && it.contact_ids.includes(created.wang), `interaction: ${JSON.stringify(it)}`)
    await page.locator('[data-test=cal-month]').click()
    await page.locator('[data-test=calendar][data-view=month]').waitFor()
    await shot(page, 'visits-month-zh-CN')
    // a busy day shows four chips and "N more", which opens its week
    const day = page.locator(`[data-test=cal-day][data-date="${localDay(new Date(v.planned_at))}"]`)
    const more = day.locator('.more')
    if (await more.count()) {
      await more.click()
      await page.locator('[data-test=calendar][data-view=week]').waitFor()
    }
    await page.locator(`[data-test=cal-visit][data-id="${planned.id}"][data-status=done]`).waitFor()
  })

  await check('calendar feed: subscribe shows the full URL (it serves text/calendar), revoke ends it', async () => {
    page.setScreen('subscribe')
    await page.locator('[data-test=subscribe]').click()
    await page.locator('[data-test=cal-create]').click()
    const url = await field(page, 'cal-url').inputValue()
    assert(url.startsWith(`${base}/calendar/`) && url.endsWith('.ics'), `feed URL: ${url}`)
    const r = await fetch(url)
    const ics = await r.text()
    assert(r.status === 200 && /text\/calendar/.test(r.headers.get('content-type') ?? '') && ics.includes('BEGIN:VCALENDAR'), `feed: ${r.status} ${ics.slice(0, 60)}`)
    await shot(page, 'visits-subscribe-zh-CN', { fullPage: false })
    await page.locator('[data-test=cal-revoke]').click()
    await page.locator('.el-message-box__btns .el-button--primary').click()
    await page.locator('[data-test=cal-revoked]').waitFor()
    assert((await fetch(url)).status === 404, 'revoked feed answers 404')
    await page.keyboard.press('Escape')
  })

  await check('issues: report one on the account page, start it with a note; after its deadline the scheduler escalates it (badge)', async () => {
    page.setScreen('issues')
    await page.goto(`/accounts/${created.id}?tab=issues`)
    await page.locator('[data-test=account-issues]').waitFor()
    await page.locator('[data-test=new-issue]').click()
    const dlg = page.locator('.el-dialog', { has: page.locator('[data-test=x-save]') })
    await dlg.waitFor()
    const title = `来料批次不良 ${Date.now() % 100000}`
    await field(page, 'x-title').fill(title)
    await chooseOption(page, 'x-category', '质量')
    await chooseOption(page, 'x-severity', '高')
    await chooseOption(page, 'x-contact', '王芳')
    await field(page, 'x-description').fill('第 3 批次来料外观不良，约 2% 需返工。')
    await page.locator('[data-test=sla-hint]').filter({ hasText: '战略' }).waitFor()
    await shot(page, 'issue-form-zh-CN', { fullPage: false })
    await page.locator('[data-test=x-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const drawer = page.locator('[data-test=issue-detail]')
    await drawer.locator('[data-test=issue-title]', { hasText: title }).waitFor()
    const x = (await api(page, 'GET', `/api/v1/issues?account_id=${created.id}`)).json.items.find((i) => i.title === title)
    assert(x && x.assignee_id === me.id && x.contact_id === created.wang && x.severity === 'high', `stored: ${JSON.stringify(x)}`)
    rel.issue = x
    await drawer.locator('[data-test=wf-start]').click()
    await field(page, 'wf-note').fill('已安排质量工程师到现场。')
    await page.locator('[data-test=wf-save]').click()
    await drawer.locator('[data-test=issue-status][data-status=in_progress]').waitFor()
    await drawer.locator('[data-test=issue-note]', { hasText: '质量工程师' }).waitFor()
    assert((await drawer.locator('[data-test=sla][data-sla=met]').count()) === 1, 'response SLA met')
    await shot(page, 'issue-detail-zh-CN', { fullPage: false })
    await page.keyboard.press('Escape')
    // the scheduler, one hour after the resolution deadline
    const after = iso(new Date(new Date(x.resolution_due_at).getTime() + 3600_000))
    rel.jobsNow = after
    const out = execFileSync(KAM, ['jobs', 'run', '--db', dsn, '--now', after], { stdio: 'pipe' }).toString() + ''
    const escalated = (await api(page, 'GET', `/api/v1/issues/${x.id}`)).json
    assert(escalated.escalated_at && escalated.escalated_to, `not escalated after jobs run (${out.trim()}): ${JSON.stringify(escalated)}`)
    rel.lead = escalated.escalated_to
    await page.reload()
    const row = (await tableRows(page, 'account-issues-table')).filter({ hasText: title })
    await row.locator('[data-test=escalated-badge]').waitFor()
    await page.locator('[data-test=nav-issues]').click()
    await page.waitForURL(/\/issues$/)
    const lrow = (await tableRows(page, 'issues-table')).filter({ hasText: title })
    await lrow.locator('[data-test=escalated-badge]').waitFor()
    await lrow.filter({ hasText: created.name.slice(0, 8) }).waitFor() // the list names the account
    await chooseOption(page, 'filter-escalated', '已升级')
    await page.waitForURL(/escalated=1/)
    await ready(page)
    const n = await (await tableRows(page, 'issues-table')).count()
    const api1 = (await api(page, 'GET', '/api/v1/issues?escalated=1')).json.items.length
    assert(n === api1 && n >= 1, `${n} escalated rows, API has ${api1}`)
    await shot(page, 'issues-zh-CN')
  })

  await check('language: switch to 繁體中文 and English, labels change, choice remembered', async () => {
    page.setScreen('language')
    await page.goto('/')
    await page.locator('[data-test=tier-chart] [data-ready="1"]').waitFor()
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
    await page.locator('[data-test=tier-chart] [data-ready="1"]').waitFor()
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

  await check('language: the new screens in English (visits, timeline, issues, bell) and a live switch to 繁體中文', async () => {
    assert(created && rel.issue, 'no relationship data')
    page.setScreen('en-visits')
    await page.goto('/visits?view=month')
    await page.locator('[data-test=calendar][data-view=month]').waitFor()
    assert((await page.locator('[data-test=nav-visits]').innerText()).includes('Visits'), 'menu in English')
    assert(/\bMon\b/.test(await page.locator('[data-test=calendar] .cal-head').innerText()), 'weekday names in English')
    assert((await page.locator('[data-test=overdue-list]').innerText()).includes('Overdue visits'), 'overdue list in English')
    await shot(page, 'visits-month-en')
    await page.goto(`/visits?view=week&focus=${rel.plannedVisit}`)
    const vd = page.locator(`[data-test=visit-dialog][data-visit-id="${rel.plannedVisit}"]`)
    await vd.waitFor()
    assert((await vd.locator('[data-test=visit-status]').innerText()).includes('Done'), 'visit status in English')
    await shot(page, 'visit-done-en', { fullPage: false })
    await page.locator('[data-test=v-close]').click()
    await vd.waitFor({ state: 'hidden' })
    await shot(page, 'visits-week-en')
    // switch language on the calendar: labels change in place
    await page.locator('[data-test=lang-switch]').click()
    await page.locator('[data-test="lang-zh-TW"]').click()
    await page.waitForFunction(() => document.documentElement.lang === 'zh-TW')
    assert((await page.locator('[data-test=nav-visits]').innerText()).includes('拜訪計畫'), 'menu in zh-TW')
    assert(/星期一|週一/.test(await page.locator('[data-test=calendar] .cal-head').innerText()), 'weekday names in zh-TW')
    await shot(page, 'visits-week-zh-TW')
    await page.locator('[data-test=lang-switch]').click()
    await page.locator('[data-test="lang-en"]').click()
    await page.waitForFunction(() => document.documentElement.lang === 'en')
    page.setScreen('en-timeline')
    await page.goto(`/accounts/${created.id}?tab=timeline`)
    await page.locator('[data-test=interaction]').first().waitFor()
    const tl = await page.locator('[data-test=timeline]').innerText()
    assert(tl.includes('Industry trends') && tl.includes('Log interaction'), 'timeline in English')
    await shot(page, 'timeline-en')
    await page.goto(`/accounts/${created.id}?tab=contacts`)
    await page.locator('[data-test=contacts-table]').waitFor()
    page.setScreen('en-issues')
    await page.goto('/issues')
    const row = (await tableRows(page, 'issues-table')).filter({ hasText: rel.issue.title })
    await row.first().waitFor()
    assert((await row.locator('[data-test=escalated-badge]').innerText()).includes('Escalated'), 'badge in English')
    assert((await page.locator('[data-test=issues-table] thead').innerText()).includes('Response SLA'), 'header in English')
    await shot(page, 'issues-en')
    await row.first().click()
    const d = page.locator('[data-test=issue-detail]')
    await d.locator('[data-test=wf-resolve]').waitFor()
    assert((await d.locator('[data-test=wf-resolve]').innerText()).includes('Resolve'), 'workflow in English')
    await shot(page, 'issue-detail-en', { fullPage: false })
    await page.keyboard.press('Escape')
    page.setScreen('en-home')
    await page.goto('/')
    await page.locator('[data-test=stale-card]').waitFor()
    assert((await page.locator('[data-test=stale-card]').innerText()).includes('Stakeholders to contact'), 'home card in English')
    await page.locator('[data-test=bell]').click()
    await page.locator('[data-test=notifications]').waitFor()
    await page.locator('[data-test=notification]').first().waitFor()
    assert((await page.locator('[data-test=notifications]').innerText()).includes('Notifications'), 'bell in English')
    await shot(page, 'notifications-en', { fullPage: false })
    await page.keyboard.press('Escape')
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

  // ------------------------------------------------------------ the team lead: notification of the escalation
  await check('lead: the bell shows the escalation; clicking it opens the issue (escalated, SLA passed in red); read all', async () => {
    assert(rel.issue && rel.jobsNow, 'no escalated issue')
    const { context, page: p } = await newPage(browser, base, { label: 'lead.east' })
    // the browser's clock at the scheduler's time, so the countdowns agree with it
    await context.clock.setFixedTime(new Date(rel.jobsNow))
    p.setScreen('home')
    await login(p, 'lead.east')
    const lead = (await api(p, 'GET', '/api/v1/me')).json
    assert(lead.id === rel.lead, `escalated to user ${rel.lead}, lead.east is ${lead.id}`)
    const unread = (await api(p, 'GET', '/api/v1/notifications?unread=1&limit=100')).json.items
    await p.waitForFunction((n) => document.querySelector('[data-test=bell-count]')?.textContent?.trim() === String(n), unread.length)
    await p.locator('[data-test=bell]').click()
    const note = p.locator('[data-test=notification][data-kind=issue_escalated]', { hasText: rel.issue.title })
    await note.waitFor()
    assert((await note.innerText()).includes('问题升级'), `notification text: ${await note.innerText()}`)
    await shot(p, 'notifications-zh-CN', { fullPage: false })
    await note.click()
    await p.waitForURL(new RegExp(`/issues/${rel.issue.id}$`))
    const d = p.locator('[data-test=issue-detail]')
    await d.locator('[data-test=escalated-badge]').waitFor()
    assert((await d.locator('[data-test=escalation]').innerText()).includes(lead.name), 'escalated to the lead, by name')
    assert((await d.locator('[data-test=sla][data-sla=passed]').count()) === 1, 'resolution deadline passed, in red')
    const red = await d.locator('[data-test=sla][data-sla=passed]').evaluate((el) => getComputedStyle(el).backgroundColor)
    assert(red === 'rgb(208, 48, 80)', `passed deadline colour ${red}`)
    await shot(p, 'issue-escalated-zh-CN', { fullPage: false })
    const n = (await api(p, 'GET', `/api/v1/notifications?limit=100`)).json.items.find((x) => x.kind === 'issue_escalated' && x.title.includes(rel.issue.title))
    assert(n?.read_at, 'clicking marked it read')
    await p.locator('[data-test=bell]').click()
    await p.locator('[data-test=read-all]').click()
    await p.waitForFunction(() => document.querySelector('[data-test=bell-count]')?.textContent?.trim() === '0')
    assert((await api(p, 'GET', '/api/v1/notifications?unread=1')).json.items.length === 0, 'all read on the server')
    p.setScreen('stats')
    await p.goto('/issues?tab=stats')
    const st = p.locator('[data-test=stats-table]')
    await st.locator('.el-table__row').first().waitFor()
    assert((await st.innerText()).includes('华东'), `stats per team: ${(await st.innerText()).slice(0, 80)}`)
    await shot(p, 'issue-stats-zh-CN')
    for (const v of await cspViolations(p)) problems.push({ where: 'lead.east', what: `CSP: ${v}` })
    await context.close()
  })

  await check('director: settings — pause a cadence rule, change an SLA rule, freshness days', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'director' })
    p.setScreen('settings')
    await login(p, 'director')
    await p.locator('[data-test=nav-settings]').click()
    await p.waitForURL(/\/settings/)
    const rows = await tableRows(p, 'cadence-table')
    await rows.first().waitFor()
    await ready(p)
    const rules = (await api(p, 'GET', '/api/v1/cadences')).json.items
    assert((await rows.count()) === rules.length, `${await rows.count()} cadence rows, API has ${rules.length}`)
    await shot(p, 'settings-cadences-zh-CN')
    await rows.first().locator('[data-test=cadence-active]').click()
    await p.waitForFunction(async () => {
      const r = await fetch('/api/v1/cadences').then((x) => x.json())
      return r.items.some((c) => !c.active)
    })
    await rows.first().locator('[data-test=cadence-active]').click()
    await p.waitForFunction(async () => {
      const r = await fetch('/api/v1/cadences').then((x) => x.json())
      return r.items.every((c) => c.active)
    })
    await p.locator('[data-test=settings-tabs] .el-tabs__item', { hasText: '问题处理时限' }).click()
    const sla = await tableRows(p, 'sla-table')
    await sla.first().waitFor()
    const inp = sla.first().locator('[data-test=sla-response] input')
    const before = Number(await inp.inputValue())
    await inp.fill(String(before + 1))
    await inp.press('Tab')
    await p.locator('[data-test=sla-save]').click()
    await p.waitForFunction(async (v) => {
      const r = await fetch('/api/v1/sla-rules').then((x) => x.json())
      return r.items.some((s) => s.response_hours === v)
    }, before + 1)
    await shot(p, 'settings-sla-zh-CN')
    await p.locator('[data-test=settings-tabs] .el-tabs__item', { hasText: '联系周期' }).click()
    await field(p, 'fresh-key').fill('40')
    await p.locator('[data-test=fresh-save]').click()
    await p.waitForFunction(async () => (await fetch('/api/v1/settings/freshness').then((x) => x.json())).key === 40)
    await shot(p, 'settings-freshness-zh-CN', { fullPage: false })
    for (const v of await cspViolations(p)) problems.push({ where: 'director', what: `CSP: ${v}` })
    await context.close()
  })

  // The first load of the login page and of the home (transfer, time to usable): t_weight.mjs.

  // ------------------------------------------------------------ viewer
  const vw = await newPage(browser, base, { label: 'viewer' })
  let viewerAccount = null
  await check('viewer: no create/edit/delete offered', async () => {
    const p = vw.page
    p.setScreen('home')
    await login(p, 'viewer')
    await ready(p)
    assert((await p.locator('[data-test=home-new-account]').count()) === 0, 'no "new account" on home')
    const list = await api(p, 'GET', '/api/v1/accounts?limit=5')
    assert(list.status === 200 && list.json.items.length > 0, 'viewer sees some accounts via the API')
    viewerAccount = list.json.items[0].id
    p.setScreen('accounts')
    await p.locator('[data-test=nav-accounts]').click()
    await (await tableRows(p, 'account-table')).first().waitFor()
    await ready(p)
    assert((await p.locator('[data-test=new-account]').count()) === 0, 'no "new account" button')
    assert((await p.locator('[data-test=edit-account]').count()) === 0, 'no edit links in the list')
    p.setScreen('account')
    await p.goto(`/accounts/${viewerAccount}`)
    await p.locator('[data-test=account-name]').waitFor()
    await ready(p)
    assert((await p.locator('[data-test=edit-account]').count()) === 0, 'no edit button')
    assert((await p.locator('[data-test=delete-account]').count()) === 0, 'no delete button')
    await p.goto(`/accounts/${viewerAccount}?tab=contacts`)
    await p.locator('[data-test=contacts-table]').waitFor()
    await ready(p)
    assert((await p.locator('[data-test=new-contact]').count()) === 0, 'no "new contact" button')
    assert((await p.locator('[data-test=edit-contact]').count()) === 0, 'no contact edit links')
    await p.goto(`/accounts/${viewerAccount}?tab=team`)
    await p.locator('[data-test=members-table]').waitFor()
    await ready(p)
    assert((await p.locator('[data-test=add-member]').count()) === 0, 'no "add member" button')
    assert((await p.locator('[data-test=nav-users]').count()) === 0, 'no administration menu')
    assert((await p.locator('[data-test=nav-settings]').count()) === 0, 'no settings menu')
    // relationships: read only
    p.setScreen('timeline')
    await p.goto(`/accounts/${viewerAccount}?tab=timeline`)
    await p.locator('[data-test=timeline]').waitFor()
    await ready(p)
    assert((await p.locator('[data-test=log-interaction]').count()) === 0, 'no "log interaction" button')
    await p.goto(`/accounts/${viewerAccount}?tab=issues`)
    await p.locator('[data-test=account-issues]').waitFor()
    await ready(p)
    assert((await p.locator('[data-test=new-issue]').count()) === 0, 'no "report issue" button')
    p.setScreen('visits')
    await p.locator('[data-test=nav-visits]').click()
    await p.locator('[data-test=calendar]').waitFor()
    await ready(p)
    assert((await p.locator('[data-test=plan-visit]').count()) === 0, 'no "plan visit" button')
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
    await p.locator('[data-test=nav-users]').waitFor()
    await ready(p)
    assert((await p.locator('[data-test=nav-accounts]').count()) === 0, 'no accounts menu')
    for (const nav of ['nav-visits', 'nav-issues', 'nav-settings'])
      assert((await p.locator(`[data-test=${nav}]`).count()) === 0, `no ${nav} for hr`)
    await p.locator('[data-test=nav-users]').click()
    await (await tableRows(p, 'users-table')).first().waitFor()
    const adminRow = (await tableRows(p, 'users-table')).filter({ hasText: 'admin@' }).first()
    assert(await adminRow.locator('[data-test=edit-user]').isDisabled(), 'editing the admin is disabled for hr')
    await p.goto('/accounts')
    await p.locator('[data-test=forbidden]').waitFor()
    for (const v of await cspViolations(p)) problems.push({ where: 'hr', what: `CSP: ${v}` })
    await context.close()
  })

  // ------------------------------------------------------------ the permission row of GET /me
  // The UI offers what the caller's row (GET /api/v1/me: permissions + capabilities, from the
  // server's policy table) grants, and nothing else. A probe sends each unsafe request with a
  // field no route accepts (or a body where none is taken): the server checks the policy first,
  // so a refused request answers 403 (404 for records the caller may not even see) and an
  // allowed one 400, and no probe changes anything.
  const PROBE = { __probe: 1 }
  const refused = (s) => s === 403 || s === 404
  /** What the row grants: "all" or "scope" (records in scope) count as yes. */
  const grants = (me, obj, act) => {
    const g = me.permissions?.[obj]?.[act]
    assert(['all', 'scope', 'none'].includes(g), `permissions.${obj}.${act} is ${JSON.stringify(g)}`)
    return g !== 'none'
  }
  async function meRow(p, who) {
    const me = await api(p, 'GET', '/api/v1/me')
    assert(me.status === 200, `GET /me as ${who}: ${me.status}`)
    assert(me.json?.permissions && typeof me.json.permissions === 'object', `GET /me as ${who} has no permissions: ${JSON.stringify(me.json).slice(0, 200)}`)
    assert(me.json?.capabilities && typeof me.json.capabilities === 'object', `GET /me as ${who} has no capabilities`)
    for (const [k, v] of Object.entries(me.json.capabilities)) assert(typeof v === 'boolean', `capabilities.${k} is not a boolean`)
    return me.json
  }
  /** Every [data-test, offered?] pair: the element is there exactly when the row says so. */
  async function offered(p, where, pairs) {
    for (const [id, yes] of pairs) {
      const n = await p.locator(`[data-test="${id}"]`).count()
      assert(yes ? n > 0 : n === 0, `${where}: [data-test=${id}] ${yes ? 'missing although the row grants it' : 'offered although the row does not grant it'}`)
    }
  }
  /** The server answers each [method, url, obj, act] as the row says: 400 to the probe when granted, 403/404 when not. */
  async function serverAgrees(p, me, who, probes) {
    for (const [method, url, obj, act] of probes) {
      const r = await api(p, method, url, PROBE)
      const yes = grants(me, obj, act)
      assert(yes ? r.status === 400 : refused(r.status), `${who}: ${method} ${url} (${obj}.${act} ${me.permissions[obj][act]}) answered ${r.status} ${JSON.stringify(r.json?.error ?? '').slice(0, 120)}`)
    }
  }
  const menuOf = (me) => [
    ['nav-accounts', grants(me, 'account', 'read')],
    ['nav-visits', grants(me, 'interaction', 'read')],
    ['nav-issues', grants(me, 'interaction', 'read')],
    ['nav-volume', grants(me, 'sales', 'read')],
    ['nav-targets', grants(me, 'sales', 'read') && grants(me, 'target', 'read')],
    ['nav-measures', grants(me, 'sales', 'read') && grants(me, 'measure', 'read')],
    ['nav-imports', grants(me, 'sales', 'read') && grants(me, 'import', 'create')],
    ['nav-products', grants(me, 'sales', 'read') && grants(me, 'product', 'read')],
    ['nav-users', grants(me, 'user', 'update') || grants(me, 'team', 'update')],
    ['nav-settings', grants(me, 'config', 'update')],
  ]

  await check('permission row: viewer and hr are offered only what GET /me grants, and the server refuses all they are not offered', async () => {
    for (const who of ['viewer', 'hr']) {
      const { context, page: p } = await newPage(browser, base, { label: `${who}-row` })
      p.setScreen('home')
      await login(p, who)
      await ready(p)
      const me = await meRow(p, who)
      await offered(p, `${who} menu`, menuOf(me))
      await offered(p, `${who} home`, [['home-new-account', grants(me, 'account', 'create')]])
      const acc = 1 // any account: hr may not see it, a viewer sees every one in scope
      const accounts = grants(me, 'account', 'read') ? await api(p, 'GET', '/api/v1/accounts?limit=1') : null
      const aid = accounts?.json?.items?.[0]?.id ?? acc
      if (grants(me, 'account', 'read')) {
        p.setScreen('account')
        await p.goto(`/accounts/${aid}`)
        await p.locator('[data-test=account-name]').waitFor()
        await ready(p)
        await offered(p, `${who} account`, [
          ['edit-account', grants(me, 'account', 'update')],
          ['delete-account', grants(me, 'account', 'delete')],
        ])
        await p.goto(`/accounts/${aid}?tab=contacts`)
        await p.locator('[data-test=contacts-table]').waitFor()
        await ready(p)
        await offered(p, `${who} contacts`, [['new-contact', grants(me, 'contact', 'update')]])
        await p.goto(`/accounts/${aid}?tab=team`)
        await p.locator('[data-test=members-table]').waitFor()
        await ready(p)
        await offered(p, `${who} team`, [['add-member', grants(me, 'account_member', 'create')]])
        await p.goto(`/accounts/${aid}?tab=timeline`)
        await p.locator('[data-test=timeline]').waitFor()
        await ready(p)
        await offered(p, `${who} timeline`, [['log-interaction', grants(me, 'interaction', 'create')]])
        await p.goto(`/accounts/${aid}?tab=issues`)
        await p.locator('[data-test=account-issues]').waitFor()
        await ready(p)
        await offered(p, `${who} issues`, [['new-issue', grants(me, 'issue', 'update')]])
        p.setScreen('visits')
        await p.goto('/visits')
        await p.locator('[data-test=calendar]').waitFor()
        await ready(p)
        await offered(p, `${who} visits`, [['plan-visit', grants(me, 'visit', 'create')]])
      } else {
        p.setScreen('accounts')
        await p.goto(`/accounts/${aid}`)
        await p.locator('[data-test=forbidden]').waitFor()
      }
      if (grants(me, 'measure', 'read')) {
        p.setScreen('measures')
        await p.goto('/measures')
        await p.locator('[data-test=measure-table]').waitFor()
        await ready(p)
        await offered(p, `${who} measures`, [['measure-new', grants(me, 'measure', 'update')]])
      }
      if (grants(me, 'target', 'read')) {
        p.setScreen('targets')
        await p.goto('/targets')
        await p.locator('[data-test=target-table]').waitFor()
        await ready(p)
        await offered(p, `${who} targets`, [['target-new', grants(me, 'target', 'update')]])
      }
      if (grants(me, 'user', 'update') || grants(me, 'team', 'update')) {
        p.setScreen('users')
        await p.goto('/admin/users')
        await (await tableRows(p, 'users-table')).first().waitFor()
        await ready(p)
        await offered(p, `${who} users`, [['new-user', grants(me, 'user', 'update')]])
        p.setScreen('teams')
        await p.goto('/admin/teams')
        await p.locator('[data-test=teams-table]').waitFor()
        await ready(p)
        await offered(p, `${who} teams`, [['new-team', grants(me, 'user', 'update')]])
      } else {
        p.setScreen('users')
        await p.goto('/admin/users')
        await p.locator('[data-test=forbidden]').waitFor()
      }
      const self = me.id
      await serverAgrees(p, me, who, [
        ['POST', '/api/v1/accounts', 'account', 'create'],
        ['PATCH', `/api/v1/accounts/${aid}`, 'account', 'update'],
        ['DELETE', `/api/v1/accounts/${aid}`, 'account', 'delete'],
        ['POST', `/api/v1/accounts/${aid}/contacts`, 'contact', 'create'],
        ['POST', `/api/v1/accounts/${aid}/members`, 'account_member', 'create'],
        ['POST', `/api/v1/accounts/${aid}/interactions`, 'interaction', 'create'],
        ['POST', `/api/v1/accounts/${aid}/visits`, 'visit', 'create'],
        ['POST', `/api/v1/accounts/${aid}/issues`, 'issue', 'create'],
        ['PATCH', '/api/v1/settings/freshness', 'config', 'update'],
        ['POST', '/api/v1/products', 'product', 'create'],
        ['POST', '/api/v1/targets', 'target', 'create'],
        ['POST', '/api/v1/measures', 'measure', 'create'],
        ['POST', '/api/v1/users', 'user', 'create'],
        ['PATCH', `/api/v1/users/${self}`, 'user', 'update'],
        ['POST', '/api/v1/teams', 'team', 'create'],
      ])
      for (const [url, obj] of [['/api/v1/accounts', 'account'], ['/api/v1/users', 'user'], ['/api/v1/products', 'product'], ['/api/v1/imports', 'import'], ['/api/v1/targets', 'target'], ['/api/v1/measures', 'measure']]) {
        const r = await api(p, 'GET', url)
        const yes = grants(me, obj, 'read')
        assert(yes ? r.status === 200 : refused(r.status), `${who}: GET ${url} (${obj}.read ${me.permissions[obj].read}) answered ${r.status}`)
      }
      for (const v of await cspViolations(p)) problems.push({ where: `${who}-row`, what: `CSP: ${v}` })
      await context.close()
    }
  })

  await check('permission row: the UI follows the row it is served (a row granting a viewer account update shows the edit button; the server still refuses)', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'viewer-row-changed' })
    await login(p, 'viewer')
    await ready(p)
    const me = await meRow(p, 'viewer')
    assert(!grants(me, 'account', 'update') && !grants(me, 'config', 'update'), 'the viewer may not change accounts or settings')
    const list = await api(p, 'GET', '/api/v1/accounts?limit=1')
    const aid = list.json.items[0].id
    // The same answer with account.update and config.update granted: only the UI is fooled.
    await context.route('**/api/v1/me', async (route) => {
      if (route.request().method() !== 'GET') return route.continue()
      const res = await route.fetch()
      const body = await res.json()
      body.permissions.account.update = 'scope'
      body.permissions.config.update = 'all'
      await route.fulfill({ response: res, json: body })
    })
    await p.goto(`/accounts/${aid}`)
    await p.locator('[data-test=account-name]').waitFor()
    await p.locator('[data-test=edit-account]').waitFor()
    await ready(p)
    await offered(p, 'viewer with a changed row', [
      ['edit-account', true],
      ['delete-account', false],
      ['nav-settings', true],
    ])
    const r = await api(p, 'PATCH', `/api/v1/accounts/${aid}`, { name: 'viewer was here' })
    assert(r.status === 403, `the server decides: PATCH as viewer answered ${r.status}`)
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
    await ready(p)
    const teams = (await api(p, 'GET', '/api/v1/teams')).json.items
    assert((await (await tableRows(p, 'teams-table')).count()) === teams.length, 'every team in the tree')
    await shot(p, 'teams-zh-CN')
    for (const v of await cspViolations(p)) problems.push({ where: 'admin', what: `CSP: ${v}` })
    await context.close()
  })

  // ------------------------------------------------------------ one's own password
  // A throwaway user made by the admin through the API, so the demo logins keep kam-demo-2026.
  await check('password: own change in the profile (wrong current, too common, then right; other session and API token ended; sign in with the new one); the user dialog offers no own password', async () => {
    const adm = await newPage(browser, base, { label: 'admin-password' })
    const a = adm.page
    a.setScreen('users')
    await login(a, 'admin')
    const pwLogin = `pw.test${Date.now() % 100000}`
    const first = 'Harbour-lantern-41'
    const next = 'Quiet-orchard-2027'
    const made = await api(a, 'POST', '/api/v1/users', { login: pwLogin, name: '改密测试', email: `${pwLogin}@example.com`, role: 'viewer', team_id: null, password: first })
    assert(made.status === 201, `create ${pwLogin}: ${made.status} ${JSON.stringify(made.json)}`)

    // the user dialog, editing oneself: no password field, a way to the profile's password form
    await a.locator('[data-test=nav-users]').click()
    await (await tableRows(a, 'users-table')).first().waitFor()
    await ready(a)
    const adminRow = (await tableRows(a, 'users-table')).filter({ hasText: 'admin@' }).first()
    await adminRow.locator('[data-test=edit-user]').click()
    const ud = a.locator('.el-dialog', { has: a.locator('[data-test=u-save]') })
    await ud.waitFor()
    await ud.locator('[data-test=u-own-password]').waitFor()
    assert((await ud.locator('[data-test=u-password]').count()) === 0, 'a password field for oneself')
    await shot(a, 'user-self-zh-CN', { fullPage: false })
    await ud.locator('[data-test=u-own-password-link]').click()
    await ud.waitFor({ state: 'hidden' })
    const ad = a.locator('[data-test=profile-dialog]')
    await ad.locator('[data-test=pw-old]').waitFor()
    await ready(a)
    await ad.locator('[data-test=profile-close]').click()
    await ad.waitFor({ state: 'hidden' })
    // someone else's password is still reset there, with the new rules' hint (found by the
    // search box: the list pages by 20 and the demo has more users than that)
    await field(a, 'users-search').fill('viewer')
    await field(a, 'users-search').press('Enter')
    await ready(a)
    const otherRow = (await tableRows(a, 'users-table')).filter({ hasText: 'viewer@' }).first()
    await otherRow.locator('[data-test=edit-user]').click()
    await ud.waitFor()
    await field(a, 'u-password').waitFor()
    assert((await ud.innerText()).includes('不能是常用密码'), 'the password hint names the rules')
    await ud.locator('.el-dialog__footer button').first().click()
    await ud.waitFor({ state: 'hidden' })
    for (const v of await cspViolations(a)) problems.push({ where: 'admin-password', what: `CSP: ${v}` })
    await adm.context.close()

    // the throwaway user: another session and an API token, ended by the change
    const other = await newPage(browser, base, { label: 'pw-other' })
    await login(other.page, pwLogin, { password: first })
    const { context, page: p } = await newPage(browser, base, { label: 'pw-user' })
    p.setScreen('password')
    await login(p, pwLogin, { password: first })
    const tok = await api(p, 'POST', '/api/v1/tokens', { name: 'pw-test' })
    assert(tok.status === 201 && tok.json?.token, `token: ${tok.status}`)
    const byToken = () => fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${tok.json.token}` } }).then((r) => r.status)
    assert((await byToken()) === 200, 'the token works before')
    assert((await api(other.page, 'GET', '/api/v1/me')).status === 200, 'the other session works before')

    await p.locator('[data-test=user-menu]').click()
    await p.locator('[data-test=password-open]').click()
    const d = p.locator('[data-test=profile-dialog]')
    await field(p, 'pw-old').waitFor()
    await ready(p)
    const save = () => d.locator('[data-test=pw-save]').click()

    // client-side: too short, and the repeat differs -> no request, errors at both fields
    await field(p, 'pw-old').fill(first)
    await field(p, 'pw-new').fill('short-1')
    await field(p, 'pw-repeat').fill('short-2')
    await save()
    await fieldError(d, 'new_password').waitFor()
    assert((await fieldError(d, 'new_password').innerText()).includes('至少 10 个字符'), `new: ${await fieldError(d, 'new_password').innerText()}`)
    await fieldError(d, 'repeat').waitFor()
    assert((await fieldError(d, 'repeat').innerText()).includes('不一致'), `repeat: ${await fieldError(d, 'repeat').innerText()}`)

    // a wrong current password: the server names old_password
    await field(p, 'pw-old').fill('not-my-password-9')
    await field(p, 'pw-new').fill(next)
    await field(p, 'pw-repeat').fill(next)
    await save()
    await ready(p)
    await fieldError(d, 'old_password').waitFor()
    assert((await fieldError(d, 'old_password').innerText()).includes('当前密码不正确'), `old: ${await fieldError(d, 'old_password').innerText()}`)
    await fieldError(d, 'new_password').waitFor({ state: 'detached' }) // the client's error is gone
    await fieldError(d, 'repeat').waitFor({ state: 'detached' })

    // a commonly used new password: the server names new_password
    await field(p, 'pw-old').fill(first)
    await field(p, 'pw-new').fill('password123')
    await field(p, 'pw-repeat').fill('password123')
    await save()
    await ready(p)
    await fieldError(d, 'new_password').waitFor()
    assert((await fieldError(d, 'new_password').innerText()).includes('常用密码'), `new: ${await fieldError(d, 'new_password').innerText()}`)
    await fieldError(d, 'old_password').waitFor({ state: 'detached' })
    await shot(p, 'password-error-zh-CN', { fullPage: false })

    // right: done, the form emptied, this session still works, the others are ended
    await field(p, 'pw-new').fill(next)
    await field(p, 'pw-repeat').fill(next)
    await save()
    await ready(p)
    const done = d.locator('[data-test=password-done]')
    await done.waitFor()
    assert((await done.innerText()).includes('API 令牌'), `done: ${await done.innerText()}`)
    assert((await field(p, 'pw-old').inputValue()) === '', 'the form is emptied')
    await shot(p, 'password-zh-CN', { fullPage: false })
    await p.setViewportSize({ width: 390, height: 844 })
    await ready(p)
    const box = await d.boundingBox() // the .el-dialog itself
    assert(box && box.x >= 0 && box.x + box.width <= 390, `the dialog fits a phone: ${JSON.stringify(box)}`)
    const oldBox = await field(p, 'pw-old').boundingBox()
    const newBox = await field(p, 'pw-new').boundingBox()
    assert(oldBox && newBox && newBox.y > oldBox.y + oldBox.height && Math.abs(newBox.x - oldBox.x) < 2, 'one column on a phone')
    await shot(p, 'password-phone-zh-CN', { fullPage: false })
    await p.setViewportSize({ width: 1440, height: 900 })
    assert((await api(p, 'GET', '/api/v1/me')).status === 200, 'this session stays')
    assert((await api(other.page, 'GET', '/api/v1/me')).status === 401, 'the other session ended')
    assert((await byToken()) === 401, 'the API token was revoked')
    await d.locator('[data-test=profile-close]').click()
    await d.waitFor({ state: 'hidden' })
    await other.context.close()

    // log out, the old password no longer works, the new one does
    await p.locator('[data-test=user-menu]').click()
    await p.locator('[data-test=logout]').click()
    await p.waitForURL(/\/login/)
    await login(p, pwLogin, { password: first, expectFail: true })
    await p.locator('[data-test=login-error]').waitFor()
    await login(p, pwLogin, { password: next })
    assert(new URL(p.url()).pathname === '/', `landed on ${p.url()}`)
    assert((await api(p, 'GET', '/api/v1/me')).json?.login === pwLogin, 'signed in with the new password')

    // the form in English, on a desktop and on a phone
    p.setScreen('password-en')
    await p.locator('[data-test=lang-switch]').click()
    await p.locator('[data-test="lang-en"]').click()
    await p.waitForFunction(() => document.documentElement.lang === 'en')
    await p.locator('[data-test=user-menu]').click()
    await p.locator('[data-test=password-open]').click()
    await field(p, 'pw-old').waitFor()
    assert((await d.innerText()).includes('not a commonly used password'), 'English hint')
    await shot(p, 'password-en', { fullPage: false })
    await p.setViewportSize({ width: 390, height: 844 })
    await shot(p, 'password-phone-en', { fullPage: false })

    // wrong current passwords count as failed sign-ins: the server's back-off (429, Retry-After)
    // is shown at the field with the wait, and the button waits too (8 failures in all from this
    // address, under its 20 per 15 minutes)
    let status = 0
    for (let i = 0; i < 8 && status !== 429; i++) {
      await field(p, 'pw-old').fill(`not-my-password-${i}`)
      await field(p, 'pw-new').fill('Another-orchard-2028')
      await field(p, 'pw-repeat').fill('Another-orchard-2028')
      const [r] = await Promise.all([p.waitForResponse((x) => x.url().endsWith('/api/v1/me/password')), save()])
      status = r.status()
      assert(status === 400 || status === 429, `attempt ${i}: ${status}`)
    }
    assert(status === 429, 'never throttled')
    await ready(p)
    const oldItem = d.locator('[data-field="old_password"]')
    await p.waitForFunction(() => /Try again in \d/.test(document.querySelector('[data-field="old_password"]')?.textContent ?? ''))
    assert(/(min|sec)/.test(await oldItem.innerText()), `the wait: ${await oldItem.innerText()}`)
    assert(await d.locator('[data-test=pw-save]').isDisabled(), 'the button waits')
    await shot(p, 'password-throttled-phone-en', { fullPage: false })
    for (const v of await cspViolations(p)) problems.push({ where: 'pw-user', what: `CSP: ${v}` })
    await context.close()
  })

  // ------------------------------------------------------------ valuation, care, profile (issue 6)
  // Runs last: the care check moves the scheduler to a pinned future date.
  const CARE_DAY = '2027-09-05' // jobs run on this day; Mid-Autumn 2027 is 2027-09-15 (10 days ahead)
  const BIRTHDAY_DAY = '2027-09-08' // 3 days after CARE_DAY
  const FESTIVAL_DAY = '2027-09-15'
  const careCtx = await newPage(browser, base, { label: 'care' })
  const cp = careCtx.page
  const careNames = { mail: `关怀测试${Date.now() % 100000}`, nomail: `无邮箱${Date.now() % 100000}` }
  let valAccount = null

  await check('valuation: am.east1 assesses an account (all criteria 95) and its tier becomes strategic; history says "score"', async () => {
    cp.setScreen('valuation')
    await login(cp, 'am.east1')
    const mine = await allPages(cp, '/api/v1/accounts?owner_id=me')
    valAccount = mine.find((a) => a.tier !== 'strategic' && !a.tier_locked && a.status !== 'prospect')
    assert(valAccount, 'no own account below strategic')
    await cp.goto(`/accounts/${valAccount.id}?tab=valuation`)
    await cp.locator('[data-test=valuation-chart][data-ready="1"]').waitFor()
    const crit = await cp.locator('[data-test=valuation-criteria]').innerText()
    // computed criteria (from sales and the wallet, issue 6) are listed: a value, or "no data yet"
    assert(crit.includes('近12个月采购量') && crit.includes('钱包份额'), 'computed criteria listed')
    for (const k of ['business_scale', 'market_position', 'growth_potential']) {
      const input = field(cp, `assess-${k}`)
      await input.fill('95')
      await input.press('Tab')
    }
    await field(cp, 'assess-note').fill('年度复评：规模与地位显著提升')
    await cp.locator('[data-test=assess-save]').click()
    await cp.waitForFunction(() => document.querySelector('[data-test=valuation-tier]')?.textContent?.includes('战略'))
    const v = (await api(cp, 'GET', `/api/v1/accounts/${valAccount.id}/valuation`)).json
    assert(v.tier === 'strategic' && v.score >= 80, `valuation after assessment: ${v.tier} ${v.score}`)
    const last = v.history[0] // newest first
    assert(last.to_tier === 'strategic' && last.reason === 'score', `last history row ${JSON.stringify(last)}`)
    const hist = await cp.locator('[data-test=tier-history]').innerText()
    assert(hist.includes('评分') && hist.includes(String(v.score)), `history table: ${hist.slice(0, 200)}`)
    await cp.waitForFunction(() => document.querySelector('.head-card')?.textContent?.includes('战略'))
    await shot(cp, 'valuation-zh-CN')
  })

  await check('care: a birthday 3 days after a pinned date -> jobs run -> send the greeting with the Chinese template (sent, mail queued); no e-mail is refused', async () => {
    cp.setScreen('care')
    assert(valAccount, 'no account')
    for (const [name, email] of [[careNames.mail, 'care.test@example.cn'], [careNames.nomail, '']]) {
      const r = await api(cp, 'POST', `/api/v1/accounts/${valAccount.id}/contacts`, {
        name, email, birthday: `1980-${BIRTHDAY_DAY.slice(5)}`, decision_role: 'decision_maker', influence: 5,
      })
      assert(r.status === 201, `create contact: ${r.status} ${JSON.stringify(r.json)}`)
    }
    const out = execFileSync(KAM, ['jobs', 'run', '--db', dsn, '--now', `${CARE_DAY}T02:00:00Z`], { stdio: 'pipe' }).toString()
    const rems = (await api(cp, 'GET', `/api/v1/care?owner_id=me&from=${BIRTHDAY_DAY}&to=2027-09-09`)).json.items
    assert(rems.some((r) => r.contact_name === careNames.mail && r.occasion_kind === 'birthday'), `no birthday reminder after jobs run (${out.trim().slice(0, 120)})`)
    await cp.goto(`/care?from=${BIRTHDAY_DAY}&to=${BIRTHDAY_DAY}`)
    const row = (await tableRows(cp, 'care-table')).filter({ hasText: careNames.mail }).first()
    await row.waitFor()
    assert((await row.innerText()).includes('生日'), 'birthday occasion shown')
    await shot(cp, 'care-zh-CN')
    await row.locator('[data-test=care-send]').click()
    const dlg = cp.locator('[data-test=send-dialog]')
    await dlg.locator('[data-test=send-preview]').waitFor()
    const sel = await dlg.locator('[data-test=send-template]').innerText()
    assert(sel.includes('生日祝福'), `default template: ${sel}`)
    const pv = await dlg.locator('[data-test=send-preview]').innerText()
    assert(pv.includes(careNames.mail) && pv.includes('生日快乐') && !pv.includes('{{'), `preview: ${pv.slice(0, 120)}`)
    await shot(cp, 'care-send-zh-CN', { fullPage: false })
    await dlg.locator('[data-test=send-confirm]').click()
    await dlg.locator('[data-test=send-mail-status]').waitFor()
    const st = await dlg.locator('[data-test=send-mail-status]').innerText()
    assert(st.includes('已发送') && st.includes('已进入发送队列'), `mail status: ${st}`)
    await cp.keyboard.press('Escape')
    await dlg.waitFor({ state: 'hidden' })
    const id = rems.find((r) => r.contact_name === careNames.mail && r.occasion_kind === 'birthday').id
    const after = (await api(cp, 'GET', `/api/v1/care/${id}`)).json
    assert(after.status === 'sent' && after.mail_status === 'queued', `reminder after send: ${after.status} ${after.mail_status}`)
    // the list keeps the sent row (status filter pending) until reloaded; it shows the new state
    assert((await row.innerText()).includes('已发送'), 'row shows sent')
    // the contact without e-mail: the server's 400 (field email) is explained in the dialog
    const row2 = (await tableRows(cp, 'care-table')).filter({ hasText: careNames.nomail }).first()
    await row2.locator('[data-test=care-send]').click()
    await dlg.locator('[data-test=send-preview]').waitFor()
    await dlg.locator('[data-test=send-confirm]').click()
    await dlg.locator('[data-test=send-error]').waitFor()
    assert((await dlg.locator('[data-test=send-error]').innerText()).includes('没有电子邮箱'), 'no-email error shown')
    await cp.keyboard.press('Escape')
    await dlg.waitFor({ state: 'hidden' })
  })

  await check('care: a Mid-Autumn reminder done by hand as a gift', async () => {
    cp.setScreen('care-festival')
    await cp.goto(`/care?from=${FESTIVAL_DAY}&to=${FESTIVAL_DAY}`)
    await (await tableRows(cp, 'care-table')).first().waitFor()
    const row = (await tableRows(cp, 'care-table')).filter({ hasText: careNames.mail }).first()
    // every key person has a Mid-Autumn reminder: page on until the new contact's row appears
    for (let i = 0; i < 20 && !(await row.count()); i++) {
      const more = cp.locator('[data-test=care-more]')
      if (!(await more.count())) break
      await more.click()
      await ready(cp)
    }
    await row.waitFor()
    assert((await row.innerText()).includes('中秋节'), `festival row: ${(await row.innerText()).slice(0, 80)}`)
    await row.locator('[data-test=care-done]').click()
    const dlg = cp.locator('[data-test=done-dialog]')
    await dlg.waitFor()
    await dlg.locator('[data-test=done-channel-gift]').click()
    await field(cp, 'done-note').fill('送月饼礼盒')
    await dlg.locator('[data-test=done-confirm]').click()
    await dlg.waitFor({ state: 'hidden' })
    await cp.waitForFunction((n) => [...document.querySelectorAll('[data-test=care-table] tr')].some((tr) => tr.textContent.includes(n) && tr.textContent.includes('已完成')), careNames.mail)
    const rems = (await api(cp, 'GET', `/api/v1/care?owner_id=me&status=done&from=${FESTIVAL_DAY}&to=2027-09-16`)).json.items
    const r = rems.find((x) => x.contact_name === careNames.mail)
    assert(r && r.channel === 'gift' && r.note === '送月饼礼盒' && r.occasion_key === 'mid_autumn', `reminder: ${JSON.stringify(r)}`)
  })

  await check('profile: the daily digest switch round-trips (PATCH /me)', async () => {
    cp.setScreen('profile')
    const open = async () => {
      await cp.locator('[data-test=user-menu]').click()
      await cp.locator('[data-test=profile-open]').click()
      const d = cp.locator('[data-test=profile-dialog]')
      await d.waitFor()
      await cp.waitForFunction(() => (document.querySelector('input[data-test=profile-name], [data-test=profile-name] input')?.value ?? '') !== '')
      return d
    }
    const before = (await api(cp, 'GET', '/api/v1/me')).json.digest
    let d = await open()
    await shot(cp, 'profile-zh-CN', { fullPage: false })
    await d.locator('[data-test=profile-digest]').click()
    await d.locator('[data-test=profile-save]').click()
    await d.waitFor({ state: 'hidden' })
    assert((await api(cp, 'GET', '/api/v1/me')).json.digest === !before, 'digest changed on the server')
    d = await open()
    const checked = await d.locator('[data-test=profile-digest]').evaluate((el) => el.classList.contains('is-checked'))
    assert(checked === !before, 'the dialog shows the saved value')
    await d.locator('[data-test=profile-digest]').click()
    await d.locator('[data-test=profile-save]').click()
    await d.waitFor({ state: 'hidden' })
    assert((await api(cp, 'GET', '/api/v1/me')).json.digest === before, 'digest back')
  })
  for (const v of await cspViolations(cp)) problems.push({ where: 'care', what: `CSP: ${v}` })
  await careCtx.context.close()

  await check('settings (director): preview a tier threshold change lists the accounts that would move; cancel saves nothing', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'director-valuation' })
    p.setScreen('settings-valuation')
    await login(p, 'director')
    await p.goto('/settings?tab=care')
    await (await tableRows(p, 'occasion-table')).first().waitFor()
    await (await tableRows(p, 'template-table')).first().waitFor()
    await shot(p, 'settings-care-zh-CN')
    await p.locator('[data-test=settings-tab-valuation]').click()
    await (await tableRows(p, 'criteria-table')).first().waitFor()
    const before = (await api(p, 'GET', '/api/v1/settings/tier-thresholds')).json
    await field(p, 'threshold-strategic').fill('70')
    await field(p, 'threshold-strategic').press('Tab')
    await p.locator('[data-test=valuation-preview]').click()
    const dlg = p.locator('[data-test=preview-dialog]')
    await dlg.locator('[data-test=preview-summary]').waitFor()
    await ready(p)
    const expected = (await api(p, 'POST', '/api/v1/valuation/preview', { threshold_strategic: 70, threshold_key: before.key, threshold_growth: before.growth })).json
    assert(expected.changes.length > 0, 'the API preview finds no change')
    const rows = await dlg.locator('.el-table__body-wrapper tbody tr.el-table__row').count()
    assert(rows === expected.changes.length, `${rows} rows, API preview has ${expected.changes.length}`)
    assert((await dlg.innerText()).includes(expected.changes[0].name), 'first account listed')
    await shot(p, 'settings-valuation-preview-zh-CN', { fullPage: false })
    await dlg.locator('[data-test=preview-cancel]').click()
    await dlg.waitFor({ state: 'hidden' })
    const afterTh = (await api(p, 'GET', '/api/v1/settings/tier-thresholds')).json
    assert(afterTh.strategic === before.strategic, `thresholds changed: ${JSON.stringify(afterTh)}`)
    for (const v of await cspViolations(p)) problems.push({ where: 'director-valuation', what: `CSP: ${v}` })
    await context.close()
  })

  await check('the new screens in English (care, valuation, settings, profile)', async () => {
    const { context, page: p } = await newPage(browser, base, { locale: 'en-US', label: 'en-new' })
    p.setScreen('care-en')
    await login(p, 'director')
    await p.goto(`/care?status=all&all=1&from=${BIRTHDAY_DAY}&to=${FESTIVAL_DAY}`)
    await (await tableRows(p, 'care-table')).first().waitFor()
    const txt = await p.locator('[data-test=care-table]').innerText()
    assert(/Birthday|Festival/.test(txt) && /Mid-Autumn/.test(txt), `care table in English: ${txt.slice(0, 120)}`)
    assert((await p.locator('[data-test=nav-care]').innerText()).includes('Care'), 'menu item')
    await shot(p, 'care-en', { fullPage: false })
    p.setScreen('valuation-en')
    await p.goto(`/accounts/${valAccount.id}?tab=valuation`)
    await p.locator('[data-test=valuation-chart][data-ready="1"]').waitFor()
    assert((await p.locator('[data-test=valuation-criteria]').innerText()).includes('Last-12-month volume'), 'computed criteria in English')
    await shot(p, 'valuation-en')
    p.setScreen('settings-en')
    await p.goto('/settings?tab=valuation')
    await (await tableRows(p, 'criteria-table')).first().waitFor()
    await shot(p, 'settings-valuation-en')
    await p.goto('/settings?tab=care')
    await (await tableRows(p, 'template-table')).first().waitFor()
    await shot(p, 'settings-care-en')
    // a prospect: source shown, screening offered
    const prospects = (await api(p, 'GET', '/api/v1/accounts?status=prospect&limit=50')).json.items
    const pr = prospects.find((a) => a.source)
    assert(pr, 'no prospect with a source in the demo')
    p.setScreen('prospect-en')
    await p.goto(`/accounts/${pr.id}?tab=valuation`)
    await p.locator('[data-test=prospect-box]').waitFor()
    assert((await p.locator('[data-test=prospect-box]').innerText()).includes('Source'), 'source shown')
    await p.locator('[data-test=screening-open]').click()
    const sd = p.locator('[data-test=screening-dialog]')
    await sd.waitFor()
    await sd.locator('label', { hasText: 'Rejected' }).click()
    await field(p, 'screening-reason').fill('Too small for key-account care')
    await sd.locator('[data-test=screening-save]').click()
    await sd.waitFor({ state: 'hidden' })
    await p.locator('[data-test=screening-result]').waitFor()
    const a = (await api(p, 'GET', `/api/v1/accounts/${pr.id}`)).json
    assert(a.screening === 'rejected' && a.status === 'lost' && a.screening_reason === 'Too small for key-account care', `after screening: ${a.screening} ${a.status}`)
    assert((await p.locator('[data-test=screening-result]').innerText()).includes('Rejected'), 'decision shown')
    await shot(p, 'prospect-screened-en', { fullPage: false })
    p.setScreen('profile-en')
    await p.locator('[data-test=user-menu]').click()
    await p.locator('[data-test=profile-open]').click()
    await p.locator('[data-test=profile-dialog]').waitFor()
    await p.waitForFunction(() => (document.querySelector('input[data-test=profile-name], [data-test=profile-name] input')?.value ?? '') !== '')
    await shot(p, 'profile-en', { fullPage: false })
    for (const v of await cspViolations(p)) problems.push({ where: 'en-new', what: `CSP: ${v}` })
    await context.close()
  })

  await volumeChecks(browser, base)
}

// ---------------------------------------------------------------- volume growth (issue 6)
/** Waits until a grid cell's data-value differs from `before` (the grid reloads after a PUT). */
async function cellValue(p, row, col) {
  const v = await p.locator(`[data-test=grid-cell][data-row="${row}"][data-col="${col}"]`).getAttribute('data-value')
  return Number(v)
}

async function volumeChecks(browser, base) {
  const Y = new Date().getFullYear()
  const { context, page: p } = await newPage(browser, base, { label: 'director-volume' })
  await login(p, 'director')
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kam-csv-'))
  let plan = null

  await check('imports: a CSV with one bad row is rejected naming the row and column; skipping bad rows loads the good ones', async () => {
    p.setScreen('imports')
    const acc = (await api(p, 'GET', '/api/v1/accounts?limit=1&sort=code')).json.items[0]
    const prod = (await api(p, 'GET', '/api/v1/products?limit=1')).json.items[0]
    const stamp = Date.now()
    const csv = [
      'external_id,date,account_code,sku,quantity,amount,currency',
      `BT-${stamp}-1,2026-10-05,${acc.code},${prod.sku},2,170.00,CNY`,
      `BT-${stamp}-2,2026-13-01,${acc.code},${prod.sku},1,85.00,CNY`,
      `BT-${stamp}-3,2026-10-06,${acc.code},${prod.sku},3,255.50,CNY`,
    ].join('\n') + '\n'
    const file = path.join(tmp, 'orders-one-bad.csv')
    fs.writeFileSync(file, csv)
    await p.locator('[data-test=nav-imports]').click()
    await p.waitForURL(/\/imports$/)
    await p.locator('[data-test=import-kind-orders]').click()
    await p.locator('[data-test=import-file]').setInputFiles(file)
    await p.locator('[data-test=import-file-name]').waitFor()
    await p.locator('[data-test=import-upload]').click()
    const rep = p.locator('[data-test=import-report]')
    await rep.waitFor()
    assert((await rep.getAttribute('data-status')) === 'rejected', `status ${await rep.getAttribute('data-status')}`)
    assert((await p.locator('[data-test=import-progress]').getAttribute('data-percent')) === '100', 'progress reached 100 %')
    const probs = p.locator('[data-test=import-problems] .el-table__body-wrapper tbody tr.el-table__row')
    assert((await probs.count()) === 1, `${await probs.count()} problem rows`)
    const ptxt = await probs.first().innerText()
    assert(/\b3\b/.test(ptxt) && ptxt.includes('日期') && ptxt.includes('2026-13-01'), `problem row: ${ptxt}`)
    assert(digits(await p.locator('[data-test=import-inserted]').innerText()) === 0, 'nothing inserted')
    await shot(p, 'import-rejected-zh-CN')
    // the same file, skipping bad rows: the two good rows load
    await p.locator('[data-test=import-skip-bad]').click()
    await p.locator('[data-test=import-upload]').click()
    await p.waitForFunction(() => document.querySelector('[data-test=import-report]')?.getAttribute('data-status') === 'loaded')
    assert(digits(await p.locator('[data-test=import-inserted]').innerText()) === 2, `inserted ${await p.locator('[data-test=import-inserted]').innerText()}`)
    assert(digits(await p.locator('[data-test=import-rejected]').innerText()) === 1, 'one rejected')
    const orders = (await api(p, 'GET', `/api/v1/orders?account_id=${acc.id}&from=2026-10-05&to=2026-10-07&limit=500`)).json.items
    const ids = orders.map((o) => o.external_id)
    assert(ids.includes(`BT-${stamp}-1`) && ids.includes(`BT-${stamp}-3`) && !ids.includes(`BT-${stamp}-2`), `orders loaded: ${ids.filter((x) => x.startsWith('BT-')).join(',')}`)
    await p.waitForFunction(() => (document.querySelector('[data-test=import-past] .el-table__body-wrapper tbody tr.el-table__row')?.textContent ?? '').includes('已导入'))
    assert((await (await tableRows(p, 'import-past')).count()) >= 2, 'past imports list the rejected and the loaded run')
    await shot(p, 'import-loaded-zh-CN')
    // a file with its own headers: map them, dry run
    const mfile = path.join(tmp, 'orders-mapped.csv')
    fs.writeFileSync(mfile, `单号,日期,客户编码,物料号,数量,金额\nBT-${stamp}-9,2026-10-08,${acc.code},${prod.sku},1,85.00\n`)
    await p.locator('[data-test=import-skip-bad]').click()
    await p.locator('[data-test=import-file]').setInputFiles(mfile)
    await p.locator('[data-test=import-missing]').waitFor()
    await p.locator('[data-test=import-use-mapping]').click()
    await p.locator('[data-test=import-dry-run]').click()
    for (const [f, h] of [['external_id', '单号'], ['date', '日期'], ['account_code', '客户编码'], ['sku', '物料号'], ['quantity', '数量'], ['amount', '金额']]) {
      await p.locator(`[data-test=import-map-${f}]`).click()
      await p.keyboard.type(h)
      await p.locator('.el-select-dropdown__item:visible', { hasText: h }).first().click()
      await p.keyboard.press('Escape')
    }
    await p.locator('[data-test=import-upload]').click()
    await p.waitForFunction(() => document.querySelector('[data-test=import-report]')?.getAttribute('data-status') === 'checked')
    assert(digits(await p.locator('[data-test=import-total]').innerText()) === 1 && digits(await p.locator('[data-test=import-rejected]').innerText()) === 0, 'mapped file checks clean')
    assert((await p.locator('[data-test=import-verdict]').innerText()).includes('试运行'), 'dry run verdict')
    const none = (await api(p, 'GET', `/api/v1/orders?account_id=${acc.id}&from=2026-10-08&to=2026-10-09&limit=500`)).json.items
    assert(!none.some((o) => o.external_id === `BT-${stamp}-9`), 'a dry run loads nothing')
    await shot(p, 'import-mapped-dry-run-zh-CN')
  })

  await check('targets: create a SMART plan, decompose, lock one cell, edit another: the totals hold', async () => {
    p.setScreen('targets')
    await p.locator('[data-test=nav-targets]').click()
    await p.waitForURL(/\/targets$/)
    await p.locator('[data-test=target-new]').click()
    const dlg = p.locator('[data-test=target-dialog]')
    await dlg.waitFor()
    // SMART fields are validated before anything is sent
    await dlg.locator('[data-test=target-save]').click()
    await dlg.locator('[data-field=specific] .el-form-item__error').waitFor()
    await field(p, 'target-name').fill('浏览器测试 上量计划')
    await field(p, 'target-total').fill('300000000')
    await field(p, 'target-total').press('Tab')
    await field(p, 'target-specific').fill('华东区轴承和液压产品线销量提升')
    await field(p, 'target-measurable').fill('全年销售额 3 亿元')
    await field(p, 'target-achievable').fill('去年 2.5 亿，商机储备充足，新增两个渠道')
    await field(p, 'target-relevant').fill('公司 2026 年战略：重点客户上量')
    await shot(p, 'target-new-zh-CN', { fullPage: false })
    await dlg.locator('[data-test=target-save]').click()
    await p.waitForURL(/\/targets\/\d+/)
    const id = Number(new URL(p.url()).pathname.split('/').pop())
    await p.locator('[data-test=plan-decompose]').click()
    await p.locator('[data-test=grid-table]').waitFor()
    plan = (await api(p, 'GET', `/api/v1/targets/${id}`)).json
    assert(plan.decomposed_at && plan.total === 300000000, `plan after decompose: ${JSON.stringify(plan).slice(0, 120)}`)
    const grid = p.locator('[data-test=grid-table]')
    assert(Number(await grid.getAttribute('data-total')) === 300000000, `grid total ${await grid.getAttribute('data-total')}`)
    const rowKeys = await p.locator('[data-test=grid-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-row')))
    assert(rowKeys.length >= 2, `${rowKeys.length} rows`)
    // lock one cell
    const [ra, ca, rb, cb] = [rowKeys[0], '3', rowKeys[1], '6']
    const aBefore = await cellValue(p, ra, ca)
    await p.locator(`[data-test=grid-cell][data-row="${ra}"][data-col="${ca}"] [data-test=grid-cell-lock]`).click()
    await p.waitForFunction(([r, c]) => document.querySelector(`[data-test=grid-cell][data-row="${r}"][data-col="${c}"]`)?.getAttribute('data-locked') === 'all', [ra, ca])
    // edit another
    const bBefore = await cellValue(p, rb, cb)
    const bNew = bBefore + 1000000
    await p.locator(`[data-test=grid-cell][data-row="${rb}"][data-col="${cb}"] [data-test=grid-cell-value]`).click()
    const cd = p.locator('[data-test=cell-dialog]')
    await cd.waitFor()
    await field(p, 'cell-value').fill(String(bNew))
    await field(p, 'cell-value').press('Tab')
    await shot(p, 'target-cell-edit-zh-CN', { fullPage: false })
    await cd.locator('[data-test=cell-save]').click()
    await cd.waitFor({ state: 'hidden' })
    await p.waitForFunction(([r, c, v]) => Number(document.querySelector(`[data-test=grid-cell][data-row="${r}"][data-col="${c}"]`)?.getAttribute('data-value')) === v, [rb, cb, bNew])
    assert((await cellValue(p, ra, ca)) === aBefore, `locked cell moved: ${aBefore} -> ${await cellValue(p, ra, ca)}`)
    assert(Number(await p.locator('[data-test=grid-total]').getAttribute('data-value')) === 300000000, 'plan total held in the grid')
    const rowTotals = await p.locator('[data-test=grid-row-total]').evaluateAll((els) => els.reduce((a, e) => a + Number(e.getAttribute('data-value')), 0))
    const colTotals = await p.locator('[data-test=grid-col-total]').evaluateAll((els) => els.reduce((a, e) => a + Number(e.getAttribute('data-value')), 0))
    assert(rowTotals === 300000000 && colTotals === 300000000, `row totals ${rowTotals}, column totals ${colTotals}`)
    const cells = await p.locator('[data-test=grid-cell]').evaluateAll((els) => els.reduce((a, e) => a + Number(e.getAttribute('data-value')), 0))
    assert(cells === 300000000, `cells add up to ${cells}`)
    const again = (await api(p, 'GET', `/api/v1/targets/${id}/grid?rows=family&cols=month`)).json
    assert(again.total === 300000000, `server total ${again.total}`)
    await shot(p, 'target-grid-zh-CN')
    await p.locator('[data-test=tab-adjustments]').click()
    await (await tableRows(p, 'adjustment-table')).first().waitFor()
    await ready(p)
    assert((await (await tableRows(p, 'adjustment-table')).count()) >= 3, 'decompose, lock and set are logged')
    await shot(p, 'target-adjustments-zh-CN', { fullPage: false })
    // submit; the director wrote the plan, so their approval is refused (separation of duties,
    // the reason on screen) and the general manager approves it; afterwards a change needs a reason
    await p.locator('[data-test=plan-submit]').click()
    await p.waitForFunction(() => document.querySelector('[data-test=plan-status]')?.textContent?.includes('已提交'))
    await p.locator('[data-test=plan-approve]').click()
    await p.locator('.el-message--error', { hasText: '编制人以外' }).waitFor()
    const gm = await newPage(browser, base, { label: 'gm' })
    await login(gm.page, 'gm')
    const ap = await api(gm.page, 'POST', `/api/v1/targets/${id}/approve`, { note: '同意' })
    await gm.context.close()
    assert(ap.status === 200 && ap.json.approved_by && ap.json.approved_by !== plan.owner_id, `the general manager approves: ${ap.status} ${JSON.stringify(ap.json).slice(0, 160)}`)
    await p.goto(`/targets/${id}`)
    await p.waitForFunction(() => document.querySelector('[data-test=plan-status]')?.textContent?.includes('已批准'))
    await p.locator('[data-test=grid-table]').waitFor()
    await p.locator(`[data-test=grid-cell][data-row="${rb}"][data-col="${cb}"] [data-test=grid-cell-value]`).click()
    await cd.waitFor()
    await field(p, 'cell-value').fill(String(bNew + 500000))
    await field(p, 'cell-value').press('Tab')
    await cd.locator('[data-test=cell-save]').click()
    await cd.locator('[data-test=cell-error]').waitFor()
    await field(p, 'cell-reason').fill('客户追加订单')
    await cd.locator('[data-test=cell-save]').click()
    await cd.waitFor({ state: 'hidden' })
    await p.waitForFunction(([r, c, v]) => Number(document.querySelector(`[data-test=grid-cell][data-row="${r}"][data-col="${c}"]`)?.getAttribute('data-value')) === v, [rb, cb, bNew + 500000])
    assert(Number(await p.locator('[data-test=grid-total]').getAttribute('data-value')) === 300000000, 'total held after the approved change')
    const adj = (await api(p, 'GET', `/api/v1/targets/${id}/adjustments`)).json.items
    assert(adj.some((a) => a.reason === '客户追加订单'), 'the reason is in the adjustments log')
    // a 4P measure straight from a cell: plan and slice filled in
    await p.locator(`[data-test=grid-cell][data-row="${rb}"][data-col="${cb}"] [data-test=grid-cell-value]`).click()
    await cd.waitFor()
    await cd.locator('[data-test=cell-measure]').click()
    const md = p.locator('[data-test=measure-dialog]')
    await md.waitFor()
    await field(p, 'measure-title').fill('渠道补货计划')
    const meUser = (await api(p, 'GET', '/api/v1/me')).json
    await chooseOption(p, 'measure-owner', meUser.name || meUser.login)
    await field(p, 'measure-due').fill(`${Y}-12-31`)
    await field(p, 'measure-due').press('Enter')
    await md.locator('[data-test=measure-save]').click()
    await md.waitFor({ state: 'hidden' })
    const ms = (await api(p, 'GET', `/api/v1/measures?plan_id=${id}`)).json.items
    assert(ms.some((m) => m.title === '渠道补货计划' && m.family === rb), `measure for the cell: ${JSON.stringify(ms.map((m) => [m.title, m.family]))}`)
    // another dimension narrows the grid: its total is that slice of the plan
    await chooseOption(p, 'grid-filter-region', '华东')
    await p.waitForFunction(() => Number(document.querySelector('[data-test=grid-total]')?.getAttribute('data-value')) < 300000000)
    const slice = (await api(p, 'GET', `/api/v1/targets/${id}/grid?rows=family&cols=month&region=${encodeURIComponent('华东')}`)).json
    assert(Number(await p.locator('[data-test=grid-total]').getAttribute('data-value')) === slice.total, `region slice total ${slice.total}`)
    await shot(p, 'target-grid-filtered-zh-CN', { fullPage: false })
    // export links
    const href = await p.locator('[data-test=grid-export-xlsx]').getAttribute('href')
    const r = await p.evaluate(async (u) => { const x = await fetch(u); return { s: x.status, t: x.headers.get('content-type') } }, href)
    assert(r.s === 200 && r.t.includes('spreadsheetml'), `xlsx export: ${r.s} ${r.t}`)
  })

  await check('volume dashboard: KPI tiles and the forecast fan chart (actual, target, forecast, 80/95 % bands); a drill-down row filters the chart', async () => {
    p.setScreen('volume')
    await p.locator('[data-test=nav-volume]').click()
    await p.waitForURL(/\/volume/)
    if (plan) {
      await chooseOption(p, 'vol-plan', '浏览器测试 上量计划')
      await p.waitForURL(/plan=/)
    }
    await p.locator('[data-test=vol-chart][data-ready="1"]').waitFor()
    await ready(p)
    const box = p.locator('[data-test=vol-chart-box]')
    const series = (await box.getAttribute('data-series')).split(',')
    for (const s of ['actual', 'forecast', 'fan_base', 'fan95_low', 'fan80', 'fan95_high', 'last_year']) assert(series.includes(s), `series ${s} missing: ${series}`)
    if (plan) assert(series.includes('target') && Number(await box.getAttribute('data-target-months')) === 12, `monthly targets drawn: ${await box.getAttribute('data-target-months')}`)
    assert(Number(await box.getAttribute('data-forecast-months')) > 0, 'forecast months')
    await p.locator('[data-test=vol-affinity]').waitFor()
    const drawn = await p.locator('[data-test=vol-chart] canvas').count()
    assert(drawn > 0, 'chart canvas')
    const actual = await p.locator('[data-test=kpi-actual]').innerText()
    assert(/¥/.test(actual), `actual tile: ${actual}`)
    if (plan) assert(/%/.test(await p.locator('[data-test=kpi-attainment]').innerText()), 'attainment shown')
    await shot(p, 'volume-zh-CN')
    // a quarter: the breakdown covers its months, the tiles its figures
    const yearActual = await p.locator('[data-test=kpi-actual] .tile-sub').innerText()
    await chooseOption(p, 'vol-period', '第 1 季度')
    await p.waitForURL(/period=Q1/)
    await ready(p)
    const q1 = (await api(p, 'GET', `/api/v1/sales/breakdown?by=family&from=${Y}-01&to=${Y}-03&measure=amount`)).json
    assert(digits(await p.locator('[data-test=kpi-actual] .tile-sub').innerText()) === Math.round(q1.total), `Q1 actual tile ${await p.locator('[data-test=kpi-actual] .tile-sub').innerText()} vs ${q1.total} (year ${yearActual})`)
    await chooseOption(p, 'vol-period', '全年')
    await p.waitForURL((u) => !u.search.includes('period='))
    await ready(p)
    // drill-down by family: clicking a row filters the chart
    const rows = await tableRows(p, 'vol-breakdown')
    await rows.first().waitFor()
    const first = (await rows.first().innerText()).split('\n')[0].trim()
    await rows.first().click()
    await p.waitForURL(/family=/)
    await p.locator('[data-test=vol-active]').waitFor()
    assert((await p.locator('[data-test=vol-active]').innerText()).includes(first.split(' ')[0]), 'active filter shown')
    await ready(p) // the filtered series is loaded and drawn
    await p.locator('[data-test=vol-chart][data-ready="1"]').waitFor()
    // by account: rows link to the account page
    await p.locator('[data-test=vol-by-account]').click()
    await ready(p)
    await p.locator('[data-test=vol-account-link]').first().waitFor()
    const href = await p.locator('[data-test=vol-account-link]').first().getAttribute('href')
    assert(/^\/accounts\/\d+$/.test(href), `account link ${href}`)
    await shot(p, 'volume-drill-zh-CN')
    for (const v of await cspViolations(p)) problems.push({ where: 'volume', what: `CSP: ${v}` })
  })

  await check('account behaviour tab: RFM, rhythm, trend, seasonality chart, mix, cross-sell, similar accounts, wallet', async () => {
    p.setScreen('behaviour')
    const top = (await api(p, 'GET', `/api/v1/sales/breakdown?by=account&from=${Y}-01&to=${Y}-12&measure=amount&limit=1`)).json.items[0]
    await p.goto(`/accounts/${top.key}`)
    await p.locator('[data-test=tab-behaviour]').click()
    await p.waitForURL(/tab=behaviour/)
    for (const s of ['bh-rfm', 'bh-intervals', 'bh-trend', 'bh-season', 'bh-mix', 'bh-cross-sell', 'bh-neighbours', 'bh-wallet']) await p.locator(`[data-test=${s}]`).waitFor()
    await p.locator('[data-test=bh-season-chart][data-ready="1"]').waitFor()
    const b = (await api(p, 'GET', `/api/v1/accounts/${top.key}/behaviour`)).json
    assert((await p.locator('[data-test=bh-rfm]').innerText()).includes(String(b.rfm.score.r)), 'RFM scores')
    if (b.neighbours.length) assert((await p.locator('[data-test=bh-neighbours]').innerText()).includes(b.neighbours[0].name), 'similar account listed')
    // a wallet estimate gives a share of wallet
    await p.locator('[data-test=wallet-add]').click()
    const wd = p.locator('[data-test=wallet-dialog]')
    await wd.waitFor()
    await field(p, 'wallet-amount').fill('50000000')
    await field(p, 'wallet-note').fill('客户采购总监口径')
    await wd.locator('[data-test=wallet-save]').click()
    await wd.waitFor({ state: 'hidden' })
    await (await tableRows(p, 'wallet-table')).first().waitFor()
    assert(/%/.test(await p.locator('[data-test=wallet-share]').first().innerText()), 'share of wallet shown')
    assert((await p.locator('[data-test=bh-volume-link]').getAttribute('href')).includes(`account_id=${top.key}`), 'link to the dashboard for this account')
    const w = (await api(p, 'GET', `/api/v1/accounts/${top.key}/wallet`)).json.items
    assert(w.some((x) => x.amount === 5000000000 && x.note === '客户采购总监口径'), `wallet saved: ${JSON.stringify(w)}`)
    await shot(p, 'behaviour-zh-CN')
  })

  await check('volume screens: KPI table, measures, products and exchange rates render; roles see what they may do', async () => {
    p.setScreen('kpis')
    await p.goto(plan ? `/kpis?plan=${plan.id}` : '/kpis')
    await (await tableRows(p, 'kpi-table')).first().waitFor()
    await chooseOption(p, 'kpi-by', '产品线')
    await ready(p)
    assert((await (await tableRows(p, 'kpi-table')).count()) >= 5, 'a row per family')
    assert((await p.locator('[data-test=kpi-status]').count()) > 0, 'status tags')
    await shot(p, 'kpis-zh-CN')
    p.setScreen('measures')
    await p.goto('/measures')
    await p.locator('[data-test=measure-new]').click()
    const md = p.locator('[data-test=measure-dialog]')
    await md.waitFor()
    await p.locator('[data-test=measure-kind-promotion]').click()
    await field(p, 'measure-title').fill('春季轴承促销')
    if (plan) await chooseOption(p, 'measure-plan', '浏览器测试 上量计划')
    const meUser = (await api(p, 'GET', '/api/v1/me')).json
    await chooseOption(p, 'measure-owner', meUser.name || meUser.login)
    await field(p, 'measure-due').fill(`${Y}-12-31`)
    await field(p, 'measure-due').press('Enter')
    await md.locator('[data-test=measure-save]').click()
    await md.waitFor({ state: 'hidden' })
    await (await tableRows(p, 'measure-table')).filter({ hasText: '春季轴承促销' }).first().waitFor()
    await shot(p, 'measures-zh-CN')
    p.setScreen('products')
    await p.goto('/products')
    await (await tableRows(p, 'product-table')).first().waitFor()
    await field(p, 'product-search').fill('BRG')
    await ready(p)
    const n = await (await tableRows(p, 'product-table')).count()
    for (let i = 0; i < n; i++) assert((await (await tableRows(p, 'product-table')).nth(i).innerText()).includes('BRG'), 'search filters')
    await shot(p, 'products-zh-CN')
    // a new product in a family, then an exchange rate
    const sku = `BT-${Date.now() % 100000}`
    await p.locator('[data-test=product-new]').click()
    const pd = p.locator('[data-test=product-dialog]')
    await pd.waitFor()
    await field(p, 'product-sku').fill(sku)
    await field(p, 'product-name').fill('测试轴承 Test bearing')
    await p.locator('[data-test=product-family-input]').click()
    await p.keyboard.type('轴承 Bearings')
    await p.locator('.el-select-dropdown__item:visible', { hasText: '轴承 Bearings' }).first().click()
    await field(p, 'product-price').fill('123.45')
    await pd.locator('[data-test=product-save]').click()
    await pd.waitFor({ state: 'hidden' })
    const made = (await api(p, 'GET', `/api/v1/products?q=${sku}`)).json.items[0]
    assert(made && made.family === '轴承 Bearings' && made.list_price?.amount === 12345, `product: ${JSON.stringify(made)}`)
    await p.getByRole('tab', { name: '汇率' }).click()
    await p.locator('[data-test=fx-table]').waitFor()
    await p.locator('[data-test=fx-currency]').click()
    await p.keyboard.type('SGD')
    await p.locator('.el-select-dropdown__item:visible', { hasText: 'SGD' }).first().click()
    await field(p, 'fx-rate').fill('5.3')
    await p.locator('[data-test=fx-save]').click()
    await p.waitForFunction(() => document.querySelector('[data-test=fx-table]')?.textContent?.includes('SGD'))
    const fx = (await api(p, 'GET', '/api/v1/fx-rates')).json
    assert(fx.items.some((r) => r.currency === 'SGD' && r.rate_micro === 5300000), `fx: ${JSON.stringify(fx.items)}`)
    await shot(p, 'fx-zh-CN', { fullPage: false })
    for (const v of await cspViolations(p)) problems.push({ where: 'volume-screens', what: `CSP: ${v}` })
    // an account manager: no target editing, no product editing
    const am = await newPage(browser, base, { label: 'am-volume' })
    await login(am.page, 'am.east1')
    await am.page.goto('/products')
    await (await tableRows(am.page, 'product-table')).first().waitFor()
    await ready(am.page)
    assert((await am.page.locator('[data-test=product-new]').count()) === 0, 'no product editing')
    await am.page.goto('/targets')
    await am.page.locator('[data-test=target-table]').waitFor()
    await ready(am.page)
    assert((await am.page.locator('[data-test=target-new]').count()) === 0, 'no new plan button')
    await am.context.close()
    // a viewer reads the dashboard, plans and measures, changes nothing
    const vw = await newPage(browser, base, { label: 'viewer-volume' })
    await login(vw.page, 'viewer')
    await vw.page.goto('/measures')
    await vw.page.locator('[data-test=measure-table]').waitFor()
    await ready(vw.page)
    assert((await vw.page.locator('[data-test=measure-new]').count()) === 0, 'no new measure for a viewer')
    await vw.context.close()
    // hr sees no volume screens at all
    const hr = await newPage(browser, base, { label: 'hr-volume' })
    await login(hr.page, 'hr')
    await hr.page.locator('[data-test=nav-home]').waitFor()
    await ready(hr.page)
    assert((await hr.page.locator('[data-test=nav-volume]').count()) === 0, 'no volume menu for hr')
    await hr.context.close()
  })

  // Every import needs the import right (admin, director, finance); importing accounts also needs
  // account create, so only admin and director. Roles without it get no menu entry and the
  // 403 screen, not a page whose upload the server would refuse.
  await check('imports are offered only to roles with the import right: not to an account manager, team lead or viewer; finance gets orders and products, not accounts', async () => {
    for (const login_ of ['am.east1', 'lead.east', 'viewer']) {
      const { context: c, page: q } = await newPage(browser, base, { label: `imports-${login_}` })
      await login(q, login_)
      await q.locator('[data-test=nav-volume]').waitFor() // the menu is drawn for this role
      await ready(q)
      assert((await q.locator('[data-test=nav-imports]').count()) === 0, `${login_} sees the imports menu entry`)
      await q.goto('/imports')
      await q.waitForURL(/\/403/)
      await q.locator('[data-test=forbidden]').waitFor()
      assert((await q.locator('[data-test=import-upload]').count()) === 0, `${login_} is offered an upload`)
      await c.close()
    }
    const { context: c, page: q } = await newPage(browser, base, { label: 'imports-finance' })
    await login(q, 'finance')
    await q.locator('[data-test=nav-imports]').click()
    await q.waitForURL(/\/imports$/)
    await q.locator('[data-test=import-kind-orders]').waitFor()
    await ready(q)
    assert((await q.locator('[data-test=import-kind-products]').count()) === 1, 'finance imports products')
    assert((await q.locator('[data-test=import-kind-accounts]').count()) === 0, 'finance is offered account imports')
    await q.locator('[data-test=import-past]').waitFor() // the list of past imports
    await c.close()
  })

  await check('volume screens in English and Traditional Chinese', async () => {
    for (const [loc, word] of [['en-US', 'Volume growth'], ['zh-TW', '上量']]) {
      const { context: c2, page: q } = await newPage(browser, base, { locale: loc, label: `volume-${loc}` })
      await login(q, 'director')
      await q.goto('/volume')
      await q.locator('[data-test=vol-chart][data-ready="1"]').waitFor()
      assert((await q.locator('h1').first().innerText()).includes(word), `title in ${loc}`)
      await shot(q, `volume-${loc}`)
      if (plan) {
        await q.goto(`/targets/${plan.id}`)
        await q.locator('[data-test=grid-table]').waitFor()
        await shot(q, `target-grid-${loc}`)
      }
      await q.goto('/imports')
      await q.locator('[data-test=import-kind-orders]').waitFor()
      await shot(q, `imports-${loc}`, { fullPage: false })
      for (const v of await cspViolations(q)) problems.push({ where: `volume-${loc}`, what: `CSP: ${v}` })
      await c2.close()
    }
  })

  fs.rmSync(tmp, { recursive: true, force: true })
  await context.close()
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
