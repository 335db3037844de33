// Opportunities and the pipeline (issue 15): an account manager creates an opportunity on an
// account's Opportunities tab (desktop, zh-CN), moves it along the kanban with the card's stage
// select (the pipeline totals change by what the API says), closes it as won (the reason box),
// then the pipeline, the kanban and the opportunity page at 390x844 and 360 wide: cards, no
// sideways scrolling, no raw identifiers; screenshots.
const PHONE = { width: 390, height: 844 }
const SMALL = { width: 360, height: 780 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const name = `华东仓扩容 ${Date.now() % 100000}`
  let oppId = null
  let accountId = null

  const total = async (p) => (await api(p, 'GET', '/api/v1/pipeline?group=stage')).json.total

  await check('pipeline: create an opportunity on the account page and move it along the kanban', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'pipeline-desktop' })
    try {
      await login(p, 'am.east1')
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const acc = (await api(p, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0]
      assert(acc, 'am.east1 owns an account')
      accountId = acc.id
      const before = await total(p)
      await p.goto(`/accounts/${acc.id}?tab=opportunities`)
      await p.locator('[data-test=account-opportunities]').waitFor()
      await ready(p)
      await p.locator('[data-test=new-opportunity]').click()
      const dlg = p.locator('[data-test=opp-dialog]')
      await dlg.waitFor()
      await field(p, 'o-name').fill(name)
      await field(p, 'o-amount').fill('200000')
      await k.chooseOption(p, 'o-stage', '需求确认')
      await p.locator('[data-test=o-save]').click()
      await p.waitForURL(/\/opportunities\/\d+/)
      await ready(p)
      oppId = Number(new URL(p.url()).pathname.split('/').pop())
      const o = (await api(p, 'GET', `/api/v1/opportunities/${oppId}`)).json
      assert(o.name === name && o.amount === 20000000 && o.stage === 'qualified' && o.owner_id === me.id, `stored: ${JSON.stringify(o)}`)
      assert((await p.locator('[data-test=opp-stage-name]').innerText()).includes('需求确认'), 'the stage in words')
      const after = await total(p)
      assert(after.count === before.count + 1 && after.weighted === before.weighted + 5000000,
        `pipeline +1 and +50,000.00 weighted: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`)

      // the kanban: the card is in its stage's column; move it with the card's select
      await p.goto('/pipeline')
      await p.locator('[data-test=kanban]').waitFor()
      await ready(p)
      const card = p.locator(`[data-test=kanban-card][data-key="${oppId}"]`)
      await card.waitFor()
      assert((await card.evaluate((el) => el.closest('[data-stage]').dataset.stage)) === 'qualified', 'in the qualified column')
      const shownBefore = await p.locator('[data-test=total-weighted]').innerText()
      await card.locator('[data-test=kcard-stage]').click()
      await p.locator('.el-select-dropdown__item:visible', { hasText: '谈判' }).first().click()
      await ready(p)
      await p.locator(`[data-stage=negotiation] [data-test=kanban-card][data-key="${oppId}"]`).waitFor()
      const moved = (await api(p, 'GET', `/api/v1/opportunities/${oppId}`)).json
      assert(moved.stage === 'negotiation' && moved.effective_probability_bp === 7500, `moved: ${moved.stage}`)
      const t2 = await total(p)
      assert(t2.weighted === after.weighted + 10000000, `weighted +100,000.00 (25% -> 75%): ${after.weighted} -> ${t2.weighted}`)
      const shownAfter = await p.locator('[data-test=total-weighted]').innerText()
      assert(shownAfter !== shownBefore, `the totals on screen changed: ${shownBefore} -> ${shownAfter}`)
      await k.shot(p, 'pipeline-kanban-desktop')

      // won asks the reason
      await card.locator('[data-test=kcard-stage]').click()
      await p.locator('.el-select-dropdown__item:visible', { hasText: '赢单' }).first().click()
      const box = p.locator('.opp-reason-box')
      await box.waitFor()
      await box.locator('input').fill('价格与交期最优')
      await box.locator('.el-button--primary').click()
      await ready(p)
      const won = (await api(p, 'GET', `/api/v1/opportunities/${oppId}`)).json
      assert(won.stage === 'won' && won.outcome_reason === '价格与交期最优' && won.closed_at, `won: ${JSON.stringify(won)}`)
      const t3 = await total(p)
      assert(t3.count === before.count, `a won opportunity leaves the open pipeline: ${JSON.stringify(t3)}`)

      // the table view with its totals row
      await p.locator('[data-test=mode-table]').click()
      await p.locator('[data-test=pipeline-table]').waitFor()
      await ready(p)
      const foot = await p.locator('[data-test=pipeline-table] .el-table__footer').innerText()
      const shownTotal = await p.locator('[data-test=total-weighted]').innerText()
      assert(foot.includes('合计') && foot.includes(shownTotal), `the totals row: ${foot}`)
      const text = await p.locator('[data-test=pipeline-view]').innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), `no raw identifiers: ${text.slice(0, 200)}`)
      await k.shot(p, 'pipeline-table-desktop')
    } finally {
      await ctxt.close()
    }
  })

  await check('pipeline: deactivated stages, totals with won, a readable history, "new offer" only where it may be', async () => {
    assert(accountId && oppId, 'the first check made an opportunity')
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'pipeline-review' })
    let stagesBefore = null
    let extra = []
    try {
      await login(p, 'admin')
      stagesBefore = (await api(p, 'GET', '/api/v1/opportunity-stages')).json.items.map(
        ({ code, name_zh_hans, name_zh_hant, name_en, position, probability_bp, outcome, active }) =>
          ({ code, name_zh_hans, name_zh_hant, name_en, position, probability_bp, outcome, active }))
      const trial = { code: 'trial', name_zh_hans: '试用', name_zh_hant: '試用', name_en: 'Trial', position: 4, probability_bp: 4000, outcome: 'open', active: true }
      let r = await api(p, 'PUT', '/api/v1/opportunity-stages', { stages: [...stagesBefore, trial] })
      assert(r.status === 200, `add the trial stage: ${r.status}`)
      const sku = (await api(p, 'GET', '/api/v1/products?limit=1&active=1')).json.items[0]
      const need = await api(p, 'POST', `/api/v1/accounts/${accountId}/needs`, { description: '现场技术支持 review' })
      assert(need.status === 201, `a need: ${need.status}`)
      const mk = async (body) => {
        const x = await api(p, 'POST', `/api/v1/accounts/${accountId}/opportunities`,
          { amount: 100000, currency: 'CNY', close_month: '2026-11', owner_id: (await api(p, 'GET', `/api/v1/opportunities/${oppId}`)).json.owner_id, ...body })
        assert(x.status === 201, `create: ${x.status} ${JSON.stringify(x.json)}`)
        extra.push(x.json.id)
        return x.json
      }
      const atTrial = await mk({ name: '试用阶段商机', stage: 'trial' })
      await mk({ name: '丢单商机', stage: 'lost', outcome_reason: '价格' })
      const hist = await mk({ name: '历史商机', stage: 'initial' })
      r = await api(p, 'PATCH', `/api/v1/opportunities/${hist.id}`, { amount: 250000, products: [{ product_id: sku.id, quantity: 3 }], need_ids: [need.json.id] })
      assert(r.status === 200, `patch: ${r.status}`)
      r = await api(p, 'PUT', '/api/v1/opportunity-stages', { stages: [...stagesBefore, { ...trial, active: false }] })
      assert(r.status === 200, `deactivate the trial stage: ${r.status}`)
      await p.context().clearCookies()

      await login(p, 'am.east1')
      // a deactivated stage keeps its column while it holds cards, its name in the card's select
      await p.goto('/pipeline')
      await p.locator('[data-test=kanban]').waitFor()
      await ready(p)
      const col = p.locator('[data-stage=trial]')
      await col.locator(`[data-test=kanban-card][data-key="${atTrial.id}"]`).waitFor()
      assert((await col.locator('.col-title').innerText()).includes('试用'), 'the column by its name')
      const sel = await col.locator(`[data-test=kanban-card][data-key="${atTrial.id}"] [data-test=kcard-stage]`).innerText()
      assert(sel.includes('试用') && !sel.includes('trial'), `the card's select names the stage: ${sel}`)
      // the table with won included: the lost one is not a row, and the totals row counts the rows
      await p.locator('[data-test=mode-table]').click()
      await p.locator('[data-test=pipeline-table]').waitFor()
      await p.locator('[data-test=pl-closed]').click()
      await ready(p)
      const want = (await api(p, 'GET', '/api/v1/pipeline?group=stage&include_closed=1')).json.total
      const shown = await p.locator('[data-test=pipeline-table] .el-table__body tr.el-table__row').count()
      assert(shown === want.count, `rows shown ${shown} = the totals' count ${want.count}`)
      const tableText = await p.locator('[data-test=pipeline-table]').innerText()
      assert(!tableText.includes('丢单商机'), 'no lost opportunity among the rows')
      // the opportunity page: the stage select names the inactive stage; history in words
      await p.goto(`/opportunities/${atTrial.id}`)
      await p.locator('[data-test=opp-facts]').waitFor()
      await ready(p)
      const ss = await p.locator('[data-test=opp-stage]').innerText()
      assert(ss.includes('试用') && !ss.includes('trial'), `the page's stage select: ${ss}`)
      assert(await p.locator('[data-test=opp-new-offer]').count() === 1, 'an account manager may make an offer on an open one')
      await p.goto(`/opportunities/${hist.id}`)
      await p.locator('[data-test=opp-history]').waitFor()
      await ready(p)
      const h = await p.locator('[data-test=opp-history]').innerText()
      assert(h.includes(`${sku.sku} ×3`) && h.includes('现场技术支持 review') && h.includes('CNY') && !h.includes('x3000'),
        `the history in words: ${h.slice(0, 400)}`)
      assert(!new RegExp(`产品[：:\\s]*${sku.id}\\b`).test(h), `no bare product id ${sku.id}: ${h}`)
      await k.shot(p, 'opportunity-history')
      // closed: no "new offer"
      await p.goto(`/opportunities/${oppId}`)
      await p.locator('[data-test=opp-facts]').waitFor()
      await ready(p)
      assert(await p.locator('[data-test=opp-new-offer]').count() === 0, 'no "new offer" on a won opportunity')
      await p.context().clearCookies()
      // finance reads opportunities but makes no offers
      await login(p, 'finance')
      await p.goto(`/opportunities/${hist.id}`)
      await p.locator('[data-test=opp-facts]').waitFor()
      await ready(p)
      assert(await p.locator('[data-test=opp-new-offer]').count() === 0, 'no "new offer" for finance')
    } finally {
      await p.context().clearCookies()
      await login(p, 'admin').catch(() => {})
      for (const id of extra) await api(p, 'DELETE', `/api/v1/opportunities/${id}`).catch(() => {})
      if (stagesBefore) await api(p, 'PUT', '/api/v1/opportunity-stages', { stages: stagesBefore }).catch(() => {})
      await ctxt.close()
    }
  })

  await check('pipeline: the volume dashboard draws the weighted pipeline beside the forecast', async () => {
    for (const locale of ['zh-CN', 'en']) {
      const { context: ctxt, page: p } = await k.newPage(browser, base, { locale, label: `pipeline-volume-${locale}` })
      try {
        await login(p, 'director')
        const months = (await api(p, 'GET', '/api/v1/pipeline/forecast')).json.months
        assert(months.length === 12 && months.some((m) => m.weighted > 0), `the demo has a weighted pipeline: ${JSON.stringify(months).slice(0, 200)}`)
        await p.goto('/volume')
        const box = p.locator('[data-test=vol-chart-box]')
        await box.waitFor()
        await ready(p)
        const series = (await box.getAttribute('data-series')).split(',')
        assert(series.includes('pipeline') && series.includes('forecast'), `pipeline bars beside the forecast: ${series}`)
        await k.shot(p, `volume-pipeline-${locale}`)
      } finally {
        await ctxt.close()
      }
    }
  })

  await check('pipeline: the stage settings add a stage, offer it on the kanban, and remove it', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-TW', label: 'pipeline-stages' })
    try {
      await login(p, 'admin')
      await p.goto('/pipeline')
      await p.locator('[data-test=stages-link]').click()
      await p.locator('[data-test=stages-view]').waitFor()
      await ready(p)
      const n0 = await p.locator('[data-test=stage-row]').count()
      await p.locator('[data-test=stage-add]').click()
      const row = p.locator('[data-test=stage-row]').nth(n0)
      await row.locator('input[data-test=s-code], [data-test=s-code] input').fill('pilot')
      await row.locator('[data-test=s-position] input').fill('4')
      await row.locator('[data-test=s-zh-hans] input, input[data-test=s-zh-hans]').fill('试点')
      await row.locator('[data-test=s-zh-hant] input, input[data-test=s-zh-hant]').fill('試點')
      await row.locator('[data-test=s-en] input, input[data-test=s-en]').fill('Pilot')
      await p.locator('[data-test=stages-save]').click()
      await ready(p)
      let st = (await api(p, 'GET', '/api/v1/opportunity-stages')).json.items
      const pilot = st.find((x) => x.code === 'pilot')
      assert(pilot && pilot.name_zh_hant === '試點' && pilot.probability_bp === 5000 && pilot.active, `saved: ${JSON.stringify(pilot)}`)
      await p.goto('/pipeline')
      await p.locator('[data-stage=pilot]').waitFor()
      assert((await p.locator('[data-stage=pilot]').innerText()).includes('試點'), 'the new column in Traditional Chinese')
      await p.goto('/pipeline/stages')
      await p.locator('[data-test=stages-view]').waitFor()
      await ready(p)
      await p.locator('[data-test=stage-row][data-code=pilot] [data-test=s-remove]').click()
      await p.locator('[data-test=stages-save]').click()
      await ready(p)
      st = (await api(p, 'GET', '/api/v1/opportunity-stages')).json.items
      assert(!st.some((x) => x.code === 'pilot') && st.length === n0, 'removed again')
    } finally {
      await ctxt.close()
    }
  })

  for (const vp of [PHONE, SMALL]) {
    await check(`pipeline: kanban, table and opportunity page at ${vp.width} px`, async () => {
      const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: vp, isMobile: true, hasTouch: true })
      context.setDefaultTimeout(k.TIMEOUT)
      const p = await context.newPage()
      p.on('pageerror', (e) => k.problems.push({ where: `pipeline-${vp.width}`, what: `pageerror: ${e.message.slice(0, 300)}` }))
      try {
        await login(p, 'am.east1')
        const wide = async (what) => {
          const w = await p.evaluate(() => document.scrollingElement.scrollWidth)
          assert(w <= vp.width + 1, `${what}: no sideways scrolling (${w} px)`)
        }
        await p.goto('/pipeline')
        await p.locator('[data-test=kanban]').waitFor()
        await ready(p)
        await wide('kanban')
        await k.shot(p, `pipeline-kanban-${vp.width}`)
        // move a card with its select on the phone
        const card = p.locator('[data-test=kanban-card]').first()
        if (await card.count()) {
          const id = Number(await card.getAttribute('data-key'))
          const o = (await api(p, 'GET', `/api/v1/opportunities/${id}`)).json
          const to = o.stage === 'proposal' ? '谈判' : '方案报价'
          const code = o.stage === 'proposal' ? 'negotiation' : 'proposal'
          const [h, coarse] = await card.locator('[data-test=kcard-stage]').evaluate((el) => [
            (el.querySelector('.el-select__wrapper') ?? el).getBoundingClientRect().height,
            matchMedia('(pointer: coarse)').matches,
          ])
          assert(h >= (coarse ? 40 : 32), `the stage select is a touch target (${h} px, coarse pointer ${coarse})`)
          await card.locator('[data-test=kcard-stage]').click()
          await p.locator('.el-select-dropdown__item:visible', { hasText: to }).first().click()
          await ready(p)
          const moved = (await api(p, 'GET', `/api/v1/opportunities/${id}`)).json
          assert(moved.stage === code, `moved on the phone: ${moved.stage}`)
        }
        await p.locator('[data-test=mode-table]').click()
        await p.locator('[data-test=pipeline-cards]').waitFor()
        await ready(p)
        await wide('table as cards')
        await k.shot(p, `pipeline-table-${vp.width}`)
        if (oppId) {
          await p.goto(`/opportunities/${oppId}`)
          await p.locator('[data-test=opp-facts]').waitFor()
          await ready(p)
          await wide('opportunity page')
          await k.shot(p, `opportunity-${vp.width}`)
        }
        if (accountId) {
          await p.goto(`/accounts/${accountId}?tab=opportunities`)
          await p.locator('[data-test=account-opportunities]').waitFor()
          await ready(p)
          await wide('account tab')
          await p.locator('[data-test=new-opportunity]').click()
          await p.locator('[data-test=opp-dialog]').waitFor()
          await ready(p)
          await wide('the new opportunity form')
          const labelTop = await p.locator('[data-test=opp-dialog] .el-form--label-top').count()
          assert(labelTop > 0, 'one-column form with labels on top')
          await k.shot(p, `opportunity-new-${vp.width}`, { fullPage: false })
        }
      } finally {
        await context.close()
      }
    })
  }
}
