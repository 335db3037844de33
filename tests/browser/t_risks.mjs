// The risk register in the browser (issue 16 item 1): the register with its 5 x 5 heat map (a
// cell filters the list) on the desktop and a 390 px phone; on an account's risks tab an account
// manager records a risk, adds an action on its page and closes it with a reason; the history
// shows it. Screenshots in zh-CN, zh-TW and en.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const tag = String(Date.now() % 100000)
  const title = `关键人离职风险 ${tag}`

  await check('risks: the register and its heat map; a cell filters the list (desktop)', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'risks-desktop' })
    try {
      await login(p, 'director')
      await p.goto('/risks')
      await p.locator('[data-test=risk-heatmap]').waitFor()
      await p.locator('[data-test=risks-table] .el-table__row').first().waitFor()
      await ready(p)
      await k.shot(p, 'risks-register')
      const map = (await api(p, 'GET', '/api/v1/risks/heatmap')).json
      const cell = map.cells.filter((c) => c.count > 0).sort((a, b) => b.score - a.score)[0]
      assert(cell, 'a cell with risks')
      await p.locator(`[data-test=heat-${cell.likelihood}-${cell.impact}]`).click()
      await p.locator('[data-test=risk-clear-cell]').waitFor()
      await ready(p)
      const rows = await p.locator('[data-test=risks-table] [data-test=risk-row]').count()
      assert(rows === cell.count, `the cell's ${cell.count} risks listed, got ${rows}`)
      const text = await p.locator('[data-test=risks-view]').innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), 'no raw identifiers on the screen')
    } finally {
      await context.close()
    }
  })

  await check('risks: record a risk on the account, add an action, close it', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'risks-flow' })
    try {
      await login(p, 'am.east1')
      const acc = (await api(p, 'GET', '/api/v1/accounts?owner_id=me&limit=1')).json.items[0]
      assert(acc, 'an account of am.east1')
      await p.goto(`/accounts/${acc.id}?tab=risks`)
      await p.locator('[data-test=account-risks] [data-test=risk-heatmap]').waitFor()
      await ready(p)
      await p.locator('[data-test=account-risks] [data-test=risk-new]').click()
      const dlg = p.locator('[data-test=risk-dialog]')
      await dlg.waitFor()
      await field(p, 'risk-title').fill(title)
      await field(p, 'risk-likelihood').fill('4')
      await field(p, 'risk-likelihood').blur()
      await field(p, 'risk-impact').fill('5')
      await field(p, 'risk-impact').blur()
      assert((await dlg.locator('[data-test=risk-score]').innerText()).includes('20'), 'the score 4 x 5 shown')
      await dlg.locator('[data-test=risk-save]').click()
      await p.locator('[data-test=risk-detail] [data-test=risk-heading]').waitFor()
      await ready(p)
      const id = Number(new URL(p.url()).pathname.split('/').pop())
      let r = (await api(p, 'GET', `/api/v1/risks/${id}`)).json
      assert(r.title === title && r.score === 20 && r.level === 'critical' && r.account_id === acc.id, `stored: ${JSON.stringify(r)}`)
      await field(p, 'risk-action-desc').fill('拜访新任采购经理')
      await p.locator('[data-test=risk-action-add]').click()
      await p.locator('[data-test=risk-action]').first().waitFor()
      await ready(p)
      await p.locator('[data-test=risk-close]').click()
      await field(p, 'risk-close-reason').fill('新联系人已建立关系')
      await p.locator('[data-test=risk-close-confirm]').click()
      await p.locator('[data-test=risk-reopen]').waitFor()
      await ready(p)
      r = (await api(p, 'GET', `/api/v1/risks/${id}`)).json
      assert(r.status === 'closed' && r.closed_reason === '新联系人已建立关系' && r.actions_total === 1, `closed: ${JSON.stringify(r)}`)
      assert((await p.locator('[data-test=risk-status]').innerText()).includes('已关闭'), 'shown closed')
      assert((await p.locator('[data-test=risk-history] .el-timeline-item').count()) >= 3, 'history: create, action, close')
      await k.shot(p, 'risk-detail')
    } finally {
      await context.close()
    }
  })

  await check('risks: the register as cards with the heat map on a 390 px phone (and 360 px)', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    try {
      await login(p, 'director')
      await p.goto('/risks')
      await p.locator('[data-test=risk-heatmap]').waitFor()
      await p.locator('[data-test=risks-cards] [data-test=card]').first().waitFor()
      await ready(p)
      await k.shot(p, 'risks-phone')
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
    await check(`risks: screenshots in ${locale}`, async () => {
      const { context, page: p } = await k.newPage(browser, base, { locale, label: `risks-${locale}` })
      try {
        await login(p, 'director')
        await p.goto('/risks')
        await p.locator('[data-test=risks-table] .el-table__row').first().waitFor()
        await ready(p)
        await k.shot(p, `risks-${locale}`)
        const text = await p.locator('[data-test=risks-view]').innerText()
        assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), 'no raw identifiers on the screen')
      } finally {
        await context.close()
      }
    })
  }
}
