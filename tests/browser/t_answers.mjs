// Survey answers (issue 14): a customer opens a survey link on a 390x844 phone in zh-TW and
// answers every kind of question (NPS buttons, CSAT and rating words, choices, a comment); the
// answer is stored as given and the link is then used; unknown links and the language switch;
// the page fits 360 px. Printed: the answer page's first-load transfer on a cold cache.
//
// The survey is built and sent through the API (POST /api/v1/surveys, /status, /links with
// channel copy: the only moment the token is seen).
const PHONE = { width: 390, height: 844 }
const kib = (n) => (n / 1024).toFixed(1)

const T = (cn, tw, en) => ({ 'zh-CN': cn, 'zh-TW': tw, en })

export default async (k) => {
  const { check, assert, login, api, ready, browser, base } = k
  let surveyId = null
  let questions = []
  const tokens = []

  /** An open survey of every kind and `n` copy links (zh-TW) to contacts of one account. */
  const makeSurvey = async (p, n) => {
    const body = {
      title: T('客户满意度调查', '客戶滿意度調查', 'Customer satisfaction survey'),
      intro: T('大约两分钟。', '大約兩分鐘。', 'About two minutes.'),
      questions: [
        { kind: 'nps', text: T('您向同行推荐我们的可能性有多大？', '您向同業推薦我們的可能性有多大？', 'How likely are you to recommend us?'), required: true, overall: true },
        { kind: 'csat', text: T('总体满意度', '整體滿意度', 'Overall satisfaction'), required: true },
        { kind: 'rating', driver: 'delivery', text: T('交付及时', '交貨準時', 'On-time delivery') },
        { kind: 'single', text: T('合作多久了？', '合作多久了？', 'How long have we worked together?'), options: [{ label: T('一年内', '一年內', '< 1 year') }, { label: T('一到三年', '一到三年', '1-3 years') }, { label: T('三年以上', '三年以上', '> 3 years') }] },
        { kind: 'multi', text: T('您用过哪些服务？', '您用過哪些服務？', 'Which services have you used?'), options: [{ label: T('安装', '安裝', 'Installation') }, { label: T('培训', '培訓', 'Training') }, { label: T('维修', '維修', 'Repair') }] },
        { kind: 'text', text: T('还有什么建议？', '還有什麼建議？', 'Anything else?') },
      ],
    }
    const r = await api(p, 'POST', '/api/v1/surveys', body)
    assert(r.status === 201, `create the survey: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`)
    const s = r.json
    const o = await api(p, 'POST', `/api/v1/surveys/${s.id}/status`, { to: 'open', version: s.version })
    assert(o.status === 200, `open the survey: ${o.status} ${JSON.stringify(o.json).slice(0, 300)}`)
    const accs = (await api(p, 'GET', '/api/v1/accounts?limit=20')).json.items
    const contacts = []
    for (const a of accs) {
      for (const c of (await api(p, 'GET', `/api/v1/accounts/${a.id}/contacts?limit=50`)).json.items) contacts.push(c.id)
      if (contacts.length >= n + 5) break
    }
    const sent = await api(p, 'POST', `/api/v1/surveys/${s.id}/links`, { contact_ids: contacts.slice(0, n + 5), channel: 'copy', lang: 'zh-TW' })
    assert(sent.status === 201 && sent.json.items.length >= n, `send copy links: ${sent.status} ${JSON.stringify(sent.json).slice(0, 300)}`)
    const full = (await api(p, 'GET', `/api/v1/surveys/${s.id}`)).json
    return { id: s.id, questions: full.questions, tokens: sent.json.items.map((x) => x.token) }
  }

  const phone = async (label, viewport = PHONE, locale = 'zh-TW') => {
    const context = await browser.newContext({ baseURL: base, locale, viewport, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    p.on('pageerror', (e) => k.problems.push({ where: label, what: `pageerror: ${e.message.slice(0, 300)}` }))
    return { context, p }
  }

  const noOverflow = async (p, width) => {
    const w = await p.evaluate(() => document.documentElement.scrollWidth)
    assert(w <= width, `no horizontal overflow at ${width} px (scrollWidth ${w})`)
  }

  await check('answers: build and send a survey (admin, API)', async () => {
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'answers-setup' })
    try {
      await login(p, 'admin')
      const s = await makeSurvey(p, 4)
      surveyId = s.id
      questions = s.questions
      tokens.push(...s.tokens)
      assert(tokens.every((t) => /^[A-Za-z0-9_-]{22}$/.test(t)), 'tokens are 22 characters of base64url')
    } finally {
      await c.close()
    }
  })

  await check('answers: a customer answers on a 390x844 phone in zh-TW; the link is then used', async () => {
    assert(surveyId && tokens.length, 'the survey was sent')
    const { context, p } = await phone('answers-phone')
    try {
      await p.goto(`/s#${tokens[0]}`)
      await p.locator('[data-test=public-survey][data-state=ready]').waitFor()
      await ready(p)
      assert((await p.locator('[data-test=ps-title]').innerText()) === '客戶滿意度調查', 'the title in zh-TW')
      const text = await p.locator('[data-test=public-survey]').innerText()
      assert(text.includes('您向同業推薦我們的可能性有多大？') && text.includes('非常滿意') && text.includes('可複選'), 'questions and words in zh-TW')
      assert(!/\b(nps|csat|rating|multi|single)\b/.test(text), 'no raw kinds on the page')
      await noOverflow(p, PHONE.width)
      // touch targets
      const small = await p.evaluate(() =>
        [...document.querySelectorAll('[data-test=public-survey] button')].filter((b) => b.getBoundingClientRect().height < 40).length,
      )
      assert(small === 0, `${small} buttons lower than 40 px`)
      await k.shot(p, 'survey-answer-phone-zh-TW')
      // a required question left out: said so, nothing sent
      const q = questions
      await p.locator(`[data-test=q-${q[0].id}] [data-test=opt-9]`).tap()
      await p.locator('[data-test=ps-submit]').tap()
      await p.locator(`[data-test=q-${q[1].id}] [data-test=q-error]`).waitFor()
      await p.locator(`[data-test=q-${q[1].id}] [data-test=opt-4]`).tap()
      await p.locator(`[data-test=q-${q[2].id}] [data-test=opt-2]`).tap()
      await p.locator(`[data-test=q-${q[3].id}] [data-test=opt-${q[3].options[2].position}]`).tap()
      await p.locator(`[data-test=q-${q[4].id}] [data-test=opt-${q[4].options[0].position}]`).tap()
      await p.locator(`[data-test=q-${q[4].id}] [data-test=opt-${q[4].options[2].position}]`).tap()
      await p.locator(`[data-test=q-${q[5].id}] [data-test=text]`).fill('交貨太慢了，希望改善。')
      await p.locator('[data-test=ps-submit]').tap()
      await p.locator('[data-test=ps-thanks]').waitFor()
      assert((await p.locator('[data-test=ps-thanks]').innerText()).includes('感謝您的寶貴意見'), 'thanks in zh-TW')
      await k.shot(p, 'survey-answer-phone-thanks')
      // the link is used now
      await p.reload()
      await p.locator('[data-test=public-survey][data-state=gone]').waitFor()
      assert((await p.locator('[data-test=ps-message]').innerText()).includes('已經作答過了'), 'a used link says so')
    } finally {
      await context.close()
    }
    const { context: c, page: a } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'answers-check' })
    try {
      await login(a, 'admin')
      const items = (await api(a, 'GET', `/api/v1/surveys/${surveyId}/responses`)).json.items
      assert(items.length === 1, `one response (${items.length})`)
      const r = items[0]
      const by = Object.fromEntries(r.answers.map((x) => [x.question_id, x]))
      const q = questions
      assert(r.lang === 'zh-TW' && r.entered_by === null, 'answered through the link in zh-TW')
      assert(by[q[0].id].value === 9 && by[q[1].id].value === 4 && by[q[2].id].value === 2, 'scores stored')
      assert(by[q[3].id].value === q[3].options[2].position, 'single choice stored')
      assert(JSON.stringify(by[q[4].id].values) === JSON.stringify([q[4].options[0].position, q[4].options[2].position]), 'multi stored')
      assert(by[q[5].id].text === '交貨太慢了，希望改善。', 'comment stored')
    } finally {
      await c.close()
    }
  })

  await check('answers: language switch, unknown link, 360 px wide', async () => {
    assert(tokens.length >= 2, 'two links')
    const { context, p } = await phone('answers-360', { width: 360, height: 740 })
    try {
      await p.goto(`/s#${tokens[1]}`)
      await p.locator('[data-test=public-survey][data-state=ready]').waitFor()
      await noOverflow(p, 360)
      await p.locator('[data-test=ps-langs] [data-lang=en]').tap()
      await p.locator('[data-test=ps-title]', { hasText: 'Customer satisfaction survey' }).waitFor()
      await ready(p)
      assert((await p.locator('[data-test=public-survey]').innerText()).includes('Very satisfied'), 'English words after the switch')
      await noOverflow(p, 360)
      await p.goto('/s#AAAAAAAAAAAAAAAAAAAAAA')
      await p.reload()
      await p.locator('[data-test=public-survey][data-state=gone]').waitFor()
      assert((await p.locator('[data-test=ps-message]').innerText()).includes('無效'), 'an unknown link says so (zh-TW)')
      await p.goto('/s')
      await p.reload()
      await p.locator('[data-test=public-survey][data-state=gone]').waitFor()
      assert((await p.locator('[data-test=ps-message]').innerText()).includes('連結不完整'), 'no token: says so')
      // a malformed fragment (a cut %-escape) is no token: the same words, not a page stuck on "…"
      await p.goto('/s#abc%')
      await p.reload()
      await p.locator('[data-test=public-survey][data-state=gone]').waitFor()
      assert((await p.locator('[data-test=ps-message]').innerText()).includes('連結不完整'), 'a malformed link: says it is incomplete')
    } finally {
      await context.close()
    }
  })

  await check('answers: staff enter phone answers and read the verbatims (desktop, then a phone)', async () => {
    assert(surveyId, 'the survey was sent')
    const { context: c, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'answers-staff' })
    try {
      await login(p, 'admin')
      const sent = new Set((await api(p, 'GET', `/api/v1/surveys/${surveyId}/links?limit=500`)).json.items.map((l) => l.contact_id))
      let free = null
      for (const a of (await api(p, 'GET', '/api/v1/accounts?limit=50')).json.items) {
        free = (await api(p, 'GET', `/api/v1/accounts/${a.id}/contacts?limit=50`)).json.items.find((x) => !sent.has(x.id))
        if (free) break
      }
      assert(free, 'a contact not sent to yet')
      const r = await api(p, 'POST', `/api/v1/surveys/${surveyId}/links`, { contact_ids: [free.id], channel: 'phone', lang: 'zh-CN' })
      assert(r.status === 201 && r.json.items.length === 1, `a phone link: ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`)
      const linkId = r.json.items[0].id
      await p.goto(`/surveys/${surveyId}/responses?enter=${linkId}`)
      const dlg = p.locator('[data-test=phone-entry]')
      await dlg.waitFor()
      await ready(p)
      const q = questions
      await dlg.locator(`[data-test=q-${q[0].id}] [data-test=opt-3]`).click()
      await dlg.locator('[data-test=pe-save]').click()
      await dlg.locator(`[data-test=q-${q[1].id}] [data-test=q-error]`).waitFor() // CSAT is required
      await dlg.locator(`[data-test=q-${q[1].id}] [data-test=opt-1]`).click()
      await dlg.locator(`[data-test=q-${q[5].id}] [data-test=text]`).fill('电话回访：价格偏高')
      await dlg.locator('[data-test=pe-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)
      const cards = p.locator('[data-test=responses] [data-test=response]')
      await p.locator('[data-test=responses] [data-test=response]', { hasText: '电话回访：价格偏高' }).waitFor()
      assert((await cards.count()) === 2, `two responses listed (${await cards.count()})`)
      const text = await p.locator('[data-test=responses]').innerText()
      assert(text.includes('交貨太慢了，希望改善。') && text.includes('非常不满意') && text.includes('客户自行填写'), 'verbatims worded in zh-CN')
      assert(text.includes('录入人'), 'the phone entry names who entered it')
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text) && !/\b(nps|csat|copy|phone)\b/.test(text), `no raw identifiers: ${text.slice(0, 200)}`)
      // each comment shows the tone the server gave it
      const all = (await api(p, 'GET', `/api/v1/surveys/${surveyId}/responses`)).json.items
      const byText = new Map(all.flatMap((x) => x.answers.filter((a) => a.kind === 'text').map((a) => [a.text, a.tone])))
      for (const [txt, tone] of byText) {
        const card = p.locator('[data-test=responses] [data-test=response]', { hasText: txt })
        const tags = await card.locator('[data-test=tone]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tone')))
        assert(JSON.stringify(tags) === JSON.stringify(tone && tone !== 'none' ? [tone] : []), `tone of ${txt}: shown ${tags}, API ${tone}`)
      }
      const stored = all.find((x) => x.link_id === linkId)
      assert(stored && stored.entered_by !== null && stored.channel === 'phone', 'stored as entered by staff')
      await k.shot(p, 'survey-responses-desktop')
    } finally {
      await c.close()
    }
    const ph = await phone('answers-verbatims-phone', PHONE, 'zh-CN')
    try {
      await login(ph.p, 'director')
      await ph.p.goto(`/surveys/${surveyId}/responses`)
      await ph.p.locator('[data-test=responses] [data-test=response]').first().waitFor()
      await ready(ph.p)
      await noOverflow(ph.p, PHONE.width)
      await k.shot(ph.p, 'survey-responses-phone')
    } finally {
      await ph.context.close()
    }
    const { context: vc, page: v } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'answers-viewer' })
    try {
      await login(v, 'viewer')
      await v.goto(`/surveys/${surveyId}/responses`)
      await v.waitForURL((u) => u.pathname === '/403')
      const r = await api(v, 'GET', `/api/v1/surveys/${surveyId}/responses`)
      assert(r.status === 403, `a viewer may not read verbatims (${r.status})`)
    } finally {
      await vc.close()
    }
  })

  await check('answers: the answer page\'s first load (cold cache); printed', async () => {
    assert(tokens.length >= 3, 'a third link')
    const { context, p } = await phone('answers-weight')
    try {
      const cdp = await context.newCDPSession(p)
      await cdp.send('Network.enable')
      const wire = new Map()
      const types = new Map()
      cdp.on('Network.responseReceived', (e) => types.set(e.requestId, `${e.type} ${new URL(e.response.url).pathname}`))
      cdp.on('Network.loadingFinished', (e) => wire.set(e.requestId, e.encodedDataLength))
      const t0 = Date.now()
      await p.goto(`/s#${tokens[2]}`)
      await p.locator('[data-test=public-survey][data-state=ready]').waitFor()
      await ready(p)
      const ms = Date.now() - t0
      let total = 0
      for (const v of wire.values()) total += v
      const js = [...types.entries()].filter(([, t]) => t.startsWith('Script')).reduce((s, [id]) => s + (wire.get(id) ?? 0), 0)
      console.log(`# weight survey answer page: ${wire.size} requests, ${kib(total)} KiB on the wire (${kib(js)} KiB js), usable at ${ms} ms`)
      if (process.env.KAM_WEIGHT_LIST)
        for (const [id, t] of types) console.log(`#   ${kib(wire.get(id) ?? 0)} KiB ${t}`)
      const charts = [...types.values()].filter((t) => /echarts/.test(t))
      assert(!charts.length, `the answer page loads no ECharts: ${charts.join(', ')}`)
      // s.html: Vue and the page; not the app's UI library, router, store or messages (vite.config.ts)
      const app = [...types.values()].filter((t) => /\/assets\/(ui|vendor|index|locale-[^/]*)-[^/]*\.(js|css)$/.test(t))
      assert(!app.length, `the answer page loads none of the app's chunks: ${app.join(', ')}`)
    } finally {
      await context.close()
    }
  })
}
