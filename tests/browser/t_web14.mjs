// Issue 14 leftovers (WEB14): the survey drivers' admin screen (Settings › Survey drivers): add a
// driver and rename it, with the server's validation on the field, on a desktop in zh-CN and on
// a 390x844 phone in zh-TW (cards, no sideways scrolling); the account page's survey links tab
// (a demo link shows; a new link is copied and revoked); the tone line (Settings › Feedback
// routing) is moved and the API has it.
const PHONE = { width: 390, height: 844 }
const RAW = /\b[a-z]+(_[a-z0-9]+)+\b/

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const n = Date.now() % 100000

  async function addAndRename(p, { key, zh, tw, en, dept, renamed, narrow }) {
    await p.goto('/settings?tab=drivers')
    await p.locator('[data-test=drivers-settings]').waitFor()
    await ready(p)
    const list = narrow ? '[data-test=drivers-table-cards] [data-test=card]' : '[data-test=drivers-table] .el-table__row'
    await p.locator(list).first().waitFor()
    assert((await p.locator(list).count()) >= 7, 'the seven seeded drivers are listed')
    await p.locator('[data-test=driver-add]').click()
    const dlg = p.locator('[data-test=driver-dialog]')
    await dlg.waitFor()
    // the server's validation, next to the field
    await field(p, 'driver-key').fill('Bad Key')
    await field(p, 'driver-label-zh-CN').fill(zh)
    await k.chooseOption(p, 'driver-dept', dept)
    await dlg.locator('[data-test=driver-save]').click()
    await dlg.locator('[data-field=key] .el-form-item__error').waitFor()
    await field(p, 'driver-key').fill(key)
    await field(p, 'driver-label-zh-TW').fill(tw)
    await field(p, 'driver-label-en').fill(en)
    await dlg.locator('[data-test=driver-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    await ready(p)
    let d = (await api(p, 'GET', '/api/v1/survey-drivers')).json.items.find((x) => x.key === key)
    assert(d && d.label['zh-CN'] === zh && d.label['zh-TW'] === tw && d.label.en === en && d.dept_role === 'technical' && d.active, `stored: ${JSON.stringify(d)}`)
    // "Add" with a key already listed is refused on the key field: no PUT overwrites the driver
    let puts = 0
    const countPut = (rq) => {
      if (rq.method() === 'PUT' && rq.url().includes('/api/v1/survey-drivers')) puts++
    }
    p.on('request', countPut)
    await p.locator('[data-test=driver-add]').click()
    await dlg.waitFor()
    await field(p, 'driver-key').fill(key)
    await field(p, 'driver-label-zh-CN').fill(`覆盖${n}`)
    await k.chooseOption(p, 'driver-dept', dept)
    await dlg.locator('[data-test=driver-save]').click()
    const taken = dlg.locator('[data-field=key] .el-form-item__error')
    await taken.waitFor()
    const takenText = await taken.innerText()
    assert(takenText.includes(key) && takenText.includes(narrow ? '已有鍵' : '已有键'), `the key is refused on its field: ${takenText}`)
    assert(await dlg.isVisible(), 'the dialog stays open')
    await dlg.locator('.el-dialog__footer .el-button').first().click()
    await dlg.waitFor({ state: 'hidden' })
    p.off('request', countPut)
    assert(puts === 0, `no PUT was sent for the taken key (${puts})`)
    d = (await api(p, 'GET', '/api/v1/survey-drivers')).json.items.find((x) => x.key === key)
    assert(d && d.label['zh-CN'] === zh && d.dept_role === 'technical', `the driver is unchanged: ${JSON.stringify(d)}`)
    // rename it in English
    const row = p.locator(list, { hasText: narrow ? tw : zh })
    await row.locator('[data-test=driver-edit]').click()
    await dlg.waitFor()
    assert(await field(p, 'driver-key').isDisabled(), 'the key cannot change')
    await field(p, 'driver-label-en').fill(renamed)
    await dlg.locator('[data-test=driver-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    d = (await api(p, 'GET', '/api/v1/survey-drivers')).json.items.find((x) => x.key === key)
    assert(d && d.label.en === renamed && d.label['zh-CN'] === zh, `renamed: ${JSON.stringify(d)}`)
    // deactivate, reactivate
    await row.locator('[data-test=driver-toggle]').click()
    await ready(p)
    d = (await api(p, 'GET', '/api/v1/survey-drivers')).json.items.find((x) => x.key === key)
    assert(d && !d.active, 'deactivated')
    await row.locator('[data-test=driver-toggle]').click()
    await ready(p)
    d = (await api(p, 'GET', '/api/v1/survey-drivers')).json.items.find((x) => x.key === key)
    assert(d && d.active, 'reactivated')
    const text = await p.locator('[data-test=drivers-settings]').innerText()
    assert(!RAW.test(text.replace(key, '')), `no raw identifiers: ${text.slice(0, 300)}`)
  }

  await check('web14: survey drivers — add and rename on a desktop (zh-CN)', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'web14-drivers' })
    try {
      await login(p, 'admin')
      await addAndRename(p, { key: `w14_pack_${n}`, zh: `包装质量${n}`, tw: `包裝品質${n}`, en: `Packaging ${n}`, dept: '技术', renamed: `Packaging quality ${n}` })
      await k.shot(p, 'web14-drivers')
    } finally {
      await context.close()
    }
  })

  await check('web14: survey drivers — add and rename on a 390x844 phone (zh-TW)', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-TW', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    p.on('pageerror', (e) => k.problems.push({ where: 'web14-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      await login(p, 'admin')
      await addAndRename(p, { key: `w14_doc_${n}`, zh: `文件齐全${n}`, tw: `文件齊全${n}`, en: `Documents ${n}`, dept: '技術', renamed: `Paperwork ${n}`, narrow: true })
      await k.shot(p, 'web14-drivers-phone')
      const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling on the phone (${wide} px)`)
      const head = await p.locator('[data-test=drivers-settings]').innerText()
      assert(head.includes('驅動因素') && head.includes('技術'), `in Traditional Chinese: ${head.slice(0, 200)}`)
      await p.goto('/settings?tab=feedback')
      await p.locator('[data-test=tone-settings]').waitFor()
      await ready(p)
      const w2 = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(w2 <= PHONE.width + 1, `feedback settings: no sideways scrolling (${w2} px)`)
    } finally {
      await context.close()
    }
  })

  await check('web14: the account page lists its survey links; copy a new link, revoke one', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'web14-links' })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
    try {
      await login(p, 'admin')
      const open = (await api(p, 'GET', '/api/v1/surveys?status=open&limit=10')).json.items
      let demo = null
      let survey = null
      for (const s of open) {
        const ls = (await api(p, 'GET', `/api/v1/surveys/${s.id}/links?limit=5`)).json.items
        if (ls.length) {
          demo = ls[0]
          survey = s
          break
        }
      }
      assert(demo, 'an open demo survey has links')
      const acc = demo.account_id
      // a link of our own, to copy and revoke (the demo's stay as they are)
      const cname = `链接测试${n}`
      const c = await api(p, 'POST', `/api/v1/accounts/${acc}/contacts`, { name: cname })
      assert(c.status === 201, `contact: ${c.status}`)
      const sent = await api(p, 'POST', `/api/v1/surveys/${survey.id}/links`, { contact_ids: [c.json.id], channel: 'copy', lang: 'zh-CN' })
      assert(sent.status === 201 && sent.json.items.length === 1, `sent: ${JSON.stringify(sent.json).slice(0, 300)}`)
      const lid = sent.json.items[0].id
      await p.goto(`/accounts/${acc}?tab=surveylinks`)
      await p.locator('[data-test=account-survey-links]').waitFor()
      await ready(p)
      const rows = p.locator('[data-test=account-links-table] .el-table__row')
      await rows.first().waitFor()
      const all = (await api(p, 'GET', `/api/v1/accounts/${acc}/survey-links?limit=50`)).json.items
      assert(all.some((l) => l.id === demo.id), 'the demo link is the account\'s')
      const demoRow = rows.filter({ hasText: demo.contact_name || '—' }).first()
      await demoRow.waitFor()
      const text = await p.locator('[data-test=account-survey-links]').innerText()
      assert(!RAW.test(text), `no raw identifiers: ${text.slice(0, 300)}`)
      const title = survey.title['zh-CN'] || survey.title['zh-TW'] || survey.title.en
      assert(text.includes(title), `the survey's title is shown: ${title}`)
      // copy: a new link (the old one stops working), shown once, copied
      const mine = rows.filter({ hasText: cname })
      const reissued = p.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/v1\/survey-links\/\d+\/reissue$/.test(r.url()))
      await mine.locator('[data-test=link-reissue]').click()
      const given = await (await reissued).json()
      const url = await field(p, 'fresh-url').inputValue()
      // the public page's form: <base>/s#<token> (svc/needs/survey_link.c), 16 random bytes base64url
      assert(url === given.url, `the server's new link is shown: ${url} vs ${given.url}`)
      assert(/^https?:\/\/[^/?#]+(\/[^?#]*)?\/s#[A-Za-z0-9_-]{22}$/.test(url), `a link to the public page: ${url}`)
      await p.locator('[data-test=fresh-copy]').click()
      await p.locator('[data-test=fresh-copy]', { hasText: '已复制' }).waitFor()
      const clip = await p.evaluate(() => navigator.clipboard.readText())
      assert(clip === url, `the clipboard has the link: ${clip}`)
      // revoke it
      await mine.locator('[data-test=link-revoke]').click()
      await p.locator('.el-message-box__btns .el-button--primary').click()
      await ready(p)
      await mine.waitFor({ state: 'detached' })
      const after = (await api(p, 'GET', `/api/v1/accounts/${acc}/survey-links?limit=50`)).json.items
      assert(!after.some((l) => l.id === lid || l.id === given.id), 'the revoked link is gone')
      assert((await p.locator('[data-test=link-fresh]').count()) === 0, 'the revoked link\'s new address is no longer shown')
      await k.shot(p, 'web14-links')
      // the phone: cards, no sideways scrolling
      await p.setViewportSize(PHONE)
      await p.reload()
      await p.locator('[data-test=account-links-cards] [data-test=card]').first().waitFor()
      await ready(p)
      const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
      assert(wide <= PHONE.width + 1, `no sideways scrolling on the phone (${wide} px)`)
    } finally {
      await context.close()
    }
  })

  await check('web14: move the tone line on the feedback settings', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'web14-tone' })
    try {
      await login(p, 'admin')
      await p.goto('/settings?tab=feedback')
      await p.locator('[data-test=tone-settings]').waitFor()
      await ready(p)
      const explain = await p.locator('[data-test=tone-explain]').innerText()
      assert(explain.includes('负面') && explain.includes('跟进'), `explained in Chinese: ${explain}`)
      assert((await field(p, 'tone-line').inputValue()) === '0.150', 'the default line 0.150')
      // an emptied field is refused on the field, nothing sent
      let patches = 0
      const countPatch = (rq) => {
        if (rq.method() === 'PATCH' && rq.url().includes('/api/v1/settings/tone')) patches++
      }
      p.on('request', countPatch)
      await field(p, 'tone-line').fill('')
      await p.locator('[data-test=tone-save]').click()
      const req = p.locator('[data-field=negative_below_ppm] .el-form-item__error')
      await req.waitFor()
      assert((await req.innerText()).includes('必填'), `required on the field: ${await req.innerText()}`)
      p.off('request', countPatch)
      assert(patches === 0, `no PATCH for an empty field (${patches})`)
      assert((await api(p, 'GET', '/api/v1/settings/tone')).json.negative_below_ppm === 150000, 'the line is unchanged')
      // a line finer than the field's 3 decimals survives a Save that did not change it
      assert((await api(p, 'PATCH', '/api/v1/settings/tone', { negative_below_ppm: 123456 })).status === 200, 'set 123456')
      await p.reload()
      await p.locator('[data-test=tone-settings]').waitFor()
      await ready(p)
      assert((await field(p, 'tone-line').inputValue()) === '0.123', 'shown as 0.123')
      await p.locator('[data-test=tone-save]').click()
      await ready(p)
      const kept = (await api(p, 'GET', '/api/v1/settings/tone')).json
      assert(kept.negative_below_ppm === 123456, `an unchanged Save keeps 123456: ${JSON.stringify(kept)}`)
      await field(p, 'tone-line').fill('0.2')
      await p.locator('[data-test=tone-save]').click()
      await ready(p)
      const got = (await api(p, 'GET', '/api/v1/settings/tone')).json
      assert(got.negative_below_ppm === 200000, `saved: ${JSON.stringify(got)}`)
      const back = await api(p, 'PATCH', '/api/v1/settings/tone', { negative_below_ppm: 150000 })
      assert(back.status === 200, 'back to the default')
      await k.shot(p, 'web14-tone')
    } finally {
      await context.close()
    }
  })
}
