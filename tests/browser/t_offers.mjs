// Offers and quotes (issue 15, "What it must show"): an account manager makes an opportunity, an
// offer from it on the editor screen with a bundle and a product discounted over their limit
// (15 %: over the team lead's 10 %, within the director's 20 %), saves and submits it; the
// director approves it; the AM prints the quote (the print view, and the quote page under print
// emulation in Chinese: screenshots), sends it, records the acceptance and converts it: the
// order lines exist with the offer's prices and the opportunity is won (its page says 赢单).
// Phone: the editor at 390x844 (lines as cards, no horizontal overflow) and the list at 360.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, shot } = k
  const tag = Date.now() % 1000000
  const W = {}

  const pick = async (p, kind, text) => {
    await p.locator(`[data-test=add-${kind}]`).click()
    await p.locator('[data-test=line-picker]').waitFor()
    await p.locator('[data-test=pick-select]').click()
    await p.locator('[data-test=pick-select] input').fill(text)
    await ready(p)
    await p.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
    await p.locator('[data-test=pick-add]').click()
    await ready(p)
  }
  const statusOf = async (p) => p.locator('[data-test=offer-editor]').getAttribute('data-status')
  const waitStatus = async (p, s) => {
    await p.locator(`[data-test=offer-editor][data-status=${s}]`).waitFor()
    await ready(p)
  }

  await check('offers: the catalogue for the flow (admin: products and a bundle)', async () => {
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'offers-admin' })
    try {
      await login(p, 'admin')
      const mk = async (sku, name, amount) => {
        const r = await api(p, 'POST', '/api/v1/products', { sku, name, family: `QF${tag}`, list_price: { amount, currency: 'CNY' } })
        assert(r.status === 201, `product ${sku}: ${r.status} ${JSON.stringify(r.json)}`)
        return r.json
      }
      W.p = await mk(`QP${tag}`, `报价主机${tag}`, 100000)
      const pc = await api(p, 'PATCH', `/api/v1/products/${W.p.id}`, { unit_cost: 60000, version: W.p.version })
      assert(pc.status === 200, `the product's cost: ${pc.status} ${JSON.stringify(pc.json)}`)
      const c1 = await mk(`QC${tag}`, `报价墨盒${tag}`, 5000)
      const c2 = await mk(`QD${tag}`, `报价纸盒${tag}`, 3000)
      const b = await api(p, 'POST', '/api/v1/bundles', {
        code: `QB${tag}`, name: `报价套装${tag}`, currency: 'CNY', price: 11000,
        items: [{ product_id: c1.id, quantity: 2 }, { product_id: c2.id, quantity: 1 }],
      })
      assert(b.status === 201, `bundle: ${b.status} ${JSON.stringify(b.json)}`)
      W.b = b.json
      const co = await api(p, 'PATCH', '/api/v1/settings/company', {
        name_zh_hans: '示例科技有限公司', name_zh_hant: '示例科技有限公司', name_en: 'Example Tech Ltd.',
        address_zh_hans: '上海市浦东新区张江路 1 号', phone: '021-12345678', tax_id: '91310000MA1234567X',
        bank: '招商银行上海分行 1234 5678 9012',
      })
      assert(co.status === 200, `company header: ${co.status}`)
    } finally {
      await c.close()
    }
  })

  await check('offers: an opportunity, an offer from it with a bundle and a discount over the limit, submitted', async () => {
    assert(W.b, 'the catalogue exists')
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'offers-am' })
    try {
      await login(p, 'am.east1')
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const acc = (await api(p, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0]
      assert(acc, 'am.east1 owns an account')
      W.acc = acc
      const o = await api(p, 'POST', `/api/v1/accounts/${acc.id}/opportunities`, {
        name: `年度扩容商机 ${tag}`, stage: 'proposal', amount: 2000000, currency: 'CNY', close_month: '2026-12',
      })
      assert(o.status === 201, `opportunity: ${o.status} ${JSON.stringify(o.json)}`)
      W.opp = o.json
      // from the opportunity's page: "new offer" opens the editor with the opportunity
      await p.goto(`/opportunities/${W.opp.id}`)
      await p.locator('[data-test=opp-new-offer]').click()
      await p.waitForURL(/\/offers\/new\?opportunity_id=/)
      await p.locator('[data-test=offer-editor]').waitFor()
      await ready(p)
      const title = await k.field(p, 'offer-title').inputValue()
      assert(title === W.opp.name, `the title comes from the opportunity: ${title}`)
      await pick(p, 'bundle', `QB${tag}`)
      await pick(p, 'product', `QP${tag}`)
      const lines = p.locator('[data-test=offer-line]')
      assert((await lines.count()) === 2, 'two lines')
      // the engine's live price of the product: its list price ¥1,000.00
      const eng = await lines.nth(1).locator('[data-test=line-engine]').innerText()
      assert(eng.includes('1,000.00'), `the engine price is shown: ${eng}`)
      const qty = lines.nth(1).locator('[data-test=line-qty] input')
      await qty.fill('3')
      await qty.press('Tab')
      await ready(p)
      const disc = lines.nth(1).locator('[data-test=line-discount] input')
      await disc.fill('15')
      await disc.press('Tab')
      await ready(p)
      const amt = await lines.nth(1).locator('[data-test=line-amount]').innerText()
      assert(amt.includes('2,550.00'), `3 x ¥850.00 = ¥2,550.00 on screen: ${amt}`)
      const bundleText = await lines.nth(0).innerText()
      assert(bundleText.includes(`QC${tag}`) && bundleText.includes('套装'), `the bundle shows its components: ${bundleText.slice(0, 200)}`)
      await p.locator('[data-test=add-customisation]').click()
      await p.locator('[data-test=offer-customisation] .req input').fill('外壳印客户 logo')
      await p.locator('[data-test=offer-save]').click()
      await p.waitForURL(/\/offers\/\d+$/)
      await waitStatus(p, 'draft')
      W.id = Number(new URL(p.url()).pathname.split('/').pop())
      const needs = await p.locator('[data-test=needs-approval]').innerText()
      assert(needs.includes('总监'), `the AM is told the director must approve: ${needs}`)
      const off = (await api(p, 'GET', `/api/v1/offers/${W.id}`)).json
      assert(off.opportunity_id === W.opp.id && off.max_discount_bp === 1500 && off.needs_approval === 'director',
        `stored: ${JSON.stringify({ o: off.opportunity_id, d: off.max_discount_bp, n: off.needs_approval })}`)
      const total = await p.locator('[data-test=offer-total]').innerText()
      assert(total.includes('2,660.00'), `total ¥110.00 + ¥2,550.00 on screen: ${total}`)
      W.total = off.total
      // the product's cost is known (¥600.00): its line shows its margin, (850 - 600) / 850
      const lm = await p.locator('[data-test=offer-line]').nth(1).locator('[data-test=line-margin]').innerText()
      assert(lm.includes('29.41%'), `the line's margin: ${lm}`)
      W.number = off.number
      const text = await p.locator('[data-test=offer-editor]').innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), `no raw identifiers on the editor: ${text.match(/\b[a-z]+(_[a-z0-9]+)+\b/)}`)
      // Chinese mode: no English words (codes and numbers aside)
      const english = text.match(/\b(draft|pending|approved|save|submit|total|discount|quantity|bundle|product|service|director|team_lead)\b/i)
      assert(!english, `no English words on the Chinese editor: ${english}`)
      // the draft needs approval: its quote prints stamped, not as a clean quote
      const dq = await p.request.get(`/api/v1/offers/${W.id}/quote.html`)
      assert((await dq.text()).includes('草稿 — 未经审批，非正式报价'), 'the unapproved draft\'s quote is stamped')
      await shot(p, 'offers-editor-draft-zh-CN')
      await p.locator('[data-test=offer-submit]').click()
      await waitStatus(p, 'pending')
      await p.locator('[data-test=approval-pending]').waitFor()
    } finally {
      await c.close()
    }
  })

  await check('offers: live prices: an older answer never overwrites a newer one; a failed look-up shows no price', async () => {
    assert(W.acc && W.p, 'the catalogue and the account exist')
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'offers-live' })
    try {
      await login(p, 'am.east1')
      // the quantity-1 answer is held until the quantity-100 one is shown; each answer is marked
      let release
      const gate = new Promise((r) => { release = r })
      let firstDone
      const first = new Promise((r) => { firstDone = r })
      await p.route((u) => u.pathname === '/api/v1/prices/quote', async (route) => {
        const q = Number(new URL(route.request().url()).searchParams.get('quantity'))
        if (q === 7) return route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"x"}}' })
        const res = await route.fetch()
        const j = await res.json()
        j.unit_price = q === 1 ? 111111 : 222222
        if (q === 1) await gate
        await route.fulfill({ response: res, json: j })
        if (q === 1) firstDone()
      })
      await p.goto(`/offers/new?account_id=${W.acc.id}`)
      await p.locator('[data-test=offer-editor]').waitFor()
      await ready(p)
      await p.locator('[data-test=add-product]').click()
      await p.locator('[data-test=pick-select]').click()
      await p.locator('[data-test=pick-select] input').fill(`QP${tag}`)
      await ready(p)
      await p.locator('.el-select-dropdown__item:visible', { hasText: `QP${tag}` }).first().click()
      await p.locator('[data-test=pick-add]').click() // asks the price of 1 (held)
      const line = p.locator('[data-test=offer-line]').first()
      const qty = line.locator('[data-test=line-qty] input')
      await qty.fill('100')
      await qty.press('Tab') // asks the price of 100 (answered)
      await line.locator('[data-test=line-engine]', { hasText: '2,222.22' }).waitFor()
      release()
      await first
      await ready(p)
      const eng = await line.locator('[data-test=line-engine]').innerText()
      assert(eng.includes('2,222.22') && !eng.includes('1,111.11'), `the newer answer stays: ${eng}`)
      // a failed look-up: no price under the new inputs (not the old one)
      await qty.fill('7')
      await qty.press('Tab')
      await ready(p)
      assert((await line.locator('[data-test=line-engine]').count()) === 0, 'no engine price after a failed look-up')
      assert((await line.innerText()).includes('无价格') || (await line.locator('.danger').count()) > 0, 'the line says it has no price')
    } finally {
      await c.close()
    }
  })

  await check('offers: finance (read-only) sees the draft without editing or actions', async () => {
    assert(W.id, 'the offer was submitted')
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'offers-finance' })
    try {
      await login(p, 'finance')
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const g = me.permissions && me.permissions.offer
      assert(g && g.read !== 'none' && g.update === 'none', `finance reads offers only: ${JSON.stringify(g)}`)
      await p.goto(`/offers/${W.id}`)
      await p.locator('[data-test=offer-editor]').waitFor()
      await ready(p)
      for (const a of ['offer-save', 'offer-submit', 'offer-delete', 'offer-send', 'offer-new-version', 'add-product', 'line-qty'])
        assert((await p.locator(`[data-test=${a}]`).count()) === 0, `finance is not offered ${a}`)
      assert((await p.locator('[data-test=offer-print]').count()) === 1, 'finance may print')
      await p.goto('/offers')
      await p.locator('[data-test=offers-view]').waitFor()
      await ready(p)
      assert((await p.locator('[data-test=offer-new]').count()) === 0, 'finance is not offered "new offer"')
    } finally {
      await c.close()
    }
  })

  await check('offers: the director approves the discount on the inbox screen', async () => {
    assert(W.id, 'the offer was submitted')
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'offers-director' })
    try {
      await login(p, 'director')
      const inbox = (await api(p, 'GET', '/api/v1/approvals?status=pending&mine=1&limit=500')).json.items
      const a = inbox.find((x) => x.offer && x.offer.id === W.id)
      assert(a && a.can_decide && a.needs === 'director', `the approval waits for the director: ${JSON.stringify(a)}`)
      // the inbox screen (views/approvals): open the request, approve with a comment
      await p.goto('/approvals')
      await p.locator('[data-test=approvals-view]').waitFor()
      await ready(p)
      const row = p.locator('tr', { has: p.locator(`[data-test=approval-row][data-key="${a.id}"]`) })
      await row.locator('[data-test=approval-open]').click()
      await p.locator('[data-test=approval-dialog]').waitFor()
      await ready(p)
      await k.field(p, 'ap-comment').fill('同意，战略客户')
      await p.locator('[data-test=ap-approve]').click()
      await p.locator('[data-test=ap-result]').waitFor()
      await ready(p)
      const after = (await api(p, 'GET', `/api/v1/approvals/${a.id}`)).json
      assert(after.status === 'approved', `approved: ${after.status}`)
      await p.goto(`/offers/${W.id}`)
      await waitStatus(p, 'approved')
      const steps = await p.locator('[data-test=approval-steps]').innerText()
      assert(steps.includes('同意，战略客户'), `the step shows on the editor: ${steps}`)
      // a director may confirm a customisation's feasibility for its department
      await k.chooseOption(p, 'cust-feasibility', '可行')
      await p.locator('[data-test=cust-confirm]').click()
      await p.locator('[data-test=cust-confirmed]').waitFor()
      await ready(p)
      const off = (await api(p, 'GET', `/api/v1/offers/${W.id}`)).json
      const cu = off.customisations[0]
      assert(cu && cu.feasibility === 'feasible' && cu.confirmed_by_name, `confirmed: ${JSON.stringify(cu)}`)
    } finally {
      await c.close()
    }
  })

  await check('offers: print the quote in Chinese (print view and print emulation)', async () => {
    assert(W.id, 'the offer exists')
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'offers-print' })
    try {
      await login(p, 'am.east1')
      await p.goto(`/offers/${W.id}`)
      await waitStatus(p, 'approved')
      await p.locator('[data-test=offer-print]').click()
      await p.locator('[data-test=offer-print-view]').waitFor()
      const frame = p.frameLocator('[data-test=quote-frame]')
      await frame.locator('table.lines').first().waitFor()
      await ready(p)
      await shot(p, 'offers-print-view-zh-CN')
      // the document itself, as the printer gets it
      const q = await c.newPage()
      await q.goto(`/api/v1/offers/${W.id}/quote.html`)
      await q.emulateMedia({ media: 'print' })
      const doc = await q.locator('body').innerText()
      assert(doc.includes('报价单') && doc.includes(W.number) && doc.includes('示例科技有限公司'), 'the quote: title, number, our header')
      assert(doc.includes(`QB${tag}`) && doc.includes(`QC${tag}`) && doc.includes('15%'), 'bundle, its components and the discount')
      assert(doc.includes('¥2,660.00'), `the total as the offer's: ${doc.slice(-400)}`)
      assert(!doc.includes('草稿'), 'the approved offer prints clean (no draft stamp)')
      const off = (await api(p, 'GET', `/api/v1/offers/${W.id}`)).json
      const zhDate = (ymd) => { const [y, m, d] = ymd.split('-').map(Number); return `${y}年${m}月${d}日` }
      assert(doc.includes(zhDate(off.price_date)) && doc.includes(zhDate(off.valid_until)),
        `the date and validity as Chinese dates (${zhDate(off.price_date)}, ${zhDate(off.valid_until)})`)
      assert(doc.includes('每套 2'), 'a component\'s quantity is per set')
      const overflow = await q.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      assert(overflow <= 0, `the printed page does not overflow: ${overflow}px`)
      await q.screenshot({ path: `${k.SHOTS}/offers-quote-print-zh-CN.png`, fullPage: true })
      // what the printer gets: an A4 PDF (the page's own @page size), one page for two lines
      const pdf = await q.pdf({ path: `${k.SHOTS}/offers-quote-zh-CN.pdf`, preferCSSPageSize: true, printBackground: true })
      const raw = pdf.toString('latin1')
      const pages = (raw.match(/\/Type\s*\/Page[^s]/g) || []).length
      const box = raw.match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/)
      assert(raw.startsWith('%PDF') && pages === 1, `a one-page PDF: ${pages} pages`)
      assert(box && Math.abs(Number(box[1]) - 595.92) < 2 && Math.abs(Number(box[2]) - 842.88) < 2, `A4 portrait: ${box && box.slice(1)}`)
      // a long quote breaks into A4 pages (rows are never split, the header repeats: print CSS)
      const lines = Array.from({ length: 45 }, (_, i) => ({ kind: 'product', product_id: W.p.id, quantity: i + 1, description: `第 ${i + 1} 批` }))
      const long = await api(p, 'POST', '/api/v1/offers', { account_id: W.acc.id, title: `长报价 ${tag}`, valid_until: '2099-12-31', lines })
      assert(long.status === 201, `a 45-line offer: ${long.status} ${JSON.stringify(long.json).slice(0, 300)}`)
      await q.goto(`/api/v1/offers/${long.json.id}/quote.html`)
      await q.emulateMedia({ media: 'print' })
      const pdf2 = (await q.pdf({ preferCSSPageSize: true })).toString('latin1')
      const pages2 = (pdf2.match(/\/Type\s*\/Page[^s]/g) || []).length
      assert(pages2 >= 2, `45 lines take more than one page: ${pages2}`)
      await q.close()
    } finally {
      await c.close()
    }
  })

  await check('offers: send, accept, convert: order lines at the offer\'s prices, the opportunity won', async () => {
    assert(W.id, 'the offer exists')
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'offers-close' })
    try {
      await login(p, 'am.east1')
      await p.goto(`/offers/${W.id}`)
      await waitStatus(p, 'approved')
      await p.locator('[data-test=offer-send]').click()
      await waitStatus(p, 'sent')
      await p.locator('[data-test=offer-accept]').click()
      await waitStatus(p, 'accepted')
      await p.locator('[data-test=offer-convert]').click()
      await waitStatus(p, 'converted')
      assert((await statusOf(p)) === 'converted', 'converted on screen')
      const off = (await api(p, 'GET', `/api/v1/offers/${W.id}`)).json
      assert(off.status === 'converted' && off.lines.every((l) => l.order_line_id), `every line made an order line: ${JSON.stringify(off.lines.map((l) => l.order_line_id))}`)
      const prod = off.lines.find((l) => l.kind === 'product')
      assert(prod.unit_price === 85000 && prod.amount === 255000, `the product line at the offered price: ${prod.unit_price}`)
      const ol = (await api(p, 'GET', `/api/v1/orders/${prod.order_line_id}`)).json
      assert(ol && ol.product_id === W.p.id && ol.quantity === 3 && ol.amount.amount === 255000 && ol.amount.currency === 'CNY',
        `the order line carries the offer's price: ${JSON.stringify(ol)}`)
      assert((ol.price_reason || '').includes(W.number), `the order line says which offer priced it: ${ol.price_reason}`)
      const opp = (await api(p, 'GET', `/api/v1/opportunities/${W.opp.id}`)).json
      assert(opp.stage === 'won', `the opportunity moved to won: ${opp.stage}`)
      await p.goto(`/opportunities/${W.opp.id}`)
      await p.locator('[data-test=opp-stage-name]').waitFor()
      await ready(p)
      const stage = await p.locator('[data-test=opp-stage-name]').innerText()
      assert(stage.includes('赢单'), `the opportunity page shows 赢单: ${stage}`)
      // the pipeline's kanban, closed ones included: the card sits in the won column
      await p.goto('/pipeline')
      await p.locator('[data-test=pipeline-view]').waitFor()
      await ready(p)
      await p.locator('[data-test=pl-closed]').click()
      await ready(p)
      const card = p.locator(`[data-test=kanban-col][data-stage=won] [data-test=kanban-card][data-key="${W.opp.id}"]`)
      await card.waitFor()
      assert((await p.locator(`[data-test=kanban-col][data-stage=proposal] [data-test=kanban-card][data-key="${W.opp.id}"]`).count()) === 0,
        'no longer in the proposal column')
      await shot(p, 'offers-pipeline-won-zh-CN')
    } finally {
      await c.close()
    }
  })

  await check('offers: the editor in zh-TW and English words everything', async () => {
    assert(W.id, 'the offer exists')
    for (const [locale, word] of [['zh-TW', '報價總額'], ['en', 'Total']]) {
      const { context: c, page: p } = await k.newPage(browser, base, { locale, label: `offers-${locale}` })
      try {
        await login(p, 'am.east1')
        await p.goto(`/offers/${W.id}`)
        await p.locator('[data-test=offer-editor]').waitFor()
        await ready(p)
        const text = await p.locator('[data-test=offer-editor]').innerText()
        assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), `no raw identifiers (${locale}): ${text.match(/\b[a-z]+(_[a-z0-9]+)+\b/)}`)
        assert(text.includes(word), `${locale} words (${word}): ${text.slice(0, 200)}`)
        if (locale === 'zh-TW') {
          const english = text.match(/\b(draft|pending|approved|converted|save|total|discount|quantity|bundle|product)\b/i)
          assert(!english, `no English words on the zh-TW editor: ${english}`)
        }
        await shot(p, `offers-editor-${locale}`)
      } finally {
        await c.close()
      }
    }
  })

  await check('offers: the company header on the settings screen (admin)', async () => {
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'offers-company' })
    try {
      await login(p, 'admin')
      await p.goto('/settings?tab=company')
      await p.locator('[data-test=company-settings]').waitFor()
      await ready(p)
      const v = `021-${tag}`
      await k.field(p, 'company-phone').fill(v)
      await p.locator('[data-test=company-save]').click()
      await ready(p)
      const co = (await api(p, 'GET', '/api/v1/settings/company')).json
      assert(co.phone === v && co.name_zh_hans === '示例科技有限公司', `saved: ${JSON.stringify(co)}`)
      await shot(p, 'offers-company-settings-zh-CN')
    } finally {
      await c.close()
    }
  })

  await check('offers: the editor and the list on phones (390 and 360 wide)', async () => {
    assert(W.id, 'the offer exists')
    for (const vp of [PHONE, { width: 360, height: 780 }]) {
      const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: vp, isMobile: true, hasTouch: true })
      context.setDefaultTimeout(k.TIMEOUT)
      const p = await context.newPage()
      p.on('pageerror', (e) => k.problems.push({ where: 'offers-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
      try {
        await login(p, 'am.east1')
        await p.goto(`/offers/${W.id}`)
        await p.locator('[data-test=offer-editor]').waitFor()
        await ready(p)
        await p.locator('[data-test=offer-lines].narrow').waitFor()
        const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
        assert(over <= 0, `no horizontal overflow on the editor at ${vp.width}: ${over}px`)
        await shot(p, `offers-editor-phone-${vp.width}`)
        await p.goto('/offers')
        await p.locator('[data-test=offers-cards]').waitFor()
        await ready(p)
        const over2 = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
        assert(over2 <= 0, `no horizontal overflow on the list at ${vp.width}: ${over2}px`)
        assert((await p.locator('[data-test=offers-cards] [data-test=card]').count()) > 0, 'the list shows cards')
        await shot(p, `offers-list-phone-${vp.width}`)
        await p.goto(`/offers/${W.id}/print`)
        await p.frameLocator('[data-test=quote-frame]').locator('table.lines').first().waitFor()
        await ready(p)
        const over3 = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
        assert(over3 <= 0, `no horizontal overflow on the print view at ${vp.width}: ${over3}px`)
        await shot(p, `offers-print-phone-${vp.width}`)
      } finally {
        await context.close()
      }
    }
  })
}
