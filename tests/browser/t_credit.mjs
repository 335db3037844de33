// Credit and receivables (issue 16 item 2): finance's receivables list (most overdue first, the
// over-limit filter) and a limit changed on the account's credit tab; an account manager reads
// their account's credit (exposure bar, ageing, DSO trend, invoices) but is offered no change; the
// tab and the list as cards on a 390 px phone without sideways scrolling; screenshots.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k

  await check('credit: finance reads the receivables and changes a limit (desktop)', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'credit-desktop' })
    try {
      await login(p, 'finance')
      const over = (await api(p, 'GET', '/api/v1/receivables?over_limit=1&limit=50')).json.items
      assert(over.length >= 2, `the demo has two accounts over their limit: ${over.length}`)
      await p.goto('/receivables')
      await p.locator('[data-test=receivables-view]').waitFor()
      await p.locator('[data-test=receivables-list] .el-table__row').first().waitFor()
      await ready(p)
      await k.shot(p, 'credit-receivables', { fullPage: false })
      await p.locator('[data-test=filter-over-limit]').click()
      await ready(p)
      const rows = p.locator('[data-test=receivables-list] .el-table__row')
      await rows.first().waitFor()
      assert((await rows.count()) === over.length, `the over-limit filter shows ${over.length} rows`)
      const text = await p.locator('[data-test=receivables-view]').innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), 'no raw identifiers on the screen')

      const acc = over[0]
      await p.goto(`/accounts/${acc.account_id}?tab=credit`)
      await p.locator('[data-test=credit-tab] [data-test=credit-exposure]').waitFor()
      await ready(p)
      await k.shot(p, 'credit-account-tab', { fullPage: true })
      await p.locator('[data-test=credit-edit]').click()
      await p.locator('[data-test=credit-form]').waitFor()
      await field(p, 'credit-amount').fill('8888888.00')
      await p.locator('[data-test=credit-save]').click()
      await p.locator('[data-test=credit-form]').waitFor({ state: 'hidden' })
      await ready(p)
      const c = (await api(p, 'GET', `/api/v1/accounts/${acc.account_id}/credit`)).json
      assert(c.limit.amount === 888888800, `the limit is stored: ${JSON.stringify(c.limit)}`)
      const shown = await p.locator('[data-test=credit-limit-amount]').innerText()
      assert(shown.replace(/[^\d.]/g, '').startsWith('8888888'), `the new limit is shown: ${shown}`)
    } finally {
      await context.close()
    }
  })

  await check('credit: an account manager reads the credit tab on a 390 px phone, no change offered', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    try {
      await login(p, 'am.east1')
      const mine = (await api(p, 'GET', '/api/v1/receivables?limit=50')).json.items
      assert(mine.length > 0, 'the account manager has accounts with receivables')
      const put = await api(p, 'PUT', `/api/v1/accounts/${mine[0].account_id}/credit-limit`, { amount: 1 })
      assert(put.status === 403, `an account manager may not change a limit: ${put.status}`)
      await p.goto(`/accounts/${mine[0].account_id}?tab=credit`)
      await p.locator('[data-test=credit-tab] [data-test=credit-exposure]').waitFor()
      await ready(p)
      assert((await p.locator('[data-test=credit-edit]').count()) === 0, 'no change offered to an account manager')
      await p.locator('[data-test=credit-invoices] [data-test=card]').first().waitFor()
      await k.shot(p, 'credit-account-tab-phone', { fullPage: true })
      const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling (${wide} px)`)
      await p.goto('/receivables')
      await p.locator('[data-test=receivables-list] [data-test=card]').first().waitFor()
      await ready(p)
      await k.shot(p, 'credit-receivables-phone', { fullPage: false })
      const wide2 = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide2 <= PHONE.width + 1, `the receivables cards fit (${wide2} px)`)
    } finally {
      await context.close()
    }
  })
}
