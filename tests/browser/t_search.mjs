// Global search and the duplicate check (issue 12, item 5):
//  - the header box: typing `cp` lists 测评… (pinyin initials) grouped by kind; the arrow keys
//    and Enter open the record; Escape closes the list;
//  - a duplicate warning with the candidate when creating an account with a near name (traditional
//    characters, another company suffix); the form still saves nothing until the user does;
//  - on a phone the box opens full-screen, a contact's phone digits find it and the hit opens
//    its account's contacts tab.
export default async (k) => {
  const { check, assert, newPage, login, field, ready, api, browser, base } = k
  const tag = String(Date.now() % 1000000)
  let acc = null

  await check('search: `cp` in the header box finds 测评… and Enter opens it', async () => {
    const { context, page } = await newPage(browser, base, { label: 'search' })
    try {
      await login(page, 'director')
      await ready(page)
      // the shortest name with the initials cp ranks first among the initials matches
      const r = await api(page, 'POST', '/api/v1/accounts', { code: `S${tag}`, name: '测评' })
      assert(r.status === 201, `create account ${r.status}`)
      acc = r.json
      const box = page.locator('[data-test=global-search-input]')
      await box.click()
      await box.fill('cp')
      await ready(page)
      const hit = page.locator(`[data-test=global-search-hit][data-kind=account][data-id="${acc.id}"]`)
      await hit.waitFor()
      assert(await page.locator('[data-test=global-search-group-account]').isVisible(), 'results grouped by kind')
      await k.shot(page, 'search-header-zh-CN', { fullPage: false })
      // keyboard: move the highlight onto our hit, Enter opens it
      const hits = page.locator('[data-test=global-search-hit]')
      const n = await hits.count()
      let idx = -1
      for (let i = 0; i < n; i++) if ((await hits.nth(i).getAttribute('data-id')) === String(acc.id) && (await hits.nth(i).getAttribute('data-kind')) === 'account') idx = i
      assert(idx >= 0, 'hit index')
      for (let i = 0; i < idx; i++) await box.press('ArrowDown')
      assert((await hits.nth(idx).getAttribute('aria-selected')) === 'true', 'the arrow keys move the highlight')
      await box.press('Enter')
      await page.waitForURL((u) => u.pathname === `/accounts/${acc.id}`)
      await ready(page)
      // Escape closes the list
      await box.fill('测评')
      await ready(page)
      await page.locator('[data-test=global-search-results]').waitFor()
      await box.press('Escape')
      await page.locator('[data-test=global-search-results]').waitFor({ state: 'detached' })
    } finally {
      await context.close()
    }
  })

  await check('search: creating an account with a near name shows a duplicate warning with the candidate', async () => {
    const { context, page } = await newPage(browser, base, { label: 'search-dup' })
    try {
      await login(page, 'director')
      const r = await api(page, 'POST', '/api/v1/accounts', { code: `D${tag}`, name: `東莞${tag}精工有限公司` })
      assert(r.status === 201, `create account ${r.status}`)
      await page.goto('/accounts/new')
      await ready(page)
      await field(page, 'f-name').fill(`东莞${tag}精工股份有限公司`)
      await ready(page)
      const warn = page.locator('[data-test=duplicate-warning]')
      await warn.waitFor()
      const cand = warn.locator(`[data-test=duplicate-candidate][data-id="${r.json.id}"]`)
      await k.shot(page, 'search-duplicate-warning-zh-CN', { fullPage: false })
      assert(await cand.isVisible(), 'the candidate is listed')
      assert((await cand.locator('a').getAttribute('href')) === `/accounts/${r.json.id}`, 'the candidate links to its page')
      // a warning, not a block: nothing disables saving
      const save = page.locator('[data-test=account-form] button[type=submit], [data-test=f-save], [data-test=save]').first()
      if (await save.count()) assert(!(await save.isDisabled()), 'save stays enabled')
      // a different name: the warning goes
      await field(page, 'f-name').fill(`完全不同${tag}`)
      await ready(page)
      await warn.waitFor({ state: 'detached' })
    } finally {
      await context.close()
    }
  })

  await check('search: on a phone the box opens full-screen and a phone number finds the contact', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const page = await context.newPage()
    try {
      await login(page, 'director')
      await ready(page)
      const acct = acc ?? (await api(page, 'POST', '/api/v1/accounts', { code: `P${tag}`, name: `电话${tag}` })).json
      const phone = `137${tag.padStart(6, '0')}99`
      const c = await api(page, 'POST', `/api/v1/accounts/${acct.id}/contacts`, { name: `赵六${tag}`, phone: `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}` })
      assert(c.status === 201, `create contact ${c.status}`)
      await page.locator('[data-test=global-search-open]').tap()
      const box = page.locator('[data-test=global-search-input]')
      await box.waitFor()
      const w = await page.locator('[data-test=global-search]').boundingBox()
      assert(w && w.width >= 380 && w.height >= 800, `full-screen panel (${JSON.stringify(w)})`)
      await box.fill(phone)
      await ready(page)
      const hit = page.locator(`[data-test=global-search-hit][data-kind=contact][data-id="${c.json.id}"]`)
      await hit.waitFor()
      await k.shot(page, 'search-phone-zh-CN', { fullPage: false })
      const hb = await hit.boundingBox()
      assert(hb && hb.height >= 40, 'touch-sized result')
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
      assert(!overflow, 'no horizontal overflow')
      await hit.tap()
      await page.waitForURL((u) => u.pathname === `/accounts/${acct.id}` && u.searchParams.get('tab') === 'contacts')
      await ready(page)
    } finally {
      await context.close()
    }
  })
}
