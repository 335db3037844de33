// Competitors (issue 16 item 3): an account manager records a competitor's presence on one of
// their accounts (share bar, price level), records a move and raises it as a competitive risk on
// the desktop; the same on a 390x844 phone (cards, no sideways scrolling, also at 360 px); the
// competitor's own page lists the account and the move; screenshots in zh-CN, zh-TW and en.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const tag = String(Date.now() % 100000)

  /** A fresh competitor and one of the account manager's accounts, through the API. */
  const world = async (p, suffix) => {
    const name = `测试竞品${suffix}${tag}`
    const c = await api(p, 'POST', '/api/v1/competitors', { name, strengths: '价格低', weaknesses: '交期慢' })
    assert(c.status === 201, `competitor created: ${c.status}`)
    const accs = (await api(p, 'GET', '/api/v1/accounts?limit=1&sort=code')).json.items
    assert(accs.length === 1, 'the account manager has an account')
    return { comp: c.json, account: accs[0] }
  }

  const confirmBox = async (p) => {
    const btn = p.locator('.el-message-box__btns .el-button--primary')
    await btn.waitFor()
    await btn.click()
  }

  /** Records presence and a move in the open tab, then raises the move; returns the move's id. */
  const recordAll = async (p, w, family, desc) => {
    const tab = p.locator('[data-test=account-competitors]')
    await tab.locator('[data-test=presence-add]').click()
    let dlg = p.locator('[data-test=presence-dialog]')
    await dlg.waitFor()
    await ready(p)
    await k.chooseOption(p, 'pr-competitor', w.comp.name)
    await field(p, 'pr-family').fill(family)
    await field(p, 'pr-share').fill('35.5')
    await k.chooseOption(p, 'pr-price', '低于我方')
    await dlg.locator('[data-test=pr-save]').click()
    await k.dialogClosed(dlg)
    await ready(p)
    const view = (await api(p, 'GET', `/api/v1/accounts/${w.account.id}/competitors`)).json
    const pr = view.presence.find((x) => x.competitor_id === w.comp.id && x.family === family)
    assert(pr && pr.share_bp === 3550 && pr.price_level === 'lower', `presence stored: ${JSON.stringify(pr)}`)
    const row = tab.locator('[data-test=presence-row]', { hasText: w.comp.name }).first()
    await row.waitFor()
    assert((await row.innerText()).includes('35.5'), 'the share shown beside the bar')

    await tab.locator('[data-test=move-add]').click()
    dlg = p.locator('[data-test=move-dialog]')
    await dlg.waitFor()
    await ready(p)
    await k.chooseOption(p, 'mv-competitor', w.comp.name)
    await k.chooseOption(p, 'mv-kind', '降价')
    await k.chooseOption(p, 'mv-severity', '高')
    await field(p, 'mv-family').fill(family)
    await field(p, 'mv-description').fill(desc)
    await dlg.locator('[data-test=mv-save]').click()
    await k.dialogClosed(dlg)
    await ready(p)
    const moves = (await api(p, 'GET', `/api/v1/competitor-moves?competitor_id=${w.comp.id}`)).json.items
    assert(moves.length === 1 && moves[0].kind === 'price_cut' && moves[0].severity === 'high' && moves[0].description === desc,
      `move stored: ${JSON.stringify(moves)}`)
    const mrow = tab.locator('[data-test=move-row]', { hasText: desc })
    await mrow.waitFor()
    await mrow.locator('[data-test=move-raise]').click()
    await confirmBox(p)
    await mrow.locator('[data-test=move-risk]').waitFor()
    await ready(p)
    const after = (await api(p, 'GET', `/api/v1/competitor-moves?competitor_id=${w.comp.id}`)).json.items[0]
    assert(after.risk_id, `the move names its risk: ${JSON.stringify(after)}`)
    const risk = await api(p, 'GET', `/api/v1/risks/${after.risk_id}`)
    if (risk.status === 200) assert(risk.json.category === 'competitive', `a competitive risk: ${JSON.stringify(risk.json).slice(0, 200)}`)
    return after.id
  }

  await check('competitors: record presence and a move, raise it as a risk (desktop)', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'competitors-desktop' })
    try {
      await login(p, 'am.east1')
      const w = await world(p, 'D')
      await p.goto(`/accounts/${w.account.id}?tab=competitors`)
      await p.locator('[data-test=account-competitors]').waitFor()
      await ready(p)
      await recordAll(p, w, `测试族D${tag}`, `桌面端记录的降价 ${tag}`)
      await k.shot(p, 'competitors-account-tab')
      const text = await p.locator('[data-test=account-competitors]').innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), 'no raw identifiers on the tab')
      assert(!/\b(lower|price_cut|high)\b/.test(text), 'enum values are worded')

      // the list and the competitor's page
      await p.goto('/competitors')
      await p.locator('[data-test=competitors-table]').waitFor()
      await field(p, 'competitors-q').fill(w.comp.name)
      await ready(p)
      const link = p.locator('[data-test=competitors-table] [data-test=competitor-link]', { hasText: w.comp.name })
      await link.waitFor()
      await k.shot(p, 'competitors-list')
      await link.click()
      await p.locator('[data-test=competitor-detail]').waitFor()
      await ready(p)
      assert((await p.locator('[data-test=competitor-accounts]').innerText()).includes(w.account.name), 'the account is listed')
      assert((await p.locator('[data-test=competitor-moves]').innerText()).includes(`桌面端记录的降价 ${tag}`), 'the move is listed')
      await k.shot(p, 'competitors-detail')
    } finally {
      await context.close()
    }
  })

  await check('competitors: the screens in zh-TW and en (words, not codes)', async () => {
    for (const [locale, words] of [['zh-TW', ['競爭對手', '記錄動態']], ['en', ['Competitors', 'Record a move']]]) {
      const { context, page: p } = await k.newPage(browser, base, { locale, label: `competitors-${locale}` })
      try {
        await login(p, 'am.east1')
        const accs = (await api(p, 'GET', '/api/v1/accounts?limit=1&sort=code')).json.items
        await p.goto(`/accounts/${accs[0].id}?tab=competitors`)
        await p.locator('[data-test=account-competitors] [data-test=move-add]').waitFor()
        await ready(p)
        const text = await p.locator('body').innerText()
        for (const wd of words) assert(text.includes(wd), `${locale}: "${wd}" shown`)
        assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(await p.locator('[data-test=account-competitors]').innerText()), `${locale}: no raw identifiers`)
        await k.shot(p, `competitors-account-tab-${locale}`)
        await p.goto('/competitors')
        await p.locator('[data-test=competitors-table]').waitFor()
        await ready(p)
        await k.shot(p, `competitors-list-${locale}`)
      } finally {
        await context.close()
      }
    }
  })

  await check('competitors: record presence and a move, raise it as a risk on a 390x844 phone', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    p.on('pageerror', (e) => k.problems.push({ where: 'competitors-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      await login(p, 'am.east1')
      const w = await world(p, 'P')
      await p.goto(`/accounts/${w.account.id}?tab=competitors`)
      await p.locator('[data-test=account-competitors]').waitFor()
      await ready(p)
      await recordAll(p, w, `测试族P${tag}`, `手机端记录的降价 ${tag}`)
      await k.shot(p, 'competitors-account-tab-phone')
      let wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling on the tab (${wide} px)`)
      await p.goto('/competitors')
      await p.locator('[data-test=competitors-cards] [data-test=card]').first().waitFor()
      await ready(p)
      await k.shot(p, 'competitors-list-phone')
      wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling on the list (${wide} px)`)
      await p.setViewportSize({ width: 360, height: 780 })
      await ready(p)
      wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= 361, `no sideways scrolling at 360 px (${wide} px)`)
      await p.goto(`/competitors/${w.comp.id}`)
      await p.locator('[data-test=competitor-accounts-cards] [data-test=card]').first().waitFor()
      await ready(p)
      wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= 361, `no sideways scrolling on the competitor's page at 360 px (${wide} px)`)
    } finally {
      await context.close()
    }
  })
}
