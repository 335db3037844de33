// Follow-ups from a survey response (brief FIX-FIX14): the respondent's name is never in the
// title or detail (受访者 there); the screens show it beside the title from respondent_name --
// the list (desktop table, zh-CN), the cards on a 390x844 phone (zh-TW, no sideways scrolling)
// (and 360 wide) and the follow-up's dialog.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base } = k

  await check('fix14: the respondent beside a follow-up title, not in it (list, cards, dialog)', async () => {
    const { context: ctxt, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'fix14-names' })
    try {
      await login(p, 'director')
      // the screen's first page: open follow-ups, newest first
      const items = (await api(p, 'GET', '/api/v1/follow-ups?open=1&sort=-created_at&limit=50')).json.items
      const f = items.find((x) => x.respondent_name)
      assert(f, 'the demo has an open follow-up from a response with its respondent')
      const name = f.respondent_name
      assert(!f.title.includes(name) && !f.detail.includes(name), `the name is not in the text: ${JSON.stringify(f)}`)
      assert(f.title.includes('受访者') || f.detail.includes('受访者'), `the neutral word instead: ${JSON.stringify(f)}`)
      await p.goto('/follow-ups')
      await p.locator('[data-test=followups-view]').waitFor()
      await ready(p)
      const cell = p.locator('[data-test=followups-table] td', { has: p.locator(`[data-test=fu-row][data-key="${f.id}"]`) })
      await cell.locator('[data-test=fu-respondent]', { hasText: `受访者：${name}` }).waitFor()
      // a hand-off has none
      const h = items.find((x) => x.source === 'handoff')
      if (h) {
        const hc = p.locator('[data-test=followups-table] td', { has: p.locator(`[data-test=fu-row][data-key="${h.id}"]`) })
        assert((await hc.locator('[data-test=fu-respondent]').count()) === 0, 'no respondent on a hand-off')
      }
      // the dialog: the name under the title
      await p.goto(`/follow-ups/${f.id}`)
      const dlg = p.locator('[data-test=fu-dialog]')
      await dlg.waitFor()
      await dlg.locator('[data-test=fu-respondent]', { hasText: name }).waitFor()
      const title = await dlg.locator('[data-test=fu-title]').innerText()
      assert(!title.includes(name), `the dialog's title: ${title}`)
    } finally {
      await ctxt.close()
    }
    const { context: c2, page: q } = await k.newPage(browser, base, { locale: 'zh-TW', label: 'fix14-phone' })
    try {
      await q.setViewportSize(PHONE)
      await login(q, 'director')
      const items = (await api(q, 'GET', '/api/v1/follow-ups?open=1&sort=-created_at&limit=50')).json.items
      const f = items.find((x) => x.respondent_name)
      await q.goto('/follow-ups')
      await q.locator('[data-test=followups-view]').waitFor()
      await ready(q)
      await q.locator('[data-test=followups-table-cards] [data-test=fu-respondent]', { hasText: f.respondent_name }).first().waitFor()
      const label = await q.locator('[data-test=followups-table-cards] [data-test=fu-respondent]').first().innerText()
      assert(label.includes('受訪者'), `the card's label in zh-TW: ${label}`)
      const over = await q.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert(over <= 0, `no sideways scrolling at 390 px (${over} px over)`)
      await q.setViewportSize({ width: 360, height: 780 })
      await ready(q)
      const over360 = await q.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert(over360 <= 0, `no sideways scrolling at 360 px (${over360} px over)`)
    } finally {
      await c2.close()
    }
  })
}
