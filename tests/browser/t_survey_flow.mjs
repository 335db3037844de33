// The surveys chapter end to end (issue 14, "What it must show"): a survey is built and sent;
// the customer answers it on a 390x844 phone in zh-TW with low scores and a complaint; the
// account manager sees the answer with its sentiment, the survey's results, and the follow-ups
// the answer created for the departments; the production department's follow-up is closed with
// the customer's confirmation. The screens of each step have their own checks (t_surveys,
// t_answers, t_results, t_followups); this one follows one answer through all of them.
const PHONE = { width: 390, height: 844 }
const T = (cn, tw, en) => ({ 'zh-CN': cn, 'zh-TW': tw, en })
const COMPLAINT = '交貨總是延遲，非常失望，產線差點停工。'

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const flow = { survey: null, questions: [], token: null, account: null, contact: null }

  await check('survey flow: build and send a survey; the customer answers on a phone in zh-TW', async () => {
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'flow-build' })
    try {
      await login(p, 'admin')
      const s = await api(p, 'POST', '/api/v1/surveys', {
        title: T('交付回访 ' + (Date.now() % 100000), '交付回訪', 'Delivery follow-up'),
        questions: [
          { kind: 'nps', text: T('您向同行推荐我们的可能性有多大？', '您向同業推薦我們的可能性有多大？', 'How likely are you to recommend us?'), required: true, overall: true },
          { kind: 'csat', text: T('总体满意度', '整體滿意度', 'Overall satisfaction'), required: true },
          { kind: 'rating', driver: 'delivery', text: T('交付及时', '交貨準時', 'On-time delivery') },
          { kind: 'text', text: T('还有什么要告诉我们的？', '還有什麼要告訴我們的？', 'Anything else?') },
        ],
      })
      assert(s.status === 201, `create: ${s.status} ${JSON.stringify(s.json).slice(0, 300)}`)
      const o = await api(p, 'POST', `/api/v1/surveys/${s.json.id}/status`, { to: 'open', version: s.json.version })
      assert(o.status === 200, `open: ${o.status}`)
      flow.survey = s.json.id
      flow.questions = (await api(p, 'GET', `/api/v1/surveys/${s.json.id}`)).json.questions
    } finally {
      await c.close()
    }
    // the account manager sends it to a contact of an account of theirs, as a link to copy
    const { context: c2, page: am } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'flow-send' })
    try {
      await login(am, 'am.east1')
      const me = (await api(am, 'GET', '/api/v1/me')).json
      for (const a of (await api(am, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=50`)).json.items) {
        const cs = (await api(am, 'GET', `/api/v1/accounts/${a.id}/contacts?limit=50`)).json.items
        if (cs.length) {
          flow.account = a.id
          flow.contact = cs[0]
          break
        }
      }
      assert(flow.contact, 'am.east1 has an account with a contact')
      const sent = await api(am, 'POST', `/api/v1/surveys/${flow.survey}/links`, { contact_ids: [flow.contact.id], channel: 'copy', lang: 'zh-TW' })
      assert(sent.status === 201 && sent.json.items.length === 1, `send: ${sent.status} ${JSON.stringify(sent.json).slice(0, 300)}`)
      flow.token = sent.json.items[0].token
      assert(sent.json.items[0].url.endsWith(`/s#${flow.token}`), 'the link to copy ends with the token in the fragment')
    } finally {
      await c2.close()
    }
    const context = await browser.newContext({ baseURL: base, locale: 'zh-TW', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const ph = await context.newPage()
    ph.on('pageerror', (e) => k.problems.push({ where: 'flow-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      const p = ph
      await p.goto(`/s#${flow.token}`)
      await p.locator('[data-test=public-survey][data-state=ready]').waitFor()
      await ready(p)
      assert((await p.locator('[data-test=ps-title]').innerText()) === '交付回訪', 'the title in zh-TW')
      const q = flow.questions
      await p.locator(`[data-test=q-${q[0].id}] [data-test=opt-2]`).tap()
      await p.locator(`[data-test=q-${q[1].id}] [data-test=opt-1]`).tap()
      await p.locator(`[data-test=q-${q[2].id}] [data-test=opt-1]`).tap()
      await p.locator(`[data-test=q-${q[3].id}] [data-test=text]`).fill(COMPLAINT)
      await p.locator('[data-test=ps-submit]').tap()
      await p.locator('[data-test=ps-thanks]').waitFor()
      const w = await p.evaluate(() => document.documentElement.scrollWidth)
      assert(w <= PHONE.width, `no sideways scrolling (${w} px)`)
    } finally {
      await context.close()
    }
  })

  await check('survey flow: the answer with its sentiment, the results and the follow-ups it created; the loop closed', async () => {
    assert(flow.token, 'the customer answered')
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'flow-am' })
    try {
      await login(p, 'am.east1')
      // the answer and its sentiment
      await p.goto(`/surveys/${flow.survey}/responses`)
      const card = p.locator('[data-test=responses] [data-test=response]', { hasText: COMPLAINT })
      await card.waitFor()
      await ready(p)
      const tone = await card.locator('[data-test=tone]').getAttribute('data-tone')
      assert(tone === 'negative', `the complaint is shown as negative (${tone})`)
      assert((await card.innerText()).includes(flow.contact.name), 'the answer names who gave it')
      // the results: one response, NPS -100, the drivers need more answers
      const res = (await api(p, 'GET', `/api/v1/surveys/${flow.survey}/results`)).json
      assert(res.responses === 1 && res.nps.score === -100, `results: ${JSON.stringify(res).slice(0, 300)}`)
      await p.goto(`/satisfaction/surveys/${flow.survey}`)
      await p.locator('[data-test=sat-nps]').waitFor()
      await ready(p)
      const nps = await p.locator('[data-test=sat-nps]').innerText()
      assert(/[-−]100/.test(nps), `the NPS tile shows -100: ${nps}`)
      // the follow-ups: the low NPS, CSAT and the complaint go to sales, the delivery rating to
      // production (its driver's department)
      const all = (await api(p, 'GET', `/api/v1/accounts/${flow.account}/follow-ups?limit=500`)).json.items
      const mine = all.filter((f) => flow.questions.some((q) => q.id === f.question_id))
      const byQ = Object.fromEntries(mine.map((f) => [f.question_id, f]))
      const q = flow.questions
      assert(byQ[q[0].id] && byQ[q[0].id].dept_role === 'sales', `the NPS follow-up goes to sales: ${JSON.stringify(mine).slice(0, 400)}`)
      assert(byQ[q[2].id] && byQ[q[2].id].dept_role === 'production', 'the delivery rating goes to production')
      assert(byQ[q[3].id] && byQ[q[3].id].source === 'comment', 'the complaint became a follow-up')
      const fu = byQ[q[2].id]
      // close the loop through the follow-up's screen
      await p.goto(`/follow-ups/${fu.id}`)
      const dlg = p.locator('[data-test=fu-dialog]')
      await dlg.waitFor()
      await ready(p)
      await dlg.locator('[data-test=fu-to-resolved]').click()
      await field(p, 'fu-action-input').fill('调整排产，交期改为每周确认')
      await dlg.locator('[data-test=fu-save]').click()
      await dlg.locator('[data-test=fu-dialog-status]', { hasText: '已解决' }).waitFor()
      await dlg.locator('[data-test=fu-to-confirmed]').click()
      await field(p, 'fu-confirmation-input').fill('客户确认最近三批准时到货')
      await dlg.locator('[data-test=fu-save]').click()
      await dlg.locator('[data-test=fu-dialog-status]', { hasText: '客户已确认' }).waitFor()
      const done = (await api(p, 'GET', `/api/v1/follow-ups/${fu.id}`)).json
      assert(done.status === 'confirmed' && done.confirmation.includes('准时') && done.action.includes('排产'), `closed: ${JSON.stringify(done).slice(0, 300)}`)
    } finally {
      await c.close()
    }
  })
}
