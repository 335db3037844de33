// Disputes and lessons learned in the browser (issue 17 items 4-6, "What it must show" part 2):
// legal reports a dispute on a demo account about one of the demo's open breaches (with its
// contract), moves it to mediation with a deadline and sees the ladder and the deadlines; records
// a lesson linked to the dispute and finds it by a Chinese word in the lessons search. The board
// and the dispute page on the desktop and a 390 px phone (no sideways scrolling); screenshots in
// zh-CN, zh-TW and en without raw identifiers.
const PHONE = { width: 390, height: 844 }
const RAW = /\b[a-z]+(_[a-z0-9]+)+\b/

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const tag = String(Date.now() % 100000)
  const title = `冷链交付违约争议 ${tag}`
  const lessonTitle = `冷链交付调解的教训 ${tag}`
  const DAY = 86400000
  const isoDay = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10) // China's day
  let disputeId = 0

  const noRaw = async (p, sel) => {
    const text = await p.locator(sel).innerText()
    const m = text.match(RAW)
    assert(!m, `no raw identifiers on the screen (${m && m[0]})`)
  }
  const noSideways = async (p, w) => {
    const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
    assert(wide <= w + 1, `no sideways scrolling (${wide} px at ${w})`)
  }

  await check('disputes: report a dispute about a demo breach, move it to mediation with a deadline', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'disputes-flow' })
    try {
      await login(p, 'legal')
      const breaches = (await api(p, 'GET', '/api/v1/breaches?status=open&limit=50')).json.items
      const b = breaches.find((x) => x.contract_id)
      assert(b, `an open breach with its contract in the demo (${breaches.length} open)`)
      await p.goto('/disputes')
      await p.locator('[data-test=disputes-board] [data-test=board-mediation]').waitFor()
      await ready(p)
      await k.shot(p, 'disputes-board')
      await noRaw(p, '[data-test=disputes-view]')
      const board = (await api(p, 'GET', '/api/v1/disputes/board')).json
      const med = board.stages.find((s) => s.stage === 'mediation')
      const shown = await p.locator('[data-test=board-mediation] [data-test=board-count]').innerText()
      assert(shown.trim() === String(med.count), `mediation count ${med.count} shown, got ${shown}`)

      // report the dispute
      await p.locator('[data-test=dispute-new]').click()
      const dlg = p.locator('[data-test=dispute-dialog]')
      await dlg.waitFor()
      await p.locator('[data-test=dispute-account]').click()
      await field(p, 'dispute-account').fill(b.account_name)
      await p.locator('.el-select-dropdown__item:visible', { hasText: b.account_name }).first().click()
      await ready(p)
      await p.locator('[data-test=dispute-contract]').click()
      await p.locator('.el-select-dropdown__item:visible', { hasText: b.contract_number }).first().click()
      await ready(p)
      await p.locator('[data-test=dispute-breach]').click()
      await p.locator('.el-select-dropdown__item:visible', { hasText: b.obligation_title }).first().click()
      await ready(p)
      await field(p, 'dispute-title').fill(title)
      await field(p, 'dispute-amount').fill('125000')
      await field(p, 'dispute-ours').fill('客户未达到承诺采购量，应按合同支付差额')
      await dlg.locator('[data-test=dispute-save]').click()
      await p.locator('[data-test=dispute-detail] [data-test=dispute-heading]').waitFor()
      await ready(p)
      disputeId = Number(new URL(p.url()).pathname.split('/').pop())
      let d = (await api(p, 'GET', `/api/v1/disputes/${disputeId}`)).json
      assert(d.title === title && d.account_id === b.account_id && d.contract_id === b.contract_id && d.breach_id === b.id, `stored: ${JSON.stringify(d).slice(0, 400)}`)
      assert(d.stage === 'negotiation' && d.amount_claimed === 12500000, `negotiation, 125000.00: ${d.stage} ${d.amount_claimed}`)
      const arose = new Date(d.arose_on + 'T00:00:00Z')
      assert(d.limitation_on.slice(0, 4) === String(arose.getUTCFullYear() + 3), `limitation three years on: ${d.limitation_on}`)
      assert((await p.locator('[data-test=step-negotiation]').getAttribute('data-current')) === '1', 'negotiation is the current step')
      assert((await p.locator('[data-test=dispute-limitation]').innerText()).includes('剩余'), 'the limitation date with its days left')

      // the ladder offers only the next step; the server refuses a skip (409) and nothing changes
      const skip = await api(p, 'POST', `/api/v1/disputes/${disputeId}/escalate`, { stage: 'arbitration' })
      assert(skip.status === 409, `skip refused: ${skip.status}`)
      await p.locator('[data-test=dispute-escalate]', { hasText: '调解' }).click()
      const esc = p.locator('[data-test=escalate-dialog]')
      await esc.waitFor()
      const deadline = isoDay(Date.now() + 20 * DAY)
      await field(p, 'escalate-deadline').click()
      await field(p, 'escalate-deadline').fill(deadline)
      await field(p, 'escalate-deadline').press('Enter')
      await field(p, 'escalate-forum').fill('上海市商事调解中心')
      await field(p, 'escalate-participants').fill('调解员 王律师')
      await esc.locator('.el-dialog__header').click()
      await esc.locator('[data-test=escalate-confirm]').click()
      await esc.waitFor({ state: 'hidden' })
      await p.locator('[data-test=step-mediation][data-current="1"]').waitFor()
      await ready(p)
      d = (await api(p, 'GET', `/api/v1/disputes/${disputeId}`)).json
      assert(d.stage === 'mediation' && d.deadline_on === deadline, `at mediation with the deadline: ${d.stage} ${d.deadline_on}`)
      const med2 = d.stages.find((s) => s.stage === 'mediation')
      assert(med2 && med2.forum === '上海市商事调解中心', 'the forum stored on the stage')
      assert((await p.locator('[data-test=dispute-stage]').innerText()).includes('调解'), 'the stage shown in words')
      const dl = await p.locator('[data-test=dispute-deadline]').innerText()
      assert(/剩余\s*\d+\s*天/.test(dl), `the stage deadline with its days left: ${dl}`)
      assert((await p.locator('[data-test=step-negotiation]').getAttribute('data-current')) === '0', 'negotiation no longer current')
      // closing at mediation offers settled and withdrawn only (won and lost need a decision)
      await p.locator('[data-test=dispute-close]').click()
      const cd = p.locator('[data-test=close-dialog]')
      await cd.waitFor()
      assert((await cd.locator('[data-test=outcome-won]').count()) === 0, 'won not offered at mediation')
      assert((await cd.locator('[data-test=outcome-settled]').count()) === 1, 'settled offered')
      await cd.locator('.el-dialog__headerbtn').click()
      await cd.waitFor({ state: 'hidden' })
      assert((await p.locator('[data-test=dispute-timeline] .el-timeline-item').count()) >= 3, 'the timeline: started, ended, started')
      await noRaw(p, '[data-test=dispute-detail]')
      await k.shot(p, 'dispute-mediation')
    } finally {
      await context.close()
    }
  })

  await check('disputes: a move the server refuses (409) is shown in words and changes nothing', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'disputes-409' })
    try {
      await login(p, 'legal')
      const b = (await api(p, 'GET', '/api/v1/breaches?status=open&limit=50')).json.items.find((x) => x.contract_id)
      const made = await api(p, 'POST', '/api/v1/disputes', { account_id: b.account_id, title: `并发升级 ${tag}`, currency: 'CNY', arose_on: isoDay(Date.now() - 10 * DAY) })
      assert(made.status === 201, `made: ${made.status}`)
      const id = made.json.id
      await p.goto(`/disputes/${id}`)
      await p.locator('[data-test=dispute-escalate]').click()
      const esc = p.locator('[data-test=escalate-dialog]')
      await esc.waitFor()
      // someone else moves it to mediation meanwhile: this page's "to mediation" is now refused
      const other = await api(p, 'POST', `/api/v1/disputes/${id}/escalate`, { stage: 'mediation' })
      assert(other.status === 200, `moved by the other: ${other.status}`)
      await esc.locator('[data-test=escalate-confirm]').click()
      const err = esc.locator('[data-test=escalate-error]')
      await err.waitFor()
      const text = await err.innerText()
      assert(text.includes('已处于调解阶段'), `the 409 in words: ${text}`)
      assert(!RAW.test(text) && !/mediation/.test(text), `no raw stage names: ${text}`)
      await k.shot(p, 'dispute-409', { fullPage: false })
      const d = (await api(p, 'GET', `/api/v1/disputes/${id}`)).json
      assert(d.stage === 'mediation' && d.stages.length === 2, `nothing more changed: ${d.stage} ${d.stages.length}`)
      await api(p, 'DELETE', `/api/v1/disputes/${id}`)
    } finally {
      await context.close()
    }
  })

  await check('disputes: edit the dispute: its positions and the amount claimed', async () => {
    assert(disputeId, 'the dispute of the first check')
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'dispute-edit' })
    try {
      await login(p, 'legal')
      await p.goto(`/disputes/${disputeId}`)
      await p.locator('[data-test=dispute-detail]').waitFor()
      await ready(p)
      await p.locator('[data-test=dispute-edit]').click()
      const dlg = p.locator('[data-test=dispute-edit-dialog]')
      await dlg.waitFor()
      await field(p, 'dispute-edit-amount').fill('12345.67')
      await field(p, 'dispute-edit-ours').fill('调解中我方坚持按协议主张违约金')
      await dlg.locator('[data-test=dispute-edit-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)
      const d = (await api(p, 'GET', `/api/v1/disputes/${disputeId}`)).json
      assert(d.amount_claimed === 1234567 && d.our_position === '调解中我方坚持按协议主张违约金', `stored: ${d.amount_claimed} ${d.our_position}`)
    } finally {
      await context.close()
    }
  })

  await check('disputes: lessons: record a lesson linked to the dispute, find it by a Chinese word', async () => {
    assert(disputeId, 'the dispute of the previous check')
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'lessons-flow' })
    try {
      await login(p, 'legal')
      await p.goto(`/disputes/${disputeId}`)
      await p.locator('[data-test=dispute-heading]').waitFor()
      await ready(p)
      await p.locator('[data-test=dispute-lesson]').click()
      const dlg = p.locator('[data-test=lesson-dialog]')
      await dlg.waitFor()
      assert((await dlg.locator('[data-test=lesson-link]').count()) === 1, 'the dispute linked in the form')
      await field(p, 'lesson-title').fill(lessonTitle)
      await field(p, 'lesson-what').fill('客户连续两个季度未达到框架协议的承诺采购量，协商未果后进入调解。')
      await field(p, 'lesson-cause').fill('签约时未约定季度复核机制，销售未及时预警。')
      await field(p, 'lesson-changes').fill('框架协议增加季度复核条款；采购量低于预测时提前沟通。')
      await dlg.locator('[data-test=lesson-tags]').click()
      await p.keyboard.type('采购量')
      await p.locator('.el-select-dropdown__item:visible', { hasText: '采购量' }).first().click()
      await dlg.locator('.el-dialog__header').click()
      await dlg.locator('[data-test=lesson-save]').click()
      await p.locator('[data-test=lesson-detail] [data-test=lesson-heading]').waitFor()
      await ready(p)
      const id = Number(new URL(p.url()).pathname.split('/').pop())
      const l = (await api(p, 'GET', `/api/v1/lessons/${id}`)).json
      assert(l.title === lessonTitle && l.links.some((x) => x.kind === 'dispute' && x.ref_id === disputeId), `linked: ${JSON.stringify(l.links)}`)
      assert(l.tags.includes('采购量'), `tagged: ${JSON.stringify(l.tags)}`)
      const link = p.locator('[data-test=lesson-link-shown]').first()
      assert((await link.getAttribute('href')) === `/disputes/${disputeId}`, 'the link leads to the dispute page')
      assert((await p.locator('[data-test=lesson-accountability]').count()) === 1, 'legal sees the accountability records')
      await noRaw(p, '[data-test=lesson-detail]')
      await k.shot(p, 'lesson-detail')

      // find it by a Chinese word of its text
      await p.goto('/lessons')
      await p.locator('[data-test=lessons-view]').waitFor()
      await ready(p)
      await field(p, 'lessons-q').fill('季度复核')
      await field(p, 'lessons-q').press('Enter')
      await p.locator('[data-test=lessons-table] [data-test=lesson-row]', { hasText: lessonTitle }).waitFor()
      await ready(p)
      await k.shot(p, 'lessons-search')
      await noRaw(p, '[data-test=lessons-view]')
      // an account manager outside legal sees no accountability section
      const amLessons = await api(p, 'GET', `/api/v1/lessons?q=${encodeURIComponent('季度复核')}`)
      assert(amLessons.json.items.some((x) => x.id === id), 'the API search finds it too')
    } finally {
      await context.close()
    }
  })

  await check('disputes: the board stacked and the dispute page on a 390 px phone', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    try {
      await login(p, 'legal')
      await p.goto('/disputes')
      await p.locator('[data-test=disputes-board].stacked [data-test=board-closed]').waitFor()
      await ready(p)
      const xs = await p.locator('[data-test=disputes-board] section').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().left)))
      assert(new Set(xs).size === 1, `the stages stacked in one column: ${xs}`)
      await noSideways(p, PHONE.width)
      await k.shot(p, 'disputes-board-phone')
      await p.locator('[data-test=disputes-mode-list]').click()
      await p.locator('[data-test=disputes-cards] [data-test=card]').first().waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await k.shot(p, 'disputes-list-phone')
      const id = disputeId || (await api(p, 'GET', '/api/v1/disputes?limit=1')).json.items[0].id
      await p.goto(`/disputes/${id}`)
      await p.locator('[data-test=dispute-ladder]').waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await k.shot(p, 'dispute-phone')
      await p.goto('/lessons')
      await p.locator('[data-test=lessons-cards] [data-test=card]').first().waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await k.shot(p, 'lessons-phone')
    } finally {
      await context.close()
    }
  })

  for (const locale of ['zh-TW', 'en']) {
    await check(`disputes: board, dispute and lessons in ${locale}`, async () => {
      const { context, page: p } = await k.newPage(browser, base, { locale, label: `disputes-${locale}` })
      try {
        await login(p, 'legal')
        await p.goto('/disputes')
        await p.locator('[data-test=disputes-board] [data-test=dispute-card]').first().waitFor()
        await ready(p)
        await noRaw(p, '[data-test=disputes-view]')
        await k.shot(p, `disputes-board-${locale}`)
        const id = disputeId || (await api(p, 'GET', '/api/v1/disputes?limit=1')).json.items[0].id
        await p.goto(`/disputes/${id}`)
        await p.locator('[data-test=dispute-ladder]').waitFor()
        await ready(p)
        await noRaw(p, '[data-test=dispute-detail]')
        await k.shot(p, `dispute-${locale}`)
        await p.goto('/lessons')
        await p.locator('[data-test=lessons-table] [data-test=lesson-row]').first().waitFor()
        await ready(p)
        await noRaw(p, '[data-test=lessons-view]')
        await k.shot(p, `lessons-${locale}`)
      } finally {
        await context.close()
      }
    })
  }
}
