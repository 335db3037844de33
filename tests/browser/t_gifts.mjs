// Compliance in the browser (issue 16 item 1): an account manager records a dinner over its rule,
// planned next week, on the account's gifts tab (with the budget bar): it waits for approval; the
// director finds it under "waiting for my decision" and approves it. The gifts list as cards on a
// 390 px phone (and 360 px) without sideways scrolling; the settings tab of rules and budgets;
// screenshots in zh-CN, zh-TW and en.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const tag = String(Date.now() % 100000)
  const isoDay = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10)
  const what = `签约晚宴 ${tag}`
  let giftId = 0

  await check('gifts: a dinner over its rule waits for the director, who approves it', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'gifts-record' })
    const d = await k.newPage(browser, base, { locale: 'zh-CN', label: 'gifts-director' })
    try {
      await login(p, 'am.east1')
      const acc = (await api(p, 'GET', '/api/v1/accounts?owner_id=me&limit=1')).json.items[0]
      assert(acc, 'an account of am.east1')
      await p.goto(`/accounts/${acc.id}?tab=gifts`)
      await p.locator('[data-test=account-gifts] [data-test=gift-budget]').waitFor()
      await ready(p)
      await k.shot(p, 'gifts-account-tab')
      await p.locator('[data-test=account-gifts] [data-test=gift-new]').click()
      const dlg = p.locator('[data-test=gift-dialog]')
      await dlg.waitFor()
      await ready(p)
      await dlg.locator('[data-test=gift-kind] .el-radio', { hasText: '宴请' }).click()
      await field(p, 'gift-description').fill(what)
      await field(p, 'gift-value').fill('2500')
      await field(p, 'gift-value').blur()
      await field(p, 'gift-given-on').fill(isoDay(Date.now() + 7 * 86400000))
      await field(p, 'gift-given-on').press('Enter')
      await dlg.locator('.el-dialog__header').click()
      await dlg.locator('[data-test=gift-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)
      const g = (await api(p, 'GET', `/api/v1/gifts?account_id=${acc.id}&status=pending&limit=50`)).json.items.find((x) => x.description === what)
      assert(g && g.value === 250000 && g.kind === 'hospitality' && g.approver_role === 'director', `pending for the director: ${JSON.stringify(g)}`)
      giftId = g.id
      const row = p.locator('[data-test=gifts-table] .el-table__row', { hasText: what })
      await row.waitFor()
      assert((await row.locator('[data-test=gift-status]').innerText()).includes('待审批'), 'shown as waiting for approval')

      await login(d.page, 'director')
      await d.page.goto('/gifts')
      await d.page.locator('[data-test=gifts-table]').waitFor()
      await ready(d.page)
      await d.page.locator('[data-test=gift-f-mine]').click()
      await ready(d.page)
      const mine = d.page.locator('[data-test=gifts-table] .el-table__row', { hasText: what })
      await mine.waitFor()
      await k.shot(d.page, 'gifts-waiting-for-me')
      await mine.locator('[data-test=gift-decide]').click()
      const dd = d.page.locator('[data-test=gift-decide-dialog]')
      await dd.locator('[data-test=gift-decide-note] textarea, textarea[data-test=gift-decide-note]').first().fill('同意，注意标准')
      await dd.locator('[data-test=gift-approve]').click()
      await ready(d.page)
      const after = (await api(d.page, 'GET', `/api/v1/gifts/${giftId}`)).json
      assert(after.status === 'approved' && after.decision_note === '同意，注意标准', `approved: ${JSON.stringify(after)}`)
      const text = await d.page.locator('[data-test=gifts-view]').innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), 'no raw identifiers on the screen')
    } finally {
      await context.close()
      await d.context.close()
    }
  })

  await check('gifts: the list as cards on a 390 px phone and at 360 px; rules and budgets in settings', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    try {
      await login(p, 'director')
      await p.goto('/gifts')
      await p.locator('[data-test=gifts-cards] [data-test=card]').first().waitFor()
      await ready(p)
      await k.shot(p, 'gifts-phone')
      let wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling (${wide} px)`)
      await p.setViewportSize({ width: 360, height: 780 })
      await ready(p)
      wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= 361, `no sideways scrolling at 360 px (${wide} px)`)
    } finally {
      await context.close()
    }
  })

  for (const locale of ['zh-TW', 'en']) {
    await check(`gifts: screenshots in ${locale}`, async () => {
      const { context, page: p } = await k.newPage(browser, base, { locale, label: `gifts-${locale}` })
      try {
        await login(p, 'director')
        await p.goto('/gifts')
        await p.locator('[data-test=gifts-table] .el-table__row').first().waitFor()
        await ready(p)
        await k.shot(p, `gifts-${locale}`)
        const text = await p.locator('[data-test=gifts-view]').innerText()
        assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), 'no raw identifiers on the screen')
      } finally {
        await context.close()
      }
    })
  }
}
