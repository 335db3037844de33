// Groups add up (issue 13, section 4): a demo group's volume dashboard with its subsidiaries
// rolled up. The director opens the group's account page: the "include subsidiaries" switch is
// there (on by default), the behaviour tab says how many subsidiaries it adds, its link opens the
// volume dashboard rolled up, whose year-to-date actual equals GET /sales/series?subsidiaries=1
// (and, without the switch, the group's own figure, which is smaller); the valuation tab shows
// the score inputs both ways. A subsidiary without children has no switch. On a 390x844 phone the
// rolled-up dashboard and the account page do not scroll sideways.
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

const pad = (n) => String(n).padStart(2, '0')

async function noOverflow(k, page, where) {
  const o = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, w: window.innerWidth }))
  k.assert(o.sw <= o.w + 1, `${where}: the page is ${o.sw}px wide on a ${o.w}px screen`)
}

/** A demo group whose subsidiaries sold this year: { id, name, alone, rolled } (yuan, this year). */
async function demoGroup(k, page, from, to) {
  const { api, assert } = k
  const r = await api(page, 'GET', '/api/v1/accounts?limit=500')
  assert(r.status === 200, `GET /accounts -> ${r.status}`)
  const parents = [...new Set(r.json.items.filter((a) => a.parent_id != null).map((a) => a.parent_id))]
  assert(parents.length, 'the demo has groups')
  for (const id of parents.slice(0, 12)) {
    const q = `/api/v1/sales/series?measure=amount&by=none&from=${from}&to=${to}&account_id=${id}`
    const [a, g] = [await api(page, 'GET', q), await api(page, 'GET', `${q}&subsidiaries=1`)]
    assert(a.status === 200 && g.status === 200, `series of group ${id}: ${a.status} / ${g.status}`)
    const alone = a.json.series[0]?.total ?? 0
    const rolled = g.json.series[0]?.total ?? 0
    if (Math.round(rolled) > Math.round(alone) && g.json.group?.subsidiaries > 0) {
      const acc = (await api(page, 'GET', `/api/v1/accounts/${id}`)).json
      return { id, name: acc.name, alone, rolled, group: g.json.group }
    }
  }
  assert(false, 'a demo group whose subsidiaries sold this year')
}

async function actualShown(k, page) {
  await page.locator('[data-test=kpi-actual] .tile-sub').waitFor()
  await k.ready(page)
  return k.digits(await page.locator('[data-test=kpi-actual] .tile-sub').innerText())
}

