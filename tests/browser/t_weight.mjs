// Weight of the first screens (issue 12, item 8): what the login page and the signed-in home
// fetch on a cold cache, and when they are usable.
//
// Printed, not asserted (they depend on the machine and on what the server compresses):
//   # weight <screen>: N requests, X KiB on the wire (js / css / json / fonts / other), usable at T ms
// where "on the wire" is the sum of CDP Network.loadingFinished encodedDataLength (body as sent,
// compressed or not, plus headers) and "usable" is navigation start -> the moment
// <html data-ready="1"> last turned on and then held (the app's readiness signal), measured
// as served and again on an emulated phone network (CDP Network.emulateNetworkConditions).
//
// KAM_WEIGHT_LIST=1 lists every response (largest first) under each figure.
//
// Asserted: the login page loads no ECharts chunk and the messages of exactly one language (its
// own), a language switch loads the other language's messages before showing them, and every
// message key exists in all three languages with the same {placeholders}.
import fs from 'node:fs'
import path from 'node:path'

const LOCALES = ['zh-CN', 'zh-TW', 'en']
const kib = (n) => (n / 1024).toFixed(1)

/** Which language's message chunk a URL is (assets/locale-<code>-<hash>.js), or null. */
function localeOf(url) {
  const m = /\/assets\/locale-(zh-CN|zh-TW|en)-[\w-]+\.js$/.exec(new URL(url).pathname)
  return m ? m[1] : null
}
const isEcharts = (url) => /\/assets\/echarts[\w-]*\.js$/.test(new URL(url).pathname)

/**
 * Opens `url` in a fresh context (cold cache) and records every response through CDP.
 * `before(context)` may sign in first. Returns { page, context, reqs, usableMs }.
 */
// A phone on a mobile network, for a figure that shows bytes and round trips rather than how
// busy this machine is: 100 ms round trip, 8 Mbit/s down, 2 Mbit/s up.
const PHONE = { offline: false, latency: 100, downloadThroughput: (8e6 / 8) | 0, uploadThroughput: (2e6 / 8) | 0 }

async function coldLoad(k, url, { locale = 'zh-CN', label, before, network } = {}) {
  const { context, page } = await k.newPage(k.browser, k.base, { locale, label })
  // the last time <html data-ready> turned "1" (it stays "1" once the page is usable)
  await context.addInitScript(() => {
    window.__kamReadyAt = null
    new MutationObserver(() => {
      if (document.documentElement.dataset.ready === '1') {
        if (window.__kamReadyAt === null) window.__kamReadyAt = performance.now()
      } else window.__kamReadyAt = null
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] })
  })
  if (before) await before(context)
  const cdp = await context.newCDPSession(page)
  const reqs = new Map() // requestId -> { url, type, mime, encoding, wire, body }
  cdp.on('Network.responseReceived', (e) => {
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([a, b]) => [a.toLowerCase(), b]))
    reqs.set(e.requestId, { url: e.response.url, type: e.type, mime: e.response.mimeType, encoding: h['content-encoding'] ?? '', wire: 0, body: 0 })
  })
  cdp.on('Network.dataReceived', (e) => {
    const r = reqs.get(e.requestId)
    if (r) r.body += e.dataLength
  })
  cdp.on('Network.loadingFinished', (e) => {
    const r = reqs.get(e.requestId)
    if (r) r.wire = e.encodedDataLength
  })
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  if (network) await cdp.send('Network.emulateNetworkConditions', network)
  page.reqs = reqs
  await page.goto(url)
  await k.ready(page)
  const usableMs = await page.evaluate(() => (window.__kamReadyAt === null ? null : Math.round(window.__kamReadyAt)))
  return { page, context, reqs: [...reqs.values()], usableMs }
}

function kindOf(r) {
  if (r.type === 'Script') return 'js'
  if (r.type === 'Stylesheet') return 'css'
  if (r.type === 'Font') return 'fonts'
  if (/json/.test(r.mime)) return 'json'
  return 'other'
}

/** Time to usable of the same load on the PHONE network (a fresh context, cold cache). */
async function phoneMs(k, url, opts) {
  const r = await coldLoad(k, url, { ...opts, label: `${opts.label}-phone`, network: PHONE })
  await r.context.close()
  return r.usableMs
}

function report(name, { reqs, usableMs }, phone) {
  const by = { js: [0, 0], css: [0, 0], json: [0, 0], fonts: [0, 0], other: [0, 0] }
  let wire = 0
  let body = 0
  for (const r of reqs) {
    const b = by[kindOf(r)]
    b[0] += r.wire
    b[1] += r.body
    wire += r.wire
    body += r.body
  }
  const parts = Object.entries(by)
    .map(([kind, [w, d]]) => `${kind} ${kib(w)}${w !== d ? ` (${kib(d)} decoded)` : ''}`)
    .join(', ')
  const enc = [...new Set(reqs.filter((r) => r.type === 'Script').map((r) => r.encoding || 'identity'))].join('+')
  if (process.env.KAM_WEIGHT_LIST)
    for (const r of [...reqs].sort((a, b) => b.wire - a.wire))
      console.log(`#   ${kib(r.wire).padStart(7)} KiB ${kindOf(r).padEnd(5)} ${r.encoding || '-'} ${new URL(r.url).pathname}`)
  console.log(`# weight ${name}: ${reqs.length} requests, ${kib(wire)} KiB on the wire (${kib(body)} KiB decoded; JS sent as ${enc}): ${parts}; usable at ${usableMs} ms, ${phone} ms on a phone network (100 ms RTT, 8 Mbit/s)`)
}

