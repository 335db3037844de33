// The screenshot set of issue 12: every screen (the routes of web/src/router/index.ts and of the
// feature folders' routes.ts, the account page's tabs and the main dialogs) in zh-CN, zh-TW and
// English, on a desktop (1440x900) and a phone (390x844), written to
//   build/screenshots/set/<screen>-<locale>-<viewport>.png
// and in each, one check "screens <screen> <locale> <viewport>" that asserts:
//   (a) phone: no horizontal page overflow (document.scrollingElement.scrollWidth <= innerWidth
//       + 1); a failure names the widest offending elements by selector;
//   (b) zh-CN / zh-TW: no raw snake_case identifier in the visible text (text nodes matching
//       /\b[a-z]+(_[a-z0-9]+)+\b/, outside inputs, <code>/<pre>, e-mail addresses and URLs);
//       a failure quotes what was found;
//   (c) phone, the screens of CARD_SCREENS: no table wider than its box (their lists are card
//       lists on a phone); elsewhere such a table is only reported ("table scrolls sideways").
// One browser context per locale x viewport x user (signed in once). KAM_SCREENS=quick limits
// the set to zh-CN (both viewports) for local runs; `make test` runs the full set.
import fs from 'node:fs'
import path from 'node:path'

const VIEWPORTS = {
  desktop: { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true },
}
/** Screens whose wide tables became card lists on a phone: a table scrolling sideways fails. */
const CARD_SCREENS = new Set(['account-behaviour', 'volume', 'kpis'])
const MAX_SHOT_HEIGHT = 6000 // px of page per screenshot (the KPI list is ~10,000 px tall)

/** Child routes of the signed-in layout declared by feature folders (web/src/views/<f>/routes.ts). */
function featureRoutes(root) {
  const dir = path.join(root, 'web', 'src', 'views')
  const out = []
  for (const f of fs.readdirSync(dir)) {
    const file = path.join(dir, f, 'routes.ts')
    if (!fs.existsSync(file)) continue
    const src = fs.readFileSync(file, 'utf8')
    for (const m of src.matchAll(/path:\s*'([^']*)'/g)) {
      const p = m[1]
      if (p.includes(':')) continue // a route with a parameter: its screen is reached from a list
      const slug = p.replace(/^\/+/, '').replace(/[^a-z0-9]+/gi, '-') || 'index'
      out.push({ name: slug.startsWith(f) ? slug : `${f}-${slug}`, url: `/${p.replace(/^\/+/, '')}` })
    }
  }
  return out
}

/** Runs in the page: horizontal overflow and its widest causes. */
function overflowProbe(W) {
  // W is the screen's width as configured: on a phone (isMobile) Chromium widens the layout
  // viewport to the content, so innerWidth grows with the overflow and cannot be the measure
  const sw = document.scrollingElement.scrollWidth
  if (sw <= W + 1) return { sw, W, offenders: [] }
  const sel = (el) => {
    const parts = []
    for (let e = el, i = 0; e && e !== document.body && i < 4; e = e.parentElement, i++) {
      let s = e.tagName.toLowerCase()
      const dt = e.getAttribute('data-test')
      if (dt) s += `[data-test=${dt}]`
      else if (e.id) s += `#${e.id}`
      else if (typeof e.className === 'string' && e.className.trim()) s += '.' + e.className.trim().split(/\s+/).slice(0, 2).join('.')
      parts.unshift(s)
      if (dt) break
    }
    return parts.join(' > ')
  }
  // is the element's horizontal extent clipped by a scrolling/hidden ancestor?
  const clipped = (el) => {
    for (let e = el.parentElement; e && e !== document.body && e !== document.documentElement; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX
      if (ox !== 'visible') return true
    }
    return false
  }
  const offenders = []
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect()
    if (r.width === 0 || r.right <= W + 1) continue
    if (clipped(el)) continue
    const pr = el.parentElement?.getBoundingClientRect()
    // the outermost cause: its parent fits (or the element is wider than the parent)
    if (pr && pr.right > W + 1 && r.width <= pr.width + 1) continue
    offenders.push({ sel: sel(el), right: Math.round(r.right), width: Math.round(r.width) })
  }
  offenders.sort((a, b) => b.right - a.right)
  return { sw, W, offenders: offenders.slice(0, 4) }
}

