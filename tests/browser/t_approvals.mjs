// Discount approval screens (issue 15 item 2): the director's inbox holds the demo's request
// waiting for the director; a rejection without a comment is refused on the screen; the director
// approves it and sees the result (the offer is approved); the inbox on a 390x844 phone as cards;
// Settings › Discounts: an emptied field is refused, a new limit is saved (basis points shown).
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k

  await check('approvals: the director approves the pending discount (desktop)', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'approvals-desktop' })
    try {
      await login(p, 'director')
      const inbox = (await api(p, 'GET', '/api/v1/approvals?mine=1&status=pending')).json.items
      const a = inbox.find((x) => x.needs === 'director' && x.kind === 'offer')
      assert(a && a.can_decide, `the demo's request waits for the director: ${JSON.stringify(inbox).slice(0, 300)}`)
      await p.goto('/approvals')
      await p.locator('[data-test=approvals-view]').waitFor()
      await ready(p)
      const row = p.locator(`[data-test=approvals-table] [data-test=approval-row][data-key="${a.id}"]`)
      await row.waitFor()
      const text = await p.locator('[data-test=approvals-table]').innerText()
      assert(text.includes('销售总监') && text.includes(a.offer.number), `the row names the offer and who decides: ${text.slice(0, 300)}`)
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), 'no raw identifiers in the inbox')
      await k.shot(p, 'approvals-inbox')
      await row.click()
      const dlg = p.locator('[data-test=approval-dialog]')
      await dlg.waitFor()
      await dlg.locator('[data-test=ap-lines]').waitFor()
      await ready(p)
      await k.shot(p, 'approvals-dialog', { fullPage: false })
      await dlg.locator('[data-test=ap-reject]').click()
      await dlg.locator('[data-test=ap-error]', { hasText: '驳回时必须填写原因' }).waitFor()
      const still = (await api(p, 'GET', `/api/v1/approvals/${a.id}`)).json
      assert(still.status === 'pending', 'a rejection without a comment changed nothing')
      await field(p, 'ap-comment').fill('同意，战略客户')
      await dlg.locator('[data-test=ap-approve]').click()
      await dlg.locator('[data-test=ap-result]').waitFor()
      await ready(p)
      assert((await dlg.locator('[data-test=ap-status]').innerText()).includes('已批准'), 'the result is shown')
      assert((await dlg.locator('[data-test=ap-steps]').innerText()).includes('同意，战略客户'), 'the step with its comment')
      const after = (await api(p, 'GET', `/api/v1/approvals/${a.id}`)).json
      assert(after.status === 'approved' && after.steps.some((s) => s.decision === 'approved'), `approved: ${JSON.stringify(after).slice(0, 300)}`)
      const offer = (await api(p, 'GET', `/api/v1/offers/${a.object_id}`)).json
      assert(offer.status === 'approved', `the offer is approved: ${offer.status}`)
      await dlg.locator('.el-dialog__headerbtn').click()
      await dlg.waitFor({ state: 'hidden' })
      await p.locator('[data-test=approvals-tab-decided]').click()
      await ready(p)
      await p.locator(`[data-test=approvals-table] [data-test=approval-row][data-key="${a.id}"]`).waitFor()
    } finally {
      await context.close()
    }
  })

  for (const vp of [PHONE, { width: 360, height: 780 }]) await check(`approvals: the inbox and a decided request on a ${vp.width}x${vp.height} phone`, async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: vp, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    p.on('pageerror', (e) => k.problems.push({ where: 'approvals-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      await login(p, 'director')
      await p.goto('/approvals?tab=decided')
      await p.locator('[data-test=approvals-cards] [data-test=card]').first().waitFor()
      await ready(p)
      await k.shot(p, `approvals-decided-phone${vp.width === 360 ? '-360' : ''}`)
      let wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= vp.width + 1, `no sideways scrolling (${wide} px)`)
      await p.locator('[data-test=approvals-cards] [data-test=card]').first().click()
      const dlg = p.locator('[data-test=approval-dialog]')
      await dlg.locator('[data-test=ap-lines]').waitFor()
      await ready(p)
      await k.shot(p, `approvals-dialog-phone${vp.width === 360 ? '-360' : ''}`, { fullPage: false })
      wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= vp.width + 1, `the dialog fits the phone (${wide} px)`)
      const box = await dlg.boundingBox()
      assert(box && box.x >= 0 && box.x + box.width <= vp.width + 1, `the dialog inside the screen: ${JSON.stringify(box)}`)
      // a decided request: the lines are the offer's current ones, said so with the discount asked
      const note = await dlg.locator('[data-test=ap-lines-note]').innerText()
      assert(note.includes('当前') && note.includes('%'), `the lines are marked current: ${note}`)
      for (const b of await dlg.locator('.el-dialog__footer button').all()) {
        const h = (await b.boundingBox())?.height ?? 0
        assert(h >= 40, `footer buttons tappable (${h} px)`)
      }
    } finally {
      await context.close()
    }
  })

  await check('approvals: the requester withdraws their own request from "my requests"', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'approvals-withdraw' })
    try {
      await login(p, 'am.east1')
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const acc = (await api(p, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0]
      const prod = (await api(p, 'GET', '/api/v1/products?q=BRG-100&limit=1')).json.items[0]
      let r = await api(p, 'POST', '/api/v1/offers', {
        account_id: acc.id, title: '撤回测试', valid_until: '2099-12-31',
        lines: [{ kind: 'product', product_id: prod.id, quantity: 10, discount_bp: 1200 }],
      })
      assert(r.status === 201, `offer: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`)
      const offer = r.json
      r = await api(p, 'POST', `/api/v1/offers/${offer.id}/submit`, { comment: '请批准' })
      assert(r.status === 200 && r.json.status === 'pending' && r.json.approval, `submitted: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`)
      const aid = r.json.approval.id
      await p.goto('/approvals?tab=mine')
      const row = p.locator(`[data-test=approvals-table] [data-test=approval-row][data-key="${aid}"]`)
      await row.waitFor()
      await ready(p)
      await row.click()
      const dlg = p.locator('[data-test=approval-dialog]')
      await dlg.locator('[data-test=ap-lines]').waitFor()
      assert((await dlg.locator('[data-test=ap-approve]').count()) === 0, 'the requester is not offered to approve their own request')
      await dlg.locator('[data-test=ap-withdraw]').click()
      await dlg.locator('[data-test=ap-result]').waitFor()
      await ready(p)
      const a = (await api(p, 'GET', `/api/v1/approvals/${aid}`)).json
      const o = (await api(p, 'GET', `/api/v1/offers/${offer.id}`)).json
      assert(a.status === 'withdrawn' && o.status === 'draft', `withdrawn: ${a.status}, offer ${o.status}`)
    } finally {
      await context.close()
    }
  })

  await check('approvals: Settings › Discounts refuses an emptied field and saves a limit', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'discount-settings' })
    try {
      await login(p, 'admin')
      const before = (await api(p, 'GET', '/api/v1/settings/discounts')).json.limits
      await p.goto('/settings?tab=discounts')
      const box = p.locator('[data-test=discount-settings]')
      await box.locator('[data-test=discount-team_lead-bp]').waitFor()
      await ready(p)
      await field(p, 'discount-team_lead').fill('')
      await box.locator('[data-test=discount-team_lead-error]', { hasText: '请填写百分比' }).waitFor()
      assert(await box.locator('[data-test=discounts-save]').isDisabled(), 'save is offered only for valid limits')
      await field(p, 'discount-team_lead').fill('12.5')
      await box.locator('[data-test=discount-team_lead-bp]', { hasText: '1250' }).waitFor()
      await field(p, 'discount-director').fill('10')
      await box.locator('[data-test=discounts-order]').waitFor()
      await field(p, 'discount-director').fill('20')
      await k.shot(p, 'settings-discounts', { fullPage: false })
      await box.locator('[data-test=discounts-save]').click()
      await ready(p)
      const after = (await api(p, 'GET', '/api/v1/settings/discounts')).json.limits
      assert(after.find((l) => l.role === 'team_lead').max_bp === 1250, `saved: ${JSON.stringify(after)}`)
      const r = await api(p, 'PUT', '/api/v1/settings/discounts', { limits: before })
      assert(r.status === 200, 'restored')
    } finally {
      await context.close()
    }
  })
}