/** Every message key of a language: its base file with its feature files merged over it. */
function messages(root, locale) {
  const dir = path.join(root, 'web', 'src', 'locales')
  const merge = (into, from) => {
    for (const [key, v] of Object.entries(from)) {
      const cur = into[key]
      if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) merge(cur, v)
      else into[key] = v
    }
    return into
  }
  const tree = JSON.parse(fs.readFileSync(path.join(dir, `${locale}.json`), 'utf8'))
  const sub = path.join(dir, locale)
  if (fs.existsSync(sub))
    for (const f of fs.readdirSync(sub).filter((n) => n.endsWith('.json')).sort())
      merge(tree, JSON.parse(fs.readFileSync(path.join(sub, f), 'utf8')))
  const flat = new Map()
  const walk = (o, p) => {
    for (const [key, v] of Object.entries(o)) {
      const q = p ? `${p}.${key}` : key
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, q)
      else flat.set(q, String(v))
    }
  }
  walk(tree, '')
  return flat
}

export default async (k) => {
  const { check, assert } = k

  await check('locales: every message key exists in zh-CN, zh-TW and en, with the same {placeholders}', async () => {
    const m = Object.fromEntries(LOCALES.map((l) => [l, messages(k.ROOT, l)]))
    const bad = []
    for (const a of LOCALES)
      for (const b of LOCALES) {
        if (a === b) continue
        for (const key of m[a].keys()) if (!m[b].has(key)) bad.push(`${b} lacks ${key}`)
      }
    const holes = (s) => [...s.matchAll(/\{\s*(\w+)\s*\}/g)].map((x) => x[1]).sort().join(',')
    for (const [key, v] of m.en) {
      for (const l of ['zh-CN', 'zh-TW']) {
        const w = m[l].get(key)
        if (w !== undefined && holes(w) !== holes(v)) bad.push(`${l} ${key}: {${holes(w)}} vs en {${holes(v)}}`)
      }
    }
    assert(bad.length === 0, `${bad.length} problem(s): ${bad.slice(0, 8).join('; ')}`)
  })

  await check('weight: the login page loads no ECharts and only its own language (zh-CN, en); printed: transfer and time to usable', async () => {
    for (const locale of ['zh-CN', 'en']) {
      const r = await coldLoad(k, '/login', { locale, label: `weight-login-${locale}` })
      report(`login page (${locale}, cold cache)`, r, await phoneMs(k, '/login', { locale, label: `weight-login-${locale}` }))
      const urls = r.reqs.map((x) => x.url)
      const charts = urls.filter(isEcharts)
      assert(charts.length === 0, `${locale}: the login page fetched ${charts.join(', ')}`)
      const langs = [...new Set(urls.map(localeOf).filter(Boolean))]
      assert(langs.length === 1 && langs[0] === locale, `${locale}: message chunks loaded: [${langs.join(', ')}]`)
      await r.page.locator('[data-test=login-submit]').waitFor()
      await r.context.close()
    }
  })

  await check('weight: a language switch loads that language, then shows it', async () => {
    const r = await coldLoad(k, '/login', { locale: 'zh-CN', label: 'weight-switch' })
    const p = r.page
    const before = await p.locator('[data-test=login-submit]').innerText()
    await p.locator('[data-test=lang-switch]').click()
    await p.locator('[data-test="lang-zh-TW"]').click()
    await k.ready(p)
    assert((await p.evaluate(() => document.documentElement.lang)) === 'zh-TW', 'html lang is not zh-TW')
    const langs = [...new Set([...p.reqs.values()].map((x) => localeOf(x.url)).filter(Boolean))].sort()
    assert(langs.join() === 'zh-CN,zh-TW', `message chunks after the switch: [${langs.join(', ')}]`)
    await p.locator('[data-test=lang-switch]').click()
    await p.locator('[data-test="lang-en"]').click()
    await k.ready(p)
    const after = await p.locator('[data-test=login-submit]').innerText()
    assert(after !== before && /[A-Za-z]/.test(after), `the submit button still reads "${after}" in English`)
    await r.context.close()
  })

  // The home page's first load, signed in (moved here from run.mjs: the chart's own mark, if the
  // home still draws one, and the transfer of the whole first screen).
  await check('weight: home first load (cold cache, signed in) is measured', async () => {
    const opts = {
      label: 'weight-home',
      before: async (context) => {
        const res = await context.request.post('/api/v1/session', { data: { login: 'am.east1', password: k.PASSWORD } })
        assert(res.ok(), `login via API: ${res.status()}`)
      },
    }
    const r = await coldLoad(k, '/', opts)
    assert(!new URL(r.page.url()).pathname.startsWith('/login'), 'not signed in')
    report('home, signed in (zh-CN, cold cache)', r, await phoneMs(k, '/', opts))
    const chart = await r.page.evaluate(() => {
      const m = performance.getEntriesByName('kam:home-chart')[0]
      return m ? Math.round(m.startTime) : null
    })
    const charts = r.reqs.filter((x) => isEcharts(x.url)).length
    console.log(`# weight home: ${charts ? `ECharts fetched (${charts} chunk(s))` : 'no ECharts fetched'}${chart !== null ? `, chart drawn at ${chart} ms` : ''}`)
    for (const v of await k.cspViolations(r.page)) k.problems.push({ where: 'weight-home', what: `CSP: ${v}` })
    await r.context.close()
  })
}