/** Runs in the page: tables wider than their box on a phone (they scroll inside: not a failure). */
function wideTablesProbe() {
  const out = []
  for (const t of document.querySelectorAll('.el-table')) {
    const inner = t.querySelector('.el-table__body, .el-table__header')
    if (!inner || !t.checkVisibility?.()) continue
    const w = inner.getBoundingClientRect().width
    const box = t.getBoundingClientRect().width
    if (w > box + 1) out.push(`${t.closest('[data-test]')?.getAttribute('data-test') ?? 'table'} ${Math.round(w)}px in ${Math.round(box)}px`)
  }
  return out
}

/** Runs in the page: visible snake_case words. */
function rawIdProbe() {
  const RE = /\b[a-z]+(?:_[a-z0-9]+)+\b/g
  const found = new Set()
  const skip = (el) => !!el.closest('input,textarea,select,code,pre,script,style,noscript,[contenteditable],.el-select-dropdown,.el-picker-panel,svg')
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue
    if (!text || !/_/.test(text)) continue
    const el = n.parentElement
    if (!el || skip(el)) continue
    if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue
    const cleaned = text.replace(/\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b/g, ' ').replace(/\b(?:https?|webcal):\/\/\S+/g, ' ').replace(/\/[\w./-]+/g, ' ')
    for (const m of cleaned.matchAll(RE)) found.add(m[0])
  }
  return [...found].slice(0, 12)
}

const LOCALES = process.env.KAM_SCREENS === 'quick' ? ['zh-CN'] : ['zh-CN', 'zh-TW', 'en']

/** One unit per language, so run.mjs's lanes share the set (each a third of the suite's time). */
export const units = LOCALES.map((locale) => ({ name: `t_screens.mjs ${locale}`, run: (k) => screens(k, [locale]) }))

export default (k) => screens(k, LOCALES)

