// Loyalty beside NPS on the satisfaction trends screen (issue 14 item 3): the table's retention
// and repeat-purchase columns equal GET /api/v1/satisfaction/loyalty, the chart draws NPS with the
// two rates on a second axis (desktop, zh-CN); on a 390x844 phone the cards carry the rates and
// the page does not scroll sideways.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base } = k
  // the screen's default range: the last 12 whole months (views/satisfaction/months.ts)
  const fromDefault = () => {
    const d0 = new Date()
    const d1 = new Date(Date.UTC(d0.getFullYear(), d0.getMonth() - 11, 1))
    return `${d1.getUTCFullYear()}-${String(d1.getUTCMonth() + 1).padStart(2, '0')}-01`
  }
  const pct = (v) => (v === null ? '—' : `${Math.round(v * 10) / 10}%`)
  const noIdentifiers = (text, where) => {
    const m = /\b[a-z]+(_[a-z0-9]+)+\b/.exec(text)
    assert(!m, `${where}: a raw identifier on the screen: ${m && m[0]}`)
  }

  await check('loyalty: retention and repeat purchases beside NPS on the trends screen (desktop, zh-CN)', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'loyalty-desktop' })
    try {
      await login(p, 'director')
      await p.goto('/satisfaction')
      await p.locator('[data-test=sat-trend-table]').waitFor()
      await p.locator('[data-test=loyal-chart] [data-rendered="1"]').waitFor()
      await ready(p)
      const q = `group=all&period=quarter&from=${fromDefault()}`
      const lj = (await api(p, 'GET', `/api/v1/satisfaction/loyalty?${q}`)).json
      const tj = (await api(p, 'GET', `/api/v1/satisfaction?${q}`)).json
      const keys = new Set([...lj.items, ...tj.items].map((x) => `${x.group}|${x.period}`))
      assert(lj.items.some((x) => x.buyers > 0), 'the demo has buyers in the last 12 months')
      const head = await p.locator('[data-test=sat-trend-table] .el-table__header').innerText()
      assert(head.includes('保留率') && head.includes('复购率') && head.includes('NPS'), `columns: ${head}`)
      const rows = p.locator('[data-test=sat-trend-table] .el-table__body tr')
      assert((await rows.count()) === keys.size, `one row per period (${await rows.count()} vs ${keys.size})`)
      // latest first: the first row is the latest period (partial), the second the one before
      const sorted = [...lj.items].sort((a, b) => b.period.localeCompare(a.period))
      for (let i = 0; i < Math.min(2, sorted.length); i++) {
        const text = await rows.nth(i).innerText()
        const c = sorted[i]
        assert(text.includes(c.period) && text.includes(pct(c.retention_rate)) && text.includes(pct(c.repeat_rate)),
          `row ${c.period}: retention ${pct(c.retention_rate)} and repeat ${pct(c.repeat_rate)}: ${text.replace(/\s+/g, ' ')}`)
        if (c.partial) assert(text.includes('进行中'), `the current period is marked: ${text}`)
      }
      const body = await p.locator('[data-test=sat-trend]').innerText()
      assert(body.includes('复购率') && body.includes('至少在两个月份'), 'the repeat-purchase rule in words')
      noIdentifiers(body, 'trends with loyalty (zh-CN)')
      await k.shot(p, 'loyalty-desktop')
    } finally {
      await context.close()
    }
  })

  await check('loyalty: the volume dashboard\'s satisfaction strip shows each quarter\'s retention', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'loyalty-volume' })
    try {
      await login(p, 'director')
      await p.goto('/volume')
      await p.locator('[data-test=vol-satisfaction]').waitFor()
      await ready(p)
      const d = new Date(Date.now() - 365 * 86400 * 1000)
      const from = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-01`
      const tr = (await api(p, 'GET', `/api/v1/satisfaction?group=all&period=quarter&from=${from}`)).json
      const lj = (await api(p, 'GET', `/api/v1/satisfaction/loyalty?group=all&period=quarter&from=${from}`)).json
      const last = tr.items[tr.items.length - 1]
      const cell = lj.items.find((c) => c.period === last.period)
      assert(cell, `the loyalty route has ${last.period}`)
      const text = await p.locator(`[data-test="vol-sat-retention-${last.period}"]`).innerText()
      assert(text.includes('保留率') && text.includes(pct(cell.retention_rate)), `retention of ${last.period}: ${text}`)
      // the running quarter's retention is marked "so far" (进行中), the finished ones are not
      let partials = 0
      for (const pt of tr.items.slice(-4)) {
        const c = lj.items.find((x) => x.period === pt.period)
        if (!c) continue
        const tx = await p.locator(`[data-test="vol-sat-retention-${pt.period}"]`).innerText()
        assert(tx.includes('进行中') === c.partial, `${pt.period} (partial ${c.partial}): ${tx}`)
        partials += c.partial ? 1 : 0
      }
      assert(partials === 1, `the strip shows the running quarter (${partials} partial)`)
    } finally {
      await context.close()
    }
  })

  await check('loyalty: the trends screen on a 390x844 phone (cards with the rates, no sideways scroll)', async () => {
    const c2 = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    c2.setDefaultTimeout(k.TIMEOUT)
    const q = await c2.newPage()
    try {
      await login(q, 'am.east1')
      await q.goto('/satisfaction')
      await q.locator('[data-test=sat-trend-cards]').waitFor()
      await q.locator('[data-test=loyal-chart] [data-rendered="1"]').waitFor()
      await ready(q)
      const lj = (await api(q, 'GET', `/api/v1/satisfaction/loyalty?group=all&period=quarter&from=${fromDefault()}`)).json
      const cards = await q.locator('[data-test=sat-trend-cards]').innerText()
      assert(cards.includes('保留率') && cards.includes('复购率'), `cards carry the rates: ${cards.slice(0, 300)}`)
      const latest = [...lj.items].sort((a, b) => b.period.localeCompare(a.period))[0]
      assert(latest && cards.includes(pct(latest.repeat_rate)), `the latest period's repeat rate ${latest && pct(latest.repeat_rate)}`)
      const w = await q.evaluate(() => [document.scrollingElement.scrollWidth, window.innerWidth])
      assert(w[0] <= w[1] + 1, `the page scrolls sideways (${w[0]} > ${w[1]})`)
      noIdentifiers(cards, 'trend cards (zh-CN)')
      await k.shot(q, 'loyalty-phone')
    } finally {
      await c2.close()
    }
  })
}
