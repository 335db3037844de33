// Needs capture (issue 14): an account manager adds a need on an account's Needs tab on the
// desktop; changes its status on a 390x844 phone (card list, the move dialog); records what a
// revisit learned when completing a visit (the new needs become needs of the account); the
// needs list screen filters latent needs.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, iso, browser, base, field } = k
  const desc = `希望交期缩短到两周 ${Date.now() % 100000}`
  let accountId = null
  let needId = null

  const myAccount = async (p) => {
    const me = (await api(p, 'GET', '/api/v1/me')).json
    const acc = (await api(p, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0]
    assert(acc, 'am.east1 owns an account')
    return acc
  }

  await check('needs: add a need on the account page (desktop)', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'needs-desktop' })
    try {
      await login(p, 'am.east1')
      const acc = await myAccount(p)
      accountId = acc.id
      await p.goto(`/accounts/${acc.id}?tab=needs`)
      await p.locator('[data-test=account-needs]').waitFor()
      await ready(p)
      await p.locator('[data-test=new-need]').click()
      const dlg = p.locator('[data-test=need-dialog]')
      await dlg.waitFor()
      await field(p, 'n-description').fill(desc)
      await field(p, 'n-pain').fill('旺季缺货')
      await k.chooseOption(p, 'n-category', '交付')
      await k.chooseOption(p, 'n-priority', '高')
      await p.locator('[data-test=n-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)
      const row = p.locator('[data-test=account-needs-table] [data-test=need-row]', { hasText: desc })
      await row.waitFor()
      const list = (await api(p, 'GET', `/api/v1/accounts/${acc.id}/needs?limit=500`)).json.items
      const n = list.find((x) => x.description === desc)
      assert(n, 'the need is stored')
      assert(n.category === 'delivery' && n.priority === 'high' && n.status === 'open' && n.pain_point === '旺季缺货', `stored: ${JSON.stringify(n)}`)
      needId = n.id
      const text = await p.locator('[data-test=account-needs]').innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), `no raw identifiers on the tab: ${text.slice(0, 200)}`)
      assert(text.includes('待处理') && text.includes('交付'), 'status and category in words')
    } finally {
      await ctxt.close()
    }
  })

  await check('needs: change a need\'s status on a 390x844 phone', async () => {
    assert(needId, 'the desktop check made a need')
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    p.on('pageerror', (e) => k.problems.push({ where: 'needs-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      await login(p, 'am.east1')
      await p.goto(`/accounts/${accountId}?tab=needs`)
      await p.locator('[data-test=account-needs]').waitFor()
      await ready(p)
      const card = p.locator(`[data-test=account-needs-table-cards] [data-test=card][data-key="${needId}"]`)
      await card.waitFor()
      await k.shot(p, 'needs-account-phone')
      const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling on the phone (${wide} px)`)
      await card.locator('[data-test=need-move]').click()
      const dlg = p.locator('[data-test=need-move-dialog]')
      await dlg.waitFor()
      await k.shot(p, 'needs-move-phone', { fullPage: false })
      await dlg.locator('[data-test=m-to-addressing]').click()
      await field(p, 'm-note').fill('已安排报价')
      await dlg.locator('[data-test=m-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)
      await card.locator('[data-test=need-status]', { hasText: '处理中' }).waitFor()
      const n = (await api(p, 'GET', `/api/v1/needs/${needId}`)).json
      assert(n.status === 'addressing' && n.version === 2, `moved: ${JSON.stringify(n)}`)
      const hist = (await api(p, 'GET', `/api/v1/audit?entity=need&id=${needId}`)).json.items
      assert(hist.some((h) => h.action === 'comment'), 'the note is in the need\'s history')
    } finally {
      await context.close()
    }
  })

  await check('needs: record learnings when completing a visit', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'needs-learnings' })
    try {
      await login(p, 'am.east1')
      const acc = accountId ? { id: accountId } : await myAccount(p)
      const r = await api(p, 'POST', `/api/v1/accounts/${acc.id}/visits`, { kind: 'onsite', planned_at: iso(new Date(Date.now() - 3600_000)) })
      assert(r.status === 201, `plan a visit: ${r.status} ${JSON.stringify(r.json)}`)
      const v = r.json
      await p.goto(`/visits?focus=${v.id}`)
      const dlg = p.locator(`[data-test=visit-dialog][data-visit-id="${v.id}"]`)
      await dlg.waitFor()
      await ready(p)
      await dlg.locator('[data-test=v-complete]').click()
      await dlg.locator('[data-test=v-learnings]').waitFor()
      await field(p, 'v-outcome-input').fill('回访完成')
      await field(p, 'v-learn-how-used').fill('产线 A 使用 X200')
      await field(p, 'v-learn-works').fill('运行稳定')
      await field(p, 'v-learn-fails').fill('换型慢')
      await field(p, 'v-learn-needs').fill('换型时间缩短到 10 分钟\n中文操作手册')
      await dlg.locator('[data-test=v-complete-save]').click()
      await dlg.locator('[data-test=v-learned-how-used]').waitFor()
      await ready(p)
      const got = (await api(p, 'GET', `/api/v1/visits/${v.id}`)).json
      assert(got.status === 'done' && got.learnings && got.learnings.fails === '换型慢', `visit: ${JSON.stringify(got.learnings)}`)
      const needs = (await api(p, 'GET', `/api/v1/accounts/${acc.id}/needs?limit=500`)).json.items.filter((x) => x.visit_id === v.id)
      assert(needs.length === 2 && needs.every((x) => x.source === 'visit'), `two needs from the visit: ${JSON.stringify(needs)}`)
    } finally {
      await ctxt.close()
    }
  })

  await check('needs: the needs list filters latent needs', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'needs-list' })
    try {
      await login(p, 'director')
      await p.goto('/needs')
      await p.locator('[data-test=needs-view]').waitFor()
      await ready(p)
      await p.locator('[data-test=needs-total]').waitFor()
      const all = (await api(p, 'GET', '/api/v1/needs/count?open=1')).json.total
      const latent = (await api(p, 'GET', '/api/v1/needs/count?open=1&older_than_days=30')).json.total
      assert(all > 0 && latent > 0 && latent < all, `the demo has open needs, some latent (${latent} of ${all})`)
      await k.chooseOption(p, 'needs-age', '30')
      await ready(p)
      await p.locator('[data-test=needs-total]', { hasText: String(latent) }).waitFor()
      const rows = await p.locator('[data-test=needs-table] [data-test=need-row]').count()
      assert(rows === Math.min(latent, 50), `latent rows shown: ${rows} of ${latent}`)
    } finally {
      await ctxt.close()
    }
  })

  await check('needs: service staff complete a visit without the new-needs field (they may not create needs)', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'needs-service' })
    try {
      await login(p, 'service1')
      const acc = (await api(p, 'GET', '/api/v1/accounts?limit=1')).json.items[0]
      assert(acc, 'service1 has an account in scope')
      const r = await api(p, 'POST', `/api/v1/accounts/${acc.id}/visits`, { kind: 'onsite', planned_at: iso(new Date(Date.now() - 3600_000)) })
      assert(r.status === 201, `plan a visit: ${r.status} ${JSON.stringify(r.json)}`)
      const v = r.json
      await p.goto(`/visits?focus=${v.id}`)
      const dlg = p.locator(`[data-test=visit-dialog][data-visit-id="${v.id}"]`)
      await dlg.waitFor()
      await ready(p)
      await dlg.locator('[data-test=v-complete]').click()
      await dlg.locator('[data-test=v-learnings]').waitFor()
      assert((await dlg.locator('[data-test=v-learn-needs]').count()) === 0, 'no new-needs field for service staff')
      await field(p, 'v-outcome-input').fill('售后回访完成')
      await field(p, 'v-learn-works').fill('备件到货及时')
      await dlg.locator('[data-test=v-complete-save]').click()
      await dlg.locator('[data-test=v-learned-how-used]').waitFor()
      const got = (await api(p, 'GET', `/api/v1/visits/${v.id}`)).json
      assert(got.status === 'done' && got.learnings && got.learnings.works === '备件到货及时', `visit: ${JSON.stringify(got)}`)
    } finally {
      await ctxt.close()
    }
  })

  await check('needs: an interview\'s attendees read as names in the account history', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'needs-history' })
    try {
      await login(p, 'am.east1')
      const acc = accountId ? { id: accountId } : await myAccount(p)
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const dir = (await api(p, 'GET', '/api/v1/users?limit=500')).json.items.find((u) => u.role === 'director' && !u.disabled)
      assert(dir, 'a director to invite')
      const r = await api(p, 'POST', `/api/v1/accounts/${acc.id}/interviews`, { held_on: '2026-03-02', title: '历史访谈', user_ids: [me.id] })
      assert(r.status === 201, `interview: ${r.status} ${JSON.stringify(r.json)}`)
      const u = await api(p, 'PATCH', `/api/v1/interviews/${r.json.id}`, { user_ids: [me.id, dir.id] })
      assert(u.status === 200, `patch: ${u.status} ${JSON.stringify(u.json)}`)
      await p.goto(`/accounts/${acc.id}?tab=history`)
      const hist = p.locator('[data-test=history]')
      await hist.locator('.el-timeline-item').first().waitFor()
      await ready(p)
      await hist.getByText(dir.name).first().waitFor()
      const text = await hist.innerText()
      const raw = `${Math.min(me.id, dir.id)},${Math.max(me.id, dir.id)}`
      // as a token of its own: money in the history ("¥12,500.00") may contain the same digits
      const rawRe = new RegExp(`(^|[^\\d,.])${raw}([^\\d,.]|$)`)
      assert(!rawRe.test(text), `no raw user ids ("${raw}") in the history`)
      assert(text.includes(me.name), 'the attendees by name')
    } finally {
      await ctxt.close()
    }
  })
}
