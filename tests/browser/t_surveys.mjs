// Surveys (issue 14, F3.7): the director builds a survey on the desktop (texts in three languages
// side by side, a rating question of a driver, the preview switched to zh-TW), opens it and sends it
// to a tier's key contacts as links to copy (shown once, with a copy button); the links tab lists
// them with their states and rates. On a 390x844 phone the account manager sees the surveys as
// cards, opens one, reissues a link and gets the new link to copy; no sideways scrolling.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const tag = `${Date.now() % 100000}`
  const zhTitle = `客户满意度调查 ${tag}`
  const twTitle = `客戶滿意度調查 ${tag}`
  let surveyId = null

  await check('surveys: build, preview in zh-TW, open and send (desktop)', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'surveys-desktop' })
    try {
      await login(p, 'director')
      await p.locator('[data-test=nav-surveys]').click()
      await p.locator('[data-test=surveys-view]').waitFor()
      await ready(p)
      await p.locator('[data-test=survey-new]').click()
      await p.locator('[data-test=survey-editor]').waitFor()
      await ready(p)
      await field(p, 'survey-title-zh-CN').fill(zhTitle)
      await field(p, 'survey-title-zh-TW').fill(twTitle)
      await field(p, 'survey-title-en').fill(`Satisfaction survey ${tag}`)
      // the new survey starts with an NPS and an overall CSAT question
      await field(p, 'question-0-text-zh-CN').fill('您有多大可能向同事推荐我们？')
      await field(p, 'question-0-text-zh-TW').fill('您有多大可能向同事推薦我們？')
      await field(p, 'question-1-text-zh-CN').fill('总体满意度')
      await p.locator('[data-test=add-rating]').click()
      await field(p, 'question-2-text-zh-CN').fill('交付是否及时')
      await field(p, 'question-2-text-en').fill('On-time delivery')
      await p.locator('[data-test=add-single]').click()
      await field(p, 'question-3-text-zh-CN').fill('您的角色')
      await field(p, 'question-3-option-0-zh-CN').fill('采购')
      await field(p, 'question-3-option-1-zh-CN').fill('技术')
      // the preview in Traditional Chinese: the zh-TW title, the zh-CN text where zh-TW is empty
      await p.locator('[data-test=preview-lang] label', { hasText: '繁體' }).click()
      await p.locator('[data-test=preview-title]', { hasText: twTitle }).waitFor()
      const prev = await p.locator('[data-test=survey-preview]').innerText()
      assert(prev.includes('推薦我們') && prev.includes('交付是否及时'), `preview in zh-TW with fallback: ${prev.slice(0, 300)}`)
      await p.locator('[data-test=survey-save]').click()
      await p.waitForURL(/\/surveys\/\d+$/)
      await ready(p)
      surveyId = Number(new URL(p.url()).pathname.split('/').pop())
      const s = (await api(p, 'GET', `/api/v1/surveys/${surveyId}`)).json
      assert(s.status === 'draft' && s.questions.length === 4, `stored: ${JSON.stringify(s).slice(0, 300)}`)
      assert(s.title['zh-TW'] === twTitle && s.questions[2].kind === 'rating' && s.questions[2].driver, 'title and a rating of a driver')
      assert(s.questions[1].overall === true && s.questions[3].options.length === 2, 'overall flag and options')
      await k.shot(p, 'surveys-builder')
      await p.locator('[data-test=survey-open]').click()
      await p.locator('[data-test=survey-status]', { hasText: '进行中' }).waitFor()
      await ready(p)
      // send to the key contacts of the strategic tier (the director's scope is everything)
      await p.locator('[data-test=survey-send-open]').click()
      const dlg = p.locator('[data-test=survey-send]')
      await dlg.waitFor()
      await dlg.locator('[data-test=send-mode] label', { hasText: '某等级的关键联系人' }).click()
      await k.chooseOption(p, 'send-tier', '战略')
      await dlg.locator('[data-test=send-lang] label', { hasText: '繁體' }).click()
      await dlg.locator('[data-test=send-go]').click()
      await dlg.locator('[data-test=send-result]').waitFor()
      const n = await dlg.locator('[data-test=sent-link]').count()
      assert(n > 0, 'links were made for the tier')
      const url = await field(p, 'sent-url').inputValue()
      assert(/\/s#[A-Za-z0-9_-]{22}$/.test(url), `a link to copy: ${url}`)
      assert((await dlg.locator('[data-test=copy-link]').count()) === n, 'each link has a copy button')
      const text = await dlg.innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), `no raw identifiers in the dialog: ${text.slice(0, 200)}`)
      await dlg.locator('.el-dialog__footer button').first().click()
      await dlg.waitFor({ state: 'hidden' })
      const links = (await api(p, 'GET', `/api/v1/surveys/${surveyId}/links?limit=500`)).json.items
      assert(links.length === n && links.every((l) => l.lang === 'zh-TW' && l.channel === 'copy' && !l.token), 'the links are stored, tokens not listed')
      await p.locator('.el-tabs__item', { hasText: '链接与回复率' }).click()
      await p.locator('[data-test=survey-rates]').waitFor()
      await ready(p)
      const rows = await p.locator('[data-test=links-table] [data-test=link-row]').count()
      assert(rows === Math.min(n, 50), `the links tab lists the links (${rows} of ${n})`)
      await k.shot(p, 'surveys-links')
      // the survey page leads to its verbatims and its results
      const verb = await p.locator('[data-test=survey-verbatims]').getAttribute('href')
      const res = await p.locator('[data-test=survey-results]').getAttribute('href')
      assert(verb === `/surveys/${surveyId}/responses` && res === `/satisfaction/surveys/${surveyId}`, `verbatims and results: ${verb} ${res}`)
      // the address of e-mailed links, set on the surveys screen
      await p.goto('/surveys')
      await p.locator('[data-test=survey-public-url]').waitFor()
      await ready(p)
      await field(p, 'public-url-input').fill('https://kam.example.com')
      await p.locator('[data-test=public-url-save]').click()
      await p.locator('[data-test=public-url-state]', { hasText: 'https://kam.example.com' }).waitFor()
      const st = (await api(p, 'GET', '/api/v1/settings/surveys')).json
      assert(st.public_url === 'https://kam.example.com' && st.in_use === 'https://kam.example.com', `stored: ${JSON.stringify(st)}`)
      await field(p, 'public-url-input').fill('kam.example.com')
      await p.locator('[data-test=public-url-save]').click()
      await p.locator('[data-test=survey-public-url] .el-form-item__error').waitFor()
      const err = await p.locator('[data-test=survey-public-url] .el-form-item__error').innerText()
      assert(!/[a-z]+_[a-z]+/.test(err), `a readable error: ${err}`)
    } finally {
      await ctxt.close()
    }
  })

  await check('surveys: cards and a reissued link on a 390x844 phone (account manager)', async () => {
    assert(surveyId, 'the desktop check made a survey')
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    p.on('pageerror', (e) => k.problems.push({ where: 'surveys-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      await login(p, 'am.east1')
      // a link to one of the account manager's own contacts
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const acc = (await api(p, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0]
      assert(acc, 'am.east1 owns an account')
      const contacts = (await api(p, 'GET', `/api/v1/accounts/${acc.id}/contacts?limit=50`)).json.items
      assert(contacts.length, 'the account has contacts')
      const sent = (await api(p, 'POST', `/api/v1/surveys/${surveyId}/links`, { contact_ids: contacts.map((c) => c.id).slice(0, 3), channel: 'phone' })).json
      assert(sent.items.length + sent.skipped.length > 0, 'sent or skipped')
      await p.goto('/surveys')
      await p.locator('[data-test=surveys-table-cards]').waitFor()
      await ready(p)
      const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling on the list (${wide} px)`)
      await k.shot(p, 'surveys-list-phone')
      await p.goto(`/surveys/${surveyId}`)
      await p.locator('[data-test=survey-editor]').waitFor()
      await ready(p)
      assert((await p.locator('[data-test=survey-save]').count()) === 0, 'an account manager does not edit surveys')
      await p.locator('.el-tabs__item', { hasText: '链接与回复率' }).click()
      const cards = p.locator('[data-test=links-table-cards] [data-test=card]')
      await cards.first().waitFor()
      await ready(p)
      const wide2 = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide2 <= PHONE.width + 1, `no sideways scrolling on the links (${wide2} px)`)
      await k.shot(p, 'surveys-links-phone')
      const mine = (await api(p, 'GET', `/api/v1/surveys/${surveyId}/links?limit=500`)).json.items
      assert(mine.every((l) => l.account_id !== undefined) && (await cards.count()) === Math.min(mine.length, 50), 'the cards are the links in scope')
      const pending = mine.find((l) => l.state === 'pending')
      assert(pending, 'a pending link')
      await p.locator(`[data-test=links-table-cards] [data-test=card][data-key="${pending.id}"] [data-test=link-reissue]`).click()
      await p.locator('[data-test=link-fresh]').waitFor()
      const url = await field(p, 'fresh-url').inputValue()
      assert(/\/s#[A-Za-z0-9_-]{22}$/.test(url), `the new link to copy: ${url}`)
      const text = await p.locator('[data-test=survey-links]').innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), `no raw identifiers: ${text.slice(0, 200)}`)
      // a pending phone link: "enter answers" opens its responses page with the link
      const phone = mine.find((l) => l.channel === 'phone' && l.state === 'pending')
      assert(phone || !sent.items.length, 'the phone links just sent are listed')
      if (phone) {
        const href = await p.locator(`[data-test=links-table-cards] [data-test=card][data-key="${phone.id}"] [data-test=link-enter]`).getAttribute('href')
        assert(href === `/surveys/${surveyId}/responses?enter=${phone.id}`, `enter answers: ${href}`)
      }
      // 360 wide: the builder and the list still fit
      await p.setViewportSize({ width: 360, height: 780 })
      for (const path of [`/surveys/${surveyId}`, '/surveys']) {
        await p.goto(path)
        await ready(p)
        const w = await p.evaluate(() => document.scrollingElement.scrollWidth)
        assert(w <= 361, `no sideways scrolling at 360 px on ${path} (${w} px)`)
      }
    } finally {
      await context.close()
    }
  })
}
