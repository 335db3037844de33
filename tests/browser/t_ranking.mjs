// 业绩排行 (issue 13, section 3): the KPI screen's ranking of account managers and teams for the
// demo's approved plan (split by account: the owners' and teams' targets are its cells rolled
// up). The director sees every line, in the order and with the ranks and attainments of
// GET /api/v1/kpis?by=owner|team; lead.east on a 390x844 phone sees the people of their team
// only, without sideways scrolling, and the KPI table there is a card list; am.east1 sees one
// line, their own.

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }

async function phonePage(k) {
  const context = await k.browser.newContext({ baseURL: k.base, locale: 'zh-CN', ...PHONE })
  context.setDefaultTimeout(k.TIMEOUT)
  await context.addInitScript(() => localStorage.setItem('kam.locale', 'zh-CN'))
  const page = await context.newPage()
  page.setScreen = () => {}
  return { context, page }
}

async function noOverflow(k, page, where) {
  const o = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, w: window.innerWidth }))
  k.assert(o.sw <= o.w + 1, `${where}: the page is ${o.sw}px wide on a ${o.w}px screen`)
}

const pctText = (p) => (p == null ? null : String(Math.round(p * 10) / 10))

async function approvedPlan(k, page) {
  const r = await k.api(page, 'GET', '/api/v1/targets')
  k.assert(r.status === 200, `GET /targets -> ${r.status}`)
  const p = r.json.items.find((x) => x.status === 'approved')
  k.assert(p, 'the demo has an approved plan')
  k.assert(p.approved_by != null && p.approved_by !== p.owner_id, `the demo plan is approved by another person (approved_by ${p.approved_by}, owner ${p.owner_id})`)
  return p
}

/** The ranking rows on the screen equal the API's lines: same keys in the same order, ranks, attainment. */
async function sameRanking(k, page, plan, by, where) {
  const { assert, api, ready } = k
  const r = await api(page, 'GET', `/api/v1/kpis?plan_id=${plan.id}&by=${by}&period=${plan.year}`)
  assert(r.status === 200, `${where}: GET /kpis by=${by} -> ${r.status}`)
  await ready(page)
  const rows = page.locator('[data-test=ranking] [data-test=ranking-row]')
  const n = await rows.count()
  assert(n === r.json.items.length, `${where}: ${n} ranking rows, the API has ${r.json.items.length}`)
  for (let i = 0; i < n; i++) {
    const it = r.json.items[i]
    const row = rows.nth(i)
    assert((await row.getAttribute('data-key')) === it.key, `${where}: row ${i + 1} is ${await row.getAttribute('data-key')}, the API's is ${it.key}`)
    assert((await row.getAttribute('data-rank')) === String(it.rank ?? 0), `${where}: row ${i + 1} rank ${await row.getAttribute('data-rank')}, API ${it.rank}`)
    const name = (await row.locator('[data-test=ranking-name]').innerText()).trim()
    assert(name === (it.label || it.key), `${where}: row ${i + 1} names "${name}", API "${it.label}"`)
    const att = (await row.locator('[data-test=ranking-attainment]').innerText()).replace(/[^\d.]/g, '')
    if (it.attainment_pct != null) assert(att === pctText(it.attainment_pct), `${where}: ${name} attainment "${att}", API ${it.attainment_pct}`)
  }
  const ranks = r.json.items.map((x) => x.rank).filter(Boolean)
  assert(ranks.every((x, i) => x === i + 1), `${where}: ranks run 1, 2, 3, ... (${ranks.join(',')})`)
  const att = r.json.items.filter((x) => x.rank).map((x) => x.attainment_pct)
  assert(att.every((x, i) => i === 0 || att[i - 1] >= x), `${where}: ranked by attainment, best first (${att.join(',')})`)
  return r.json
}