export default async (k) => {
  const { check, assert, login, api, ready, newPage, browser, base } = k
  const now = new Date()
  const from = `${now.getFullYear()}-01`
  const to = `${now.getFullYear()}-${pad(now.getMonth() + 1)}`

  await check('groups: a group rolled up on its account page and on the volume dashboard (desktop)', async () => {
    const { context, page } = await newPage(browser, base, { label: 'groups' })
    try {
      await login(page, 'director')
      const g = await demoGroup(k, page, from, to)
      await page.goto(`/accounts/${g.id}?tab=behaviour`)
      const toggle = page.locator('[data-test=group-toggle]')
      await toggle.waitFor()
      await page.locator('[data-test=bh-group]').waitFor()
      await ready(page)
      assert(await toggle.locator('input').isChecked(), 'a group opens rolled up (the switch is on)')
      const note = await page.locator('[data-test=bh-group]').innerText()
      assert(note.includes(String(g.group.subsidiaries)), `the behaviour tab names the ${g.group.subsidiaries} subsidiaries added: ${note}`)
      // the link to the dashboard keeps the switch
      await page.locator('[data-test=bh-volume-link]').click()
      await page.waitForURL((u) => u.pathname === '/volume' && u.searchParams.get('subsidiaries') === '1')
      const rolled = await actualShown(k, page)
      assert(rolled === Math.round(g.rolled), `the rolled-up dashboard shows the API's group total: ${rolled} vs ${Math.round(g.rolled)}`)
      const chip = await page.locator('[data-test=vol-active]').innerText()
      assert(chip.includes('含子公司'), `the account filter says "with subsidiaries": ${chip}`)
      // the same account alone
      await page.goto(`/volume?account_id=${g.id}&account=${encodeURIComponent(g.name)}`)
      const alone = await actualShown(k, page)
      assert(alone === Math.round(g.alone) && alone < rolled, `alone the dashboard shows the group's own sales: ${alone} (rolled up ${rolled})`)
      // the switch off: the behaviour tab is the account alone
      await page.goto(`/accounts/${g.id}?tab=behaviour`)
      await page.locator('[data-test=bh-group]').waitFor()
      await toggle.click()
      await page.locator('[data-test=bh-group]').waitFor({ state: 'detached' })
      await page.waitForURL((u) => u.searchParams.get('subs') === '0')
      // valuation: both ways
      await page.goto(`/accounts/${g.id}?tab=valuation`)
      await page.locator('[data-test=valuation-inputs]').waitFor()
      await ready(page)
      const v = (await api(page, 'GET', `/api/v1/accounts/${g.id}/valuation`)).json
      const shownGroup = k.digits(await page.locator('[data-test=vi-group-sales_12m]').innerText())
      const shownAlone = k.digits(await page.locator('[data-test=vi-alone-sales_12m]').innerText())
      assert(shownGroup === Math.round(v.inputs.group.sales_12m) && shownAlone === Math.round(v.inputs.alone.sales_12m),
        `the valuation inputs on screen are the API's: ${shownAlone}/${shownGroup} vs ${JSON.stringify(v.inputs)}`)
      assert(v.inputs.group.sales_12m > v.inputs.alone.sales_12m, "the group's inputs include its subsidiaries")
      // a subsidiary without children: no switch
      const subs = (await api(page, 'GET', `/api/v1/accounts/${g.id}/subsidiaries?limit=50`)).json.items
      const leaf = subs.find((s) => !s.subsidiary_count) ?? subs[0]
      const leafDetail = (await api(page, 'GET', `/api/v1/accounts/${leaf.id}`)).json
      if (!leafDetail.subsidiary_count) {
        await page.goto(`/accounts/${leaf.id}?tab=behaviour`)
        await page.locator('[data-test=bh-rfm]').waitFor()
        await ready(page)
        assert((await toggle.count()) === 0, 'a subsidiary without children has no switch')
      }
    } finally {
      await context.close()
    }
  })

  await check("groups: a group's attainment on the dashboard and its rolled-up row in the KPI table", async () => {
    const { context, page } = await newPage(browser, base, { label: 'groups-kpi' })
    try {
      await login(page, 'director')
      const g = await demoGroup(k, page, from, to)
      const plans = (await api(page, 'GET', `/api/v1/targets?year=${now.getFullYear()}`)).json.items
      const plan = plans.find((p) => p.status === 'approved' && p.dims.split(',').includes('account'))
      assert(plan, `the demo has an approved plan by account this year: ${JSON.stringify(plans.map((p) => [p.id, p.status, p.dims]))}`)
      const kq = `/api/v1/kpis?plan_id=${plan.id}&period=${now.getFullYear()}&by=none&account_id=${g.id}`
      const [alone, rolled] = [(await api(page, 'GET', kq)).json, (await api(page, 'GET', `${kq}&subsidiaries=1`)).json]
      assert(rolled.total.target > alone.total.target && rolled.group?.subsidiaries === g.group.subsidiaries,
        `the API adds the subsidiaries' targets: ${alone.total.target} alone, ${rolled.total.target} rolled up`)
      const pct = async () => {
        await k.ready(page)
        await page.locator('[data-test=kpi-attainment] .tile-value').filter({ hasText: '%' }).waitFor()
        return Number((await page.locator('[data-test=kpi-attainment] .tile-value').innerText()).replace(/[^\d.]/g, ''))
      }
      await page.goto(`/volume?account_id=${g.id}&account=${encodeURIComponent(g.name)}&subsidiaries=1&plan=${plan.id}`)
      const shown = await pct()
      assert(Math.abs(shown - rolled.total.attainment_pct) < 0.051,
        `the dashboard shows the group's attainment: ${shown} vs ${rolled.total.attainment_pct} (alone ${alone.total.attainment_pct})`)
      const tgt = k.digits(await page.locator('[data-test=kpi-target] .tile-value').innerText())
      assert(tgt > 0, 'a target is shown')
      assert((await page.locator('[data-test=vol-group-kpi]').count()) === 0, 'no "target for the account alone" note any more')
      // the KPI table by account: the switch rolls groups up and tags their rows
      await page.goto(`/kpis?plan=${plan.id}`)
      await (await k.tableRows(page, 'kpi-table')).first().waitFor()
      await k.chooseOption(page, 'kpi-by', '客户')
      await ready(page)
      assert((await page.locator('[data-test=kpi-group-tag]').count()) === 0, 'no group tags before the switch')
      await page.locator('[data-test=kpi-groups]').click()
      await page.locator('[data-test=kpi-groups-note]').waitFor()
      await page.locator('[data-test=kpi-group-tag]').first().waitFor()
      await ready(page)
      // the tagged row is the API's rolled-up row
      const rows = (await api(page, 'GET', `/api/v1/kpis?plan_id=${plan.id}&period=${now.getFullYear()}&by=account&subsidiaries=1`)).json.items
      const top = rows.filter((r) => r.group).sort((a, b) => b.target - a.target)[0]
      const tr = page.locator('[data-test=kpi-table] tbody tr', { has: page.locator('[data-test=kpi-group-tag]') }).filter({ hasText: top.label }).first()
      const tag = await tr.locator('[data-test=kpi-group-tag]').innerText()
      assert(tag.includes(String(top.group.subsidiaries)), `the group row of ${top.label} says ${top.group.subsidiaries} subsidiaries: ${tag}`)
      await k.shot(page, 'kpis-groups-zh-CN')
    } finally {
      await context.close()
    }
  })

  await check('groups: the rolled-up dashboard and the group page on a 390x844 phone', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', ...PHONE })
    context.setDefaultTimeout(k.TIMEOUT)
    const page = await context.newPage()
    page.on('pageerror', (e) => k.problems.push({ where: 'groups-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      await login(page, 'director')
      const g = await demoGroup(k, page, from, to)
      await page.goto(`/volume?account_id=${g.id}&account=${encodeURIComponent(g.name)}&subsidiaries=1`)
      const rolled = await actualShown(k, page)
      assert(rolled === Math.round(g.rolled), `phone: the rolled-up total ${rolled} vs ${Math.round(g.rolled)}`)
      await noOverflow(k, page, 'phone: rolled-up dashboard')
      for (const tab of ['behaviour', 'valuation']) {
        await page.goto(`/accounts/${g.id}?tab=${tab}`)
        await page.locator('[data-test=group-toggle]').waitFor()
        await page.locator(tab === 'behaviour' ? '[data-test=bh-group]' : '[data-test=valuation-inputs]').waitFor()
        await ready(page)
        await noOverflow(k, page, `phone: the group's ${tab} tab`)
        const box = await page.locator('[data-test=group-toggle]').boundingBox()
        assert(box && box.height >= 20 && box.x >= 0 && box.x + box.width <= 390, `phone: the switch fits: ${JSON.stringify(box)}`)
        await k.shot(page, `groups-${tab}-phone`)
      }
      // the KPI cards by account with groups rolled up: tagged, no sideways scroll
      const plan = (await api(page, 'GET', `/api/v1/targets?year=${now.getFullYear()}`)).json.items.find((p) => p.status === 'approved')
      if (plan) {
        await page.goto(`/kpis?plan=${plan.id}`)
        await page.locator('[data-test=kpi-cards]').waitFor()
        await k.chooseOption(page, 'kpi-by', '客户')
        await ready(page)
        await page.locator('[data-test=kpi-groups]').click()
        await page.locator('[data-test=kpi-cards] [data-test=kpi-group-tag]').first().waitFor()
        await ready(page)
        await noOverflow(k, page, 'phone: KPI cards with groups rolled up')
        await k.shot(page, 'kpis-groups-phone')
      }
    } finally {
      await context.close()
    }
  })
}
