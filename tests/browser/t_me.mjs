// "My performance" in the browser (issue 18 item 6): an account manager opens their own page from
// the menu and sees their latest appraisal score, payout statement, training and competencies as
// the person-scoped API gives them, and follows a scorecard to its page; another account manager
// on a 390 px phone sees their own records and none of the first one's, as cards, with no
// sideways scrolling and no raw identifiers.
const PHONE = { width: 390, height: 844 }
const RAW = /\b[a-z]+(_[a-z0-9]+)+\b/

export default async (k) => {
  const { check, assert, login, api, ready, browser, base } = k
  const digits = (s) => s.replace(/[^0-9]/g, '')

  await check('my performance: an account manager sees their own scores, statements, training and competencies', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'me-desktop' })
    try {
      await login(p, 'am.east1')
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const cards = (await api(p, 'GET', `/api/v1/users/${me.id}/scorecards`)).json.items
      const payouts = (await api(p, 'GET', `/api/v1/users/${me.id}/payouts`)).json.items
      const training = (await api(p, 'GET', `/api/v1/users/${me.id}/training`)).json.items
      const comp = (await api(p, 'GET', `/api/v1/users/${me.id}/competencies?profile=account_manager`)).json
      assert(cards.length > 0 && payouts.length > 0 && training.length > 0, `the demo gives am.east1 personal records (${cards.length}, ${payouts.length}, ${training.length})`)

      await p.locator('[data-test=nav-my-performance]').click()
      await p.locator('[data-test=mine-scorecard-table] [data-test=mine-scorecard]').first().waitFor()
      await p.locator('[data-test=mine-level]').first().waitFor()
      await ready(p)
      await k.shot(p, 'my-performance')

      const latest = cards.find((c) => c.score != null)
      const score = (await p.locator('[data-test=mine-score]').innerText()).trim()
      assert(score === (latest.score / 100).toFixed(2), `latest score ${latest.score} shown as ${score}`)
      const total = await p.locator('[data-test=mine-payout]').innerText()
      assert(digits(total) === String(payouts[0].total), `latest statement ${payouts[0].total} shown as ${total}`)
      const done = (await p.locator('[data-test=mine-training-done]').innerText()).trim()
      assert(done === String(training.filter((e) => e.status === 'completed').length), `completed training ${done}`)
      const fit = (await p.locator('[data-test=mine-fit]').innerText()).trim()
      assert(fit === `${(comp.fit_bp / 100).toFixed(1)}%`, `fit ${comp.fit_bp} bp shown as ${fit}`)
      const levels = await p.locator('[data-test=mine-level]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))
      assert(JSON.stringify(levels) === JSON.stringify(comp.items.map((i) => i.code)), `competencies ${levels}`)
      const gapText = await p.locator('[data-test=mine-gaps]').innerText()
      for (const i of comp.items.filter((x) => (x.gap ?? 0) > 0)) assert(gapText.includes(i.name_zh), `gap ${i.code} named`)

      const shown = await p.locator('[data-test=mine-scorecard]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-key'))))
      assert(JSON.stringify(shown) === JSON.stringify(cards.map((c) => c.id)), `scorecards ${shown} vs ${cards.map((c) => c.id)}`)
      const text = await p.locator('[data-test=my-performance]').innerText()
      const m = text.match(RAW)
      assert(!m, `no raw identifiers (${m && m[0]})`)

      await p.locator(`[data-test=mine-scorecard][data-key="${cards[0].id}"]`).click()
      await p.waitForURL(new RegExp(`/scorecards/${cards[0].id}$`))
    } finally {
      await context.close()
    }
  })

  await check('my performance: on a 390 px phone another account manager sees only their own records', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-TW', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    try {
      await login(p, 'am.east2')
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const users = (await api(p, 'GET', '/api/v1/users?limit=200')).json.items
      const first = users.find((u) => u.login === 'am.east1')
      assert(first && first.id !== me.id, 'two people')
      const own = (await api(p, 'GET', `/api/v1/users/${me.id}/scorecards`)).json.items.map((c) => String(c.id))
      const other = await api(p, 'GET', `/api/v1/users/${first.id}/scorecards`)
      assert(other.status === 404, `another account manager's scorecards are not found (${other.status})`)
      const firstCards = (await api(p, 'GET', '/api/v1/scorecards?limit=200')).json.items.filter((c) => c.user_id === first.id).map((c) => String(c.id))
      assert(firstCards.length === 0, 'the scorecard list holds none of another account manager\'s')

      await p.goto('/me/performance')
      await p.locator('[data-test=mine-scorecard-cards]').waitFor()
      await ready(p)
      const keys = await p.locator('[data-test=mine-scorecard-cards] [data-test=card]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))
      assert(JSON.stringify(keys) === JSON.stringify(own), `own scorecards ${keys} vs ${own}`)
      const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling (${wide} px)`)
      const text = await p.locator('[data-test=my-performance]').innerText()
      const m = text.match(RAW)
      assert(!m, `no raw identifiers (${m && m[0]})`)
      await k.shot(p, 'my-performance-phone', { fullPage: false })
    } finally {
      await context.close()
    }
  })
}
