// Department follow-ups (issue 14, F3.6): an account manager hands a matter to the technical
// department on the account page (desktop, zh-CN); the follow-ups screen on a 390x844 phone in
// zh-TW: cards, no sideways scrolling, the department filter, opening the follow-up by its
// link and closing the loop (resolved with the action, confirmed with the customer's words);
// the director's figures per department equal the API's; a low score's follow-up from the demo
// names the question in words.
const PHONE = { width: 390, height: 844 }
const RAW = /\b[a-z]+(_[a-z0-9]+)+\b/

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const title = `请技术部评估控制器兼容性 ${Date.now() % 100000}`
  let fuId = null

  await check('followups: hand a matter to another department on the account page (desktop)', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'followups-desktop' })
    try {
      await login(p, 'am.east1')
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const acc = (await api(p, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0]
      assert(acc, 'am.east1 owns an account')
      await p.goto(`/accounts/${acc.id}?tab=followups`)
      await p.locator('[data-test=account-followups]').waitFor()
      await ready(p)
      await p.locator('[data-test=new-handoff]').click()
      const dlg = p.locator('[data-test=handoff-dialog]')
      await dlg.waitFor()
      await k.chooseOption(p, 'h-to', '技术') // from: sales, the default
      await field(p, 'h-title').fill(title)
      await field(p, 'h-detail').fill('客户下月升级产线，请两周内给出方案')
      await dlg.locator('[data-test=h-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)
      await p.locator('[data-test=account-followups-table] [data-test=fu-row]', { hasText: title }).waitFor()
      const items = (await api(p, 'GET', `/api/v1/accounts/${acc.id}/follow-ups?limit=500`)).json.items
      const f = items.find((x) => x.title === title)
      assert(f, 'the hand-off is stored')
      assert(f.source === 'handoff' && f.from_dept === 'sales' && f.dept_role === 'technical' && f.status === 'open', `stored: ${JSON.stringify(f)}`)
      fuId = f.id
      const text = await p.locator('[data-test=account-followups]').innerText()
      assert(!RAW.test(text), `no raw identifiers on the tab: ${text.slice(0, 300)}`)
      assert(text.includes('技术') && text.includes('待处理'), 'department and status in words')
      // Re-route it to production and back to technical (department, owner, due date: PATCH).
      await p.locator('[data-test=account-followups-table] [data-test=fu-row]', { hasText: title }).click()
      const fd = p.locator('[data-test=fu-dialog]')
      await fd.waitFor()
      await fd.locator('[data-test=fu-edit-open]').click()
      await fd.locator('[data-test=fu-edit]').waitFor()
      await k.chooseOption(p, 'fu-edit-dept', '生产')
      await fd.locator('[data-test=fu-edit-save]').click()
      await fd.locator('[data-test=fu-edit]').waitFor({ state: 'hidden' })
      const r1 = (await api(p, 'GET', `/api/v1/follow-ups/${fuId}`)).json
      assert(r1.dept_role === 'production' && r1.version === 2, `re-routed: ${JSON.stringify(r1)}`)
      await fd.locator('[data-test=fu-edit-open]').click()
      await k.chooseOption(p, 'fu-edit-dept', '技术')
      await fd.locator('[data-test=fu-edit-save]').click()
      await fd.locator('[data-test=fu-edit]').waitFor({ state: 'hidden' })
      const r2 = (await api(p, 'GET', `/api/v1/follow-ups/${fuId}`)).json
      assert(r2.dept_role === 'technical' && r2.version === 3, `back to technical: ${JSON.stringify(r2)}`)
      const hist = (await api(p, 'GET', `/api/v1/audit?entity=follow_up&id=${fuId}`)).json.items
      assert(hist.length === 3, `create and two re-routes in the history: ${hist.length}`)
      await fd.locator('.el-dialog__headerbtn').click()
      await fd.waitFor({ state: 'hidden' })
      // A hand-off to the same department is refused in words, next to the field.
      await p.locator('[data-test=new-handoff]').click()
      await dlg.waitFor()
      await k.chooseOption(p, 'h-to', '销售') // from sales to sales
      await field(p, 'h-title').fill('同部门')
      await dlg.locator('[data-test=h-save]').click()
      await dlg.locator('[data-field=dept_role] .el-form-item__error', { hasText: '另一个部门' }).waitFor()
    } finally {
      await ctxt.close()
    }
  })

  await check('followups: close the loop on a 390x844 phone in zh-TW', async () => {
    assert(fuId, 'the desktop check made a follow-up')
    const context = await browser.newContext({ baseURL: base, locale: 'zh-TW', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    p.on('pageerror', (e) => k.problems.push({ where: 'followups-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      await login(p, 'am.east1')
      await p.goto('/follow-ups')
      await p.locator('[data-test=followups-view]').waitFor()
      await ready(p)
      await p.locator('[data-test=followups-table-cards] [data-test=card]').first().waitFor()
      await k.shot(p, 'followups-phone')
      const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling on the phone (${wide} px)`)
      // The department filter: technical only.
      await k.chooseOption(p, 'fu-dept-select', '技術')
      await ready(p)
      const total = (await api(p, 'GET', '/api/v1/follow-ups/count?dept_role=technical&open=1')).json.total
      await p.locator('[data-test=fu-total]', { hasText: String(total) }).waitFor()
      const card = p.locator(`[data-test=followups-table-cards] [data-test=card][data-key="${fuId}"]`)
      await card.waitFor()
      const text = await p.locator('[data-test=followups-view]').innerText()
      assert(!RAW.test(text), `no raw identifiers: ${text.slice(0, 300)}`)
      const head = await p.locator('[data-test=followups-view] .page-head').innerText()
      assert(head.includes('跟進任務') && !head.includes('跟进'), `the screen in Traditional Chinese: ${head}`)
      assert(text.includes('技術'), 'the department in Traditional Chinese')
      // Open it and resolve it with the action taken.
      await card.click()
      const dlg = p.locator('[data-test=fu-dialog]')
      await dlg.waitFor()
      await p.waitForURL((u) => u.pathname === `/follow-ups/${fuId}`)
      await dlg.locator('[data-test=fu-to-resolved]').click()
      await dlg.locator('[data-test=fu-save]').click()
      await dlg.locator('[data-field=action] .el-form-item__error').waitFor() // an action is required
      await field(p, 'fu-action-input').fill('技術部已完成相容性評估並提交升級方案')
      await dlg.locator('[data-test=fu-save]').click()
      await dlg.locator('[data-test=fu-dialog-status]', { hasText: '已解決' }).waitFor()
      await k.shot(p, 'followups-dialog-phone', { fullPage: false })
      const dw = await dlg.evaluate((e) => e.getBoundingClientRect().width)
      assert(dw <= PHONE.width, `the dialog fits the phone (${dw} px)`)
      // The customer confirms.
      await dlg.locator('[data-test=fu-to-confirmed]').click()
      await field(p, 'fu-confirmation-input').fill('客戶王經理來電確認方案可行')
      await dlg.locator('[data-test=fu-save]').click()
      await dlg.locator('[data-test=fu-dialog-status]', { hasText: '客戶已確認' }).waitFor()
      const f = (await api(p, 'GET', `/api/v1/follow-ups/${fuId}`)).json
      assert(f.status === 'confirmed' && f.action.includes('相容性') && f.confirmation.includes('王經理') && f.resolved_at && f.confirmed_at, `closed: ${JSON.stringify(f)}`)
      // Opened by its link (the owner's notification) after a reload.
      await p.goto(`/follow-ups/${fuId}`)
      await p.locator('[data-test=fu-dialog] [data-test=fu-confirmation]', { hasText: '王經理' }).waitFor()
      // 360 px wide: the list, the account's tab and the hand-off dialog fit.
      await p.setViewportSize({ width: 360, height: 740 })
      const acc = f.account_id
      for (const url of ['/follow-ups', `/accounts/${acc}?tab=followups`]) {
        await p.goto(url)
        await p.locator(url === '/follow-ups' ? '[data-test=followups-view]' : '[data-test=account-followups]').waitFor()
        await ready(p)
        const w360 = await p.evaluate(() => document.scrollingElement.scrollWidth)
        assert(w360 <= 361, `${url}: no sideways scrolling at 360 px (${w360} px)`)
      }
      await p.locator('[data-test=new-handoff]').click()
      const hd = p.locator('[data-test=handoff-dialog]')
      await hd.waitFor()
      const hw = await hd.evaluate((e) => e.getBoundingClientRect().width)
      assert(hw <= 360, `the hand-off dialog fits 360 px (${hw} px)`)
      const saveBox = await hd.locator('[data-test=h-save]').boundingBox()
      assert(saveBox && saveBox.height >= 40, `a touch-sized (>= 40 px) save button (${saveBox && saveBox.height} px)`)
    } finally {
      await context.close()
    }
  })

  await check('followups: the director\'s figures per department equal the API\'s', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'followups-stats' })
    try {
      await login(p, 'director')
      await p.goto('/follow-ups')
      await p.locator('[data-test=followups-view]').waitFor()
      await ready(p)
      await p.locator('[data-test=fu-stats-toggle]').click()
      const table = p.locator('[data-test=fu-stats-table]')
      await table.waitFor()
      await ready(p)
      const day = (off) => new Date(Date.now() + 8 * 3600_000 - off * 86400_000).toISOString().slice(0, 10)
      const s = (await api(p, 'GET', `/api/v1/follow-ups/stats?from=${day(89)}&to=${day(0)}`)).json
      const rates = await table.locator('[data-test=fu-rate]').allInnerTexts()
      const want = s.items.map((i) => `${Math.round(i.closed_loop_rate * 1000) / 10}%`)
      assert(JSON.stringify(rates) === JSON.stringify(want), `rates ${rates} vs ${want}`)
      assert(s.total.created > 0, 'the demo has follow-ups in the last 90 days')
      await p.locator('[data-test=fu-stats-total]', { hasText: String(s.total.created) }).waitFor()
      // The production tab lists production's follow-ups only.
      await p.locator('[data-test=fu-dept-production]').click()
      await ready(p)
      const n = (await api(p, 'GET', '/api/v1/follow-ups/count?dept_role=production&open=1')).json.total
      await p.locator('[data-test=fu-total]', { hasText: String(n) }).waitFor()
      const text = await p.locator('[data-test=followups-view]').innerText()
      assert(!RAW.test(text), `no raw identifiers: ${text.slice(0, 300)}`)
      // A low score's follow-up from the demo survey says what scored low.
      const low = (await api(p, 'GET', '/api/v1/follow-ups?source=survey&limit=1')).json.items[0]
      assert(low && /\d+\/(5|10)/.test(low.title), `a demo low-score follow-up: ${JSON.stringify(low)}`)
    } finally {
      await ctxt.close()
    }
  })
}
