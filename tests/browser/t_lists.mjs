// Lists that scale (issue 12, item 4): the account list shows the count of its filtered list,
// sorts by revenue converted to the base currency, keeps the chosen columns after a reload,
// restores a saved view's filters, transfers two selected accounts to a new owner; the KPI
// screen is paged (its height bounded); on a 390 px phone the accounts are a card list.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, newPage, login, api, ready, shot, tableRows, chooseOption, allPages, digits, browser, base } = k
  let ctx = null
  let p = null

  await check('lists: the account list shows the count of its filtered list', async () => {
    ctx = await newPage(browser, base, { label: 'lists' })
    p = ctx.page
    await login(p, 'director')
    p.setScreen('accounts')
    await p.goto('/accounts')
    await (await tableRows(p, 'account-table')).first().waitFor()
    await ready(p)
    const all = await allPages(p, '/api/v1/accounts')
    const shown = digits(await p.locator('[data-test=account-count]').innerText())
    assert(shown === all.length, `count shows ${shown}, the list has ${all.length} rows`)
    await p.goto('/accounts?tier=growth')
    await ready(p)
    const growth = await allPages(p, '/api/v1/accounts?tier=growth')
    const g = digits(await p.locator('[data-test=account-count]').innerText())
    assert(g === growth.length && g < all.length, `growth count shows ${g}, the list has ${growth.length}`)
  })

  await check('lists: sorting by revenue uses the converted value (the header sorts, the URL keeps it)', async () => {
    await p.goto('/accounts')
    await (await tableRows(p, 'account-table')).first().waitFor()
    await ready(p)
    const th = p.locator('[data-test=account-table] thead th', { hasText: '营业额' }).first()
    await th.click()
    await p.waitForURL(/sort=revenue/)
    await ready(p)
    await th.click()
    await p.waitForURL(/sort=-revenue/)
    await ready(p)
    const want = (await api(p, 'GET', '/api/v1/accounts?sort=-revenue&limit=20')).json.items
    const rates = (await api(p, 'GET', '/api/v1/fx-rates')).json
    const rate = (cur) => (cur === rates.base_currency ? 1e6 : (rates.items.find((r) => r.currency === cur) || {}).rate_micro)
    const conv = want.map((a) => (a.revenue && rate(a.revenue.currency) ? (a.revenue.amount * rate(a.revenue.currency)) / 1e6 : -1))
    for (let i = 1; i < conv.length; i++) assert(conv[i - 1] >= conv[i] - 1, `API order not by converted revenue at ${i}: ${conv}`)
    const rows = await tableRows(p, 'account-table')
    for (let i = 0; i < Math.min(5, want.length); i++) {
      const text = await rows.nth(i).innerText()
      assert(text.includes(want[i].code), `row ${i} is ${text.slice(0, 40)}, expected ${want[i].code}`)
    }
    await shot(p, 'lists-accounts-revenue-zh-CN')
  })

  await check('lists: the column chooser hides a column and the choice survives a reload', async () => {
    await p.goto('/accounts')
    await (await tableRows(p, 'account-table')).first().waitFor()
    await ready(p)
    const head = p.locator('[data-test=account-table] thead')
    assert((await head.innerText()).includes('渠道'), 'channel column shown by default')
    await p.locator('[data-test=column-chooser]').click()
    await p.locator('[data-test=column-choices] [data-col=channel]').click()
    await ready(p)
    assert(!(await head.innerText()).includes('渠道'), 'channel column still shown after unticking it')
    await p.reload()
    await (await tableRows(p, 'account-table')).first().waitFor()
    await ready(p)
    assert(!(await head.innerText()).includes('渠道'), 'channel column back after a reload')
    await p.locator('[data-test=column-chooser]').click()
    await p.locator('[data-test=column-choices] [data-col=channel]').click()
    await ready(p)
    assert((await head.innerText()).includes('渠道'), 'channel column back when ticked')
    await p.keyboard.press('Escape')
  })

  await check('lists: a saved view restores its filters', async () => {
    const name = `成长客户 ${Date.now() % 100000}`
    await p.goto('/accounts?tier=growth&sort=-revenue')
    await (await tableRows(p, 'account-table')).first().waitFor()
    await ready(p)
    await p.locator('[data-test=view-save]').click()
    await p.locator('.el-message-box input').fill(name)
    await p.locator('.el-message-box__btns .el-button--primary').click()
    await ready(p)
    const views = (await api(p, 'GET', '/api/v1/views?screen=accounts')).json.items
    const v = views.find((x) => x.name === name)
    assert(v, `view ${name} not stored: ${JSON.stringify(views)}`)
    await p.goto('/accounts')
    await (await tableRows(p, 'account-table')).first().waitFor()
    await ready(p)
    await chooseOption(p, 'view-select', name)
    await p.waitForURL((u) => u.search.includes('tier=growth') && u.search.includes('sort=-revenue'))
    await ready(p)
    const rows = await tableRows(p, 'account-table')
    const n = await rows.count()
    assert(n > 0, 'no rows')
    for (let i = 0; i < n; i++) assert((await rows.nth(i).innerText()).includes('成长'), `row ${i} is not growth`)
    const del = await api(p, 'DELETE', `/api/v1/views/${v.id}`)
    assert(del.status === 204, `delete view -> ${del.status}`)
  })

  await check('lists: bulk transfer moves two selected accounts to a new owner', async () => {
    const users = (await api(p, 'GET', '/api/v1/users?limit=500')).json.items
    const from = users.find((u) => u.login === 'am.east1')
    const to = users.find((u) => u.login === 'am.east2')
    assert(from && to, 'demo users am.east1/am.east2')
    const tag = `BT${Date.now() % 1000000}`
    const ids = []
    for (const n of [1, 2]) {
      const r = await api(p, 'POST', '/api/v1/accounts', { code: `${tag}-${n}`, name: `批量转移 ${tag} ${n}`, owner_id: from.id })
      assert(r.status === 201, `create -> ${r.status}`)
      ids.push(r.json.id)
    }
    await p.goto(`/accounts?q=${tag}`)
    await (await tableRows(p, 'account-table')).first().waitFor()
    await ready(p)
    const rows = await tableRows(p, 'account-table')
    assert((await rows.count()) === 2, `2 rows for ${tag}`)
    for (let i = 0; i < 2; i++) await rows.nth(i).locator('.el-checkbox').first().click()
    await p.locator('[data-test=bulk-transfer]').click()
    await chooseOption(p, 'transfer-owner', to.name || to.login)
    await p.locator('[data-test=transfer-confirm]').click()
    await p.locator('[data-test=transfer-dialog]').waitFor({ state: 'hidden' })
    await ready(p)
    for (const id of ids) {
      const a = (await api(p, 'GET', `/api/v1/accounts/${id}`)).json
      assert(a.owner_id === to.id, `account ${id} owner ${a.owner_id}, expected ${to.id}`)
      const audit = (await api(p, 'GET', `/api/v1/audit?entity=account&id=${id}`)).json.items
      assert(audit.some((r) => r.action === 'update' && r.changes.owner_id), `account ${id}: no audited owner change`)
    }
    const text = await rows.first().innerText()
    assert(text.includes(to.name || to.login), `row shows the new owner: ${text.slice(0, 80)}`)
  })

  await check('lists: the KPI screen is paged (its height bounded) with search and filters', async () => {
    p.setScreen('kpis')
    // the demo's approved plan (by account, ~195 rows); plans other checks create are smaller
    const plans = (await api(p, 'GET', '/api/v1/targets')).json.items.filter((x) => x.status === 'approved').sort((x, y) => x.id - y.id)
    assert(plans.length, 'the demo has an approved plan')
    await p.goto(`/kpis?plan=${plans[0].id}`)
    await (await tableRows(p, 'kpi-table')).first().waitFor()
    await ready(p)
    const rows = await (await tableRows(p, 'kpi-table')).count()
    assert(rows <= 50, `${rows} KPI rows on one page`)
    const h = await p.evaluate(() => document.scrollingElement.scrollHeight)
    assert(h < 3000, `the KPI page is ${h} px high`)
    await shot(p, 'lists-kpis-zh-CN')
    // the demo plan is by account (~195 rows): more than one page
    assert((await p.locator('[data-test=kpi-pager]').count()) > 0, 'no pager under the KPI table')
    {
      // search over all rows, not only the visible page
      const last = p.locator('[data-test=kpi-pager] .el-pager li.number').last()
      await last.click()
      await ready(p)
      const name = (await (await tableRows(p, 'kpi-table')).first().innerText()).split('\n')[0].trim()
      await k.field(p, 'kpi-search').fill(name)
      await ready(p)
      const found = await tableRows(p, 'kpi-table')
      const n = await found.count()
      assert(n >= 1 && n < rows, `search "${name}" shows ${n} rows`)
      for (let i = 0; i < n; i++) assert((await found.nth(i).innerText()).includes(name), `row ${i} does not match ${name}`)
      await k.field(p, 'kpi-search').fill('')
      await ready(p)
      // the rows of the plan on screen (?plan=, by account, its year), as the API has them
      const planId = new URL(p.url()).searchParams.get('plan')
      assert(planId, `no plan in the URL ${p.url()}`)
      const plan = (await api(p, 'GET', `/api/v1/targets/${planId}`)).json
      const kr = await api(p, 'GET', `/api/v1/kpis?plan_id=${planId}&by=account&period=${plan.year}`)
      assert(kr.status === 200, `GET /kpis: ${kr.status}`)
      const behind = kr.json.items.filter((r) => r.key !== '' && r.status === 'off_track').length
      assert(behind > 0, 'the demo plan has no account behind its target')
      await chooseOption(p, 'kpi-status-filter', '落后')
      await ready(p)
      const tags = await p.locator('[data-test=kpi-table] [data-test=kpi-status]').allInnerTexts()
      assert(tags.length === Math.min(25, behind) && tags.every((x) => x.includes('落后')), `status filter shows ${tags.length} rows (${[...new Set(tags)]}), the API has ${behind} behind`)
    }
  })

  await check('lists: issue filters (severity, opened date) match the API', async () => {
    p.setScreen('issues')
    const today = new Date().toISOString().slice(0, 10)
    // a critical issue opened today, so the filtered list cannot be empty
    const acc = (await api(p, 'GET', '/api/v1/accounts?limit=1')).json.items[0]
    const made = await api(p, 'POST', `/api/v1/accounts/${acc.id}/issues`, { title: `列表紧急 ${Date.now() % 1e6}`, severity: 'critical' })
    assert(made.status === 201, `critical issue: ${made.status} ${JSON.stringify(made.json)}`)
    await p.goto(`/issues?severity=critical&from=2000-01-01&to=${today}`)
    await ready(p)
    const want = await allPages(p, `/api/v1/issues?severity=critical&opened_from=2000-01-01&opened_to=${today}`)
    assert(want.some((x) => x.id === made.json.id), 'the API lists the new critical issue')
    const rows = await tableRows(p, 'issues-table')
    const n = await rows.count()
    assert(n > 0 && n === Math.min(50, want.length), `${n} rows, API ${want.length}`)
    for (let i = 0; i < n; i++) assert((await rows.nth(i).innerText()).includes('紧急'), `row ${i} not critical`)
    // the export link carries the same filters and the table's columns
    await p.locator('[data-test=export-menu]').first().click()
    const link = p.locator('[data-test=export-csv]:visible').first()
    await link.waitFor()
    const u = new URL(await link.getAttribute('href'), base)
    assert(
      u.pathname === '/api/v1/issues/export' && u.searchParams.get('severity') === 'critical' && u.searchParams.get('opened_from') === '2000-01-01' && u.searchParams.get('opened_to') === today && /^title:/.test(u.searchParams.get('columns') ?? ''),
      `export link ${u.pathname}${u.search}`,
    )
  })

  if (ctx) await ctx.context.close()

  await check('lists: a 390 px phone shows the accounts as a card list, no horizontal overflow', async () => {
    const { context: c, page: q } = await newPage(browser, base, { label: 'lists-phone' })
    try {
      await q.setViewportSize(PHONE)
      await login(q, 'am.east1')
      await q.goto('/accounts')
      await q.locator('[data-test=account-cards] [data-test=card]').first().waitFor()
      await ready(q)
      const cards = await q.locator('[data-test=account-cards] [data-test=card]').count()
      const mine = (await api(q, 'GET', '/api/v1/accounts?limit=20')).json.items.length
      assert(cards === mine, `${cards} cards, API ${mine}`)
      assert((await q.locator('[data-test=account-table]').count()) === 0, 'no table on a phone')
      assert(digits(await q.locator('[data-test=account-count]').innerText()) > 0, 'count shown on a phone')
      const over = await q.evaluate(() => document.scrollingElement.scrollWidth - innerWidth)
      assert(over <= 1, `page overflows by ${over} px`)
      await shot(q, 'lists-accounts-phone-zh-CN')
    } finally {
      await c.close()
    }
  })
}