async function screens(k, locales) {
  const dir = path.join(k.SHOTS, 'set')
  fs.mkdirSync(dir, { recursive: true })

  // the records the screens show: one account, one issue, one target plan (via director)
  let ids = null
  const prep = async () => {
    if (ids) return ids
    const { context, page } = await k.newPage(k.browser, k.base, { label: 'screens-prep' })
    await k.login(page, 'director')
    const acc = (await k.api(page, 'GET', '/api/v1/accounts?limit=1')).json?.items?.[0]
    const iss = (await k.api(page, 'GET', '/api/v1/issues?limit=1')).json?.items?.[0]
    const plan = (await k.api(page, 'GET', '/api/v1/targets')).json?.items?.[0] // no limit on /targets
    const contract = (await k.api(page, 'GET', '/api/v1/contracts?limit=1')).json?.items?.[0]
    const breach = (await k.api(page, 'GET', '/api/v1/breaches?limit=1')).json?.items?.[0]
    await context.close()
    k.assert(acc?.id && iss?.id && plan?.id, `screens: no account, issue or plan to show (${acc?.id}, ${iss?.id}, ${plan?.id})`)
    ids = { account: acc.id, issue: iss.id, plan: plan.id, contract: contract?.id, breach: breach?.id }
    return ids
  }
  // KAM_SCREENS_SKIP=1 leaves the whole screenshot set out (a quicker local run)
  if (process.env.KAM_SCREENS_SKIP) {
    console.log('# screens: skipped (KAM_SCREENS_SKIP is set)')
    return
  }

  // the records are looked up by the first screen that needs them (prep() inside its check)
  const a = () => ids.account
  // screen: name, url (or null: the login page, signed out), user, and
  // an optional open(page) that opens a dialog and returns its locator.
  const dlg = (test, sel) => async (p) => {
    await p.locator(`[data-test=${test}]`).first().click()
    const d = p.locator(`[data-test=${sel}]`).first()
    await d.waitFor()
    return d
  }
  const screens = [
    { name: 'login', url: '/login', user: null },
    { name: 'survey-answer', url: '/s', user: null }, // the public answer page (s.html), without a token
    { name: 'home', url: '/', user: 'am.east1' },
    { name: 'home-director', url: '/', user: 'director' },
    { name: 'accounts', url: '/accounts', user: 'director' },
    { name: 'account-new', url: '/accounts/new', user: 'director' },
    { name: 'account-profile', url: () => `/accounts/${a()}`, user: 'director' },
    { name: 'account-contacts', url: () => `/accounts/${a()}?tab=contacts`, user: 'director' },
    { name: 'account-map', url: () => `/accounts/${a()}?tab=map`, user: 'director' },
    { name: 'account-valuation', url: () => `/accounts/${a()}?tab=valuation`, user: 'director' },
    { name: 'account-behaviour', url: () => `/accounts/${a()}?tab=behaviour`, user: 'director' },
    { name: 'account-timeline', url: () => `/accounts/${a()}?tab=timeline`, user: 'director' },
    { name: 'account-issues', url: () => `/accounts/${a()}?tab=issues`, user: 'director' },
    { name: 'account-team', url: () => `/accounts/${a()}?tab=team`, user: 'director' },
    { name: 'account-history', url: () => `/accounts/${a()}?tab=history`, user: 'director' },
    { name: 'account-followups', url: () => `/accounts/${a()}?tab=followups`, user: 'director' },
    { name: 'account-satisfaction', url: () => `/accounts/${a()}?tab=satisfaction`, user: 'director' },
    { name: 'account-surveylinks', url: () => `/accounts/${a()}?tab=surveylinks`, user: 'director' },
    { name: 'account-opportunities', url: () => `/accounts/${a()}?tab=opportunities`, user: 'director' },
    { name: 'dlg-opportunity', url: () => `/accounts/${a()}?tab=opportunities`, user: 'director', open: dlg('new-opportunity', 'opp-dialog') },
    { name: 'satisfaction-survey', url: '/satisfaction/surveys', user: 'director' },
    { name: 'satisfaction-loyalty', url: '/satisfaction', user: 'director' },
    { name: 'account-edit', url: () => `/accounts/${a()}/edit`, user: 'director' },
    { name: 'dlg-contact', url: () => `/accounts/${a()}?tab=contacts`, user: 'director', open: dlg('new-contact', 'contact-dialog') },
    { name: 'dlg-interaction', url: () => `/accounts/${a()}?tab=timeline`, user: 'director', open: dlg('log-interaction', 'interaction-dialog') },
    { name: 'dlg-issue', url: () => `/accounts/${a()}?tab=issues`, user: 'director', open: dlg('new-issue', 'issue-dialog') },
    { name: 'visits', url: '/visits', user: 'am.east1' },
    { name: 'dlg-plan-visit', url: '/visits', user: 'am.east1', open: dlg('plan-visit', 'plan-dialog') },
    { name: 'issues', url: '/issues', user: 'director' },
    { name: 'issue', url: () => `/issues/${ids.issue}`, user: 'director' },
    { name: 'account-contracts', url: () => `/accounts/${a()}?tab=contracts`, user: 'director' },
    { name: 'contract', url: () => `/contracts/${ids.contract}`, user: 'director' },
    { name: 'breach', url: () => `/breaches/${ids.breach}`, user: 'director' },
    { name: 'care', url: '/care', user: 'director' },
    { name: 'volume', url: '/volume', user: 'director' },
    { name: 'targets', url: '/targets', user: 'director' },
    { name: 'target', url: () => `/targets/${ids.plan}`, user: 'director' },
    { name: 'kpis', url: '/kpis', user: 'director' },
    { name: 'measures', url: '/measures', user: 'director' },
    { name: 'imports', url: '/imports', user: 'director' },
    { name: 'products', url: '/products', user: 'director' },
    { name: 'prices-list-new', url: '/prices/new', user: 'director' },
    { name: 'prices-promotions', url: '/prices?tab=promotions', user: 'director' },
    { name: 'prices-rebates', url: '/prices?tab=rebates', user: 'director' },
    { name: 'dlg-promotion', url: '/prices?tab=promotions', user: 'director', open: dlg('pr-new', 'pr-dialog') },
    { name: 'dlg-rebate', url: '/prices?tab=rebates', user: 'director', open: dlg('rb-new', 'rb-dialog') },
    { name: 'settings', url: '/settings', user: 'admin' },
    { name: 'settings-drivers', url: '/settings?tab=drivers', user: 'admin' },
    { name: 'settings-feedback', url: '/settings?tab=feedback', user: 'admin' },
    { name: 'users', url: '/admin/users', user: 'admin' },
    { name: 'dlg-user', url: '/admin/users', user: 'admin', open: dlg('new-user', 'user-dialog') },
    { name: 'teams', url: '/admin/teams', user: 'admin' },
    { name: 'dlg-profile', url: '/', user: 'am.east1', open: async (p) => (await p.locator('[data-test=user-menu]').click(), await p.locator('[data-test=profile-open]').click(), p.locator('[data-test=profile-dialog]').first()) },
    { name: 'forbidden', url: '/403', user: 'viewer' },
    { name: 'not-found', url: '/no-such-page', user: 'viewer' },
    ...featureRoutes(k.ROOT).map((r) => ({ ...r, user: 'director' })),
  ]
  const users = [...new Set(screens.map((s) => s.user))]
  const failures = [] // {screen, locale, vp, what}
  const wide = new Map() // screen -> tables that scroll sideways on a phone (informational)

  for (const locale of locales) {
    for (const [vp, opts] of Object.entries(VIEWPORTS)) {
      for (const user of users) {
        const list = screens.filter((s) => s.user === user)
        const context = await k.browser.newContext({ baseURL: k.base, locale, ...opts })
        context.setDefaultTimeout(k.TIMEOUT)
        context.setDefaultNavigationTimeout(k.TIMEOUT)
        await context.addInitScript((l) => localStorage.setItem('kam.locale', l), locale)
        const page = await context.newPage()
        let signedIn = false
        for (const s of list) {
          const name = `screens ${s.name} ${locale} ${vp}`
          await k.check(name, async () => {
            if (user && !signedIn) {
              await k.login(page, user)
              signedIn = true
            }
            if (typeof s.url === 'function') await prep()
            const url = typeof s.url === 'function' ? s.url() : s.url
            await page.goto(url)
            await k.ready(page)
            let scope = null
            if (s.open) {
              scope = await s.open(page)
              await k.ready(page)
            }
            // screenshot (long pages are cut: the check below covers the whole page)
            const h = await page.evaluate(() => document.scrollingElement.scrollHeight)
            const file = path.join(dir, `${s.name}-${locale}-${vp}.png`)
            await page.mouse.move(1, 1).catch(() => {})
            if (h > MAX_SHOT_HEIGHT) await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: opts.viewport.width, height: MAX_SHOT_HEIGHT }, animations: 'disabled' })
            else await page.screenshot({ path: file, fullPage: !scope, animations: 'disabled' })
            const problems = []
            if (vp === 'phone') {
              const o = await page.evaluate(overflowProbe, opts.viewport.width)
              if (locale === LOCALES[0]) for (const w of await page.evaluate(wideTablesProbe)) wide.set(s.name, [...(wide.get(s.name) ?? []), w])
              if (CARD_SCREENS.has(s.name)) for (const w of await page.evaluate(wideTablesProbe)) problems.push(`table scrolls sideways: ${w}`)
              if (o.sw > o.W + 1) problems.push(`overflow ${o.sw}px > ${o.W}px: ${o.offenders.map((x) => `${x.sel} (right ${x.right}, w ${x.width})`).join('; ')}`)
            }
            if (locale !== 'en') {
              const raw = await page.evaluate(rawIdProbe)
              if (raw.length) problems.push(`raw identifiers: ${raw.join(', ')}`)
            }
            if (scope) await page.keyboard.press('Escape').catch(() => {})
            if (problems.length) {
              for (const what of problems) failures.push({ screen: s.name, locale, vp, what })
              throw new Error(problems.join(' | '))
            }
          })
        }
        await context.close()
      }
    }
  }
  // not failures: the page does not scroll, the table does; the issue asks for card lists
  for (const [name, list] of wide) console.log(`# screens phone, table scrolls sideways: ${name}: ${list.join('; ')}`)
  if (failures.length) {
    const seen = new Set(failures.map((f) => `${f.screen}/${f.vp}${f.what.startsWith('raw') ? '/raw' : f.what.startsWith('table') ? '/table' : '/overflow'}`))
    console.log(`# screens failing: ${[...seen].sort().join(' ')}`)
  }
}