export default async (k) => {
  const { check, assert, newPage, login, ready, api, browser, base, shot } = k

  await check('ranking: the director sees every account manager and team ranked as GET /kpis?by=owner|team', async () => {
    const { context, page } = await newPage(browser, base, { label: 'ranking-dir' })
    try {
      page.setScreen('kpi-ranking')
      await login(page, 'director')
      const plan = await approvedPlan(k, page)
      await page.goto(`/kpis?plan=${plan.id}&view=ranking`)
      await page.locator('[data-test=ranking]').waitFor()
      const owners = await sameRanking(k, page, plan, 'owner', 'director by owner')
      assert(owners.items.length >= 2, `the demo ranks several account managers (${owners.items.length})`)
      await shot(page, 'ranking-owner-desktop')
      await page.locator('[data-test=ranking-by] label', { hasText: /团队|團隊|Team/ }).click()
      await ready(page)
      const teams = await sameRanking(k, page, plan, 'team', 'director by team')
      assert(teams.items.length >= 2, `the demo ranks several teams (${teams.items.length})`)
      // the table view by owner has the rank column
      await page.locator('[data-test=kpi-view] label').first().click()
      await ready(page)
      await page.locator('[data-test=kpi-table]').waitFor()
    } finally {
      await context.close()
    }
  })

  await check('a plan by account manager: the grid rows are the owners (named), it rolls up by team, and the ranking takes its cells', async () => {
    const { context, page } = await newPage(browser, base, { label: 'owner-plan' })
    try {
      page.setScreen('owner-plan')
      await login(page, 'director')
      const year = new Date().getUTCFullYear() + 1
      const smart = '按客户经理分解的年度目标，用于浏览器测试 (owner plan)'
      const c = await api(page, 'POST', '/api/v1/targets', {
        year, name: `按客户经理 ${Date.now()}`, measure: 'amount', total: 1000000, dims: 'owner,month', basis: 'last_year',
        deadline: `${year}-12-31`, specific: smart, measurable: smart, achievable: smart, relevant: smart,
      })
      assert(c.status === 201, `create a plan by owner: ${c.status} ${JSON.stringify(c.json)}`)
      const d = await api(page, 'POST', `/api/v1/targets/${c.json.id}/decompose`, {})
      assert(d.status === 200 && d.json.cells > 0, `decompose: ${d.status} ${JSON.stringify(d.json).slice(0, 200)}`)
      const g = (await api(page, 'GET', `/api/v1/targets/${c.json.id}/grid?rows=owner&cols=month`)).json
      await page.goto(`/targets/${c.json.id}`)
      const grid = page.locator('[data-test=grid-table]')
      await grid.waitFor()
      await ready(page)
      assert((await grid.getAttribute('data-rows-dim')) === 'owner', `the grid's rows are the owners (${await grid.getAttribute('data-rows-dim')})`)
      const rows = await page.locator('[data-test=grid-table] tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-row'), tr.querySelector('th,td')?.textContent?.trim()]))
      assert(rows.length === g.rows.length && g.rows.every((r) => rows.some(([k, l]) => k === r.key && l.includes(r.label))),
        `one named row per owner: screen ${JSON.stringify(rows.slice(0, 4))}, API ${JSON.stringify(g.rows.slice(0, 4).map((r) => [r.key, r.label]))}`)
      await shot(page, 'owner-plan-grid')
      await k.chooseOption(page, 'grid-rows', '团队')
      await page.waitForFunction(() => document.querySelector('[data-test=grid-table]')?.getAttribute('data-rows-dim') === 'team')
      await ready(page)
      assert(Number(await grid.getAttribute('data-total')) === 1000000, `the team roll-up keeps the plan total (${await grid.getAttribute('data-total')})`)
      // the ranking of the plan's year: one line per owner cell, the targets its cells
      await page.goto(`/kpis?plan=${c.json.id}&view=ranking`)
      await page.locator('[data-test=ranking]').waitFor()
      const r = await sameRanking(k, page, { id: c.json.id, year }, 'owner', 'plan by owner')
      const sum = r.items.reduce((a, x) => a + (x.target ?? 0), 0)
      assert(r.items.length === g.rows.length && sum === 1000000, `the ranking's targets are the owner cells: ${r.items.length} lines, ${sum}`)
    } finally {
      await context.close()
    }
  })

  await check('ranking on a phone: lead.east sees their team only, no sideways scroll; the KPI table is cards', async () => {
    const { context, page } = await phonePage(k)
    try {
      page.setScreen('kpi-ranking-phone')
      await login(page, 'lead.east')
      const plan = await approvedPlan(k, page)
      await page.goto(`/kpis?plan=${plan.id}&view=ranking`)
      await page.locator('[data-test=ranking]').waitFor()
      const mine = await sameRanking(k, page, plan, 'owner', 'lead.east by owner')
      const me = (await api(page, 'GET', '/api/v1/me')).json
      const people = (await api(page, 'GET', `/api/v1/users?team_id=${me.team_id}&limit=500`)).json
      if (people && Array.isArray(people.items)) {
        const ids = new Set(people.items.map((u) => String(u.id)))
        assert(mine.items.every((x) => ids.has(x.key)), `lead.east sees only the people of their team: ${mine.items.map((x) => x.label).join(', ')}`)
      }
      await noOverflow(k, page, 'ranking at 390 px')
      await shot(page, 'ranking-owner-phone')
      await page.locator('[data-test=kpi-view] label').first().click()
      await ready(page)
      await page.locator('[data-test=kpi-cards]').waitFor()
      assert((await page.locator('[data-test=kpi-table]').count()) === 0, 'on a phone the KPI table is a card list, not a table')
      await noOverflow(k, page, 'KPI cards at 390 px')
    } finally {
      await context.close()
    }
  })

  await check('ranking: an account manager sees one line, their own', async () => {
    const { context, page } = await phonePage(k)
    try {
      await login(page, 'am.east1')
      const plan = await approvedPlan(k, page)
      await page.goto(`/kpis?plan=${plan.id}&view=ranking`)
      await page.locator('[data-test=ranking]').waitFor()
      const r = await sameRanking(k, page, plan, 'owner', 'am.east1 by owner')
      const me = (await api(page, 'GET', '/api/v1/me')).json
      assert(r.items.length === 1 && r.items[0].key === String(me.id), `am.east1 sees their own line only: ${JSON.stringify(r.items.map((x) => x.key))}`)
      await noOverflow(k, page, 'account manager ranking at 390 px')
    } finally {
      await context.close()
    }
  })
}
