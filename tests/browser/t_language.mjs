// Plain language (issue 12 item 2, the notifications page of item 6, the import history of item 7).
//
// - A form with a server validation message showing (a name with a text-direction control
//   character: only the server refuses it) and a client rule's message: switching the language
//   re-words both, in place.
// - The bell and the notifications page in zh-TW and en show no mixed-language text: the titles
//   are worded from key + params in the UI language; the page filters unread and by kind.
// - Import problems in Chinese: the column's words and the problem's words, no field names; the
//   import history shows the file name and who ran it.
// - The behaviour tab's seasonality method, the volume screen's forecast method and a target
//   plan's blend read as words, not codes.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const SNAKE = /\b[a-z]+(_[a-z0-9]+)+\b/
const CJK = /[\u3400-\u9fff]/
const LATIN_WORD = /[A-Za-z]{2,}/

export default async (k) => {
  const { check, assert, newPage, login, api, ready, shot, field, fieldError, browser, base } = k
  const Y = new Date().getFullYear()

  async function switchTo(p, code) {
    await p.locator('[data-test=lang-switch]').click()
    await p.locator(`[data-test="lang-${code}"]`).click()
    await p.waitForFunction((c) => document.documentElement.lang === c, code)
    await ready(p)
  }

  await check('language: a server validation message and a client rule message re-render on a language switch', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'msgs-form' })
    await login(p, 'director')
    await p.goto('/accounts/new')
    await p.locator('[data-test=account-form]').waitFor()
    await field(p, 'f-code').fill(`LANG-${Date.now() % 1e8}`)
    await field(p, 'f-name').fill('语言\u202e测试')
    await p.locator('[data-test=save]').click()
    const nameErr = fieldError(p, 'name')
    await nameErr.waitFor()
    const zh = await nameErr.innerText()
    assert(zh.includes('文字方向控制字符'), `zh-CN server message: ${zh}`)
    // a client rule's message on another field: an empty required code
    await field(p, 'f-code').fill('')
    await field(p, 'f-code').blur()
    const codeErr = fieldError(p, 'code')
    await codeErr.waitFor()
    assert((await codeErr.innerText()).trim() !== '', 'client rule message shown')
    const codeZh = await codeErr.innerText()
    await shot(p, 'language-form-zh-CN', { fullPage: false })
    await switchTo(p, 'zh-TW')
    await p.waitForFunction(() => (document.querySelector('[data-field="name"] .el-form-item__error')?.textContent ?? '').includes('字元'))
    assert((await nameErr.innerText()).includes('文字方向控制字元'), `zh-TW server message: ${await nameErr.innerText()}`)
    await switchTo(p, 'en')
    await p.waitForFunction(() => /control/i.test(document.querySelector('[data-field="name"] .el-form-item__error')?.textContent ?? ''))
    const en = await nameErr.innerText()
    assert(!CJK.test(en) && /text-direction control/i.test(en), `English server message: ${en}`)
    await p.waitForFunction((before) => {
      const t = document.querySelector('[data-field="code"] .el-form-item__error')?.textContent ?? ''
      return t !== '' && t !== before
    }, codeZh)
    const codeEn = await codeErr.innerText()
    assert(!CJK.test(codeEn), `English client rule message: ${codeEn}`)
    await shot(p, 'language-form-en', { fullPage: false })
    // the server refused the name: no account was stored under the code or the name
    const list = await api(p, 'GET', '/api/v1/accounts?q=' + encodeURIComponent('语言'))
    assert(list.status === 200, `accounts list: ${list.status}`)
    assert(!list.json.items.some((a) => a.name.includes('\u202e') || a.name.startsWith('语言')), `refused account stored: ${JSON.stringify(list.json.items.map((a) => a.name))}`)
    await context.close()
  })

  let leadId = 0
  await check('language: the bell and the notifications page in zh-TW and en show no mixed-language text', async () => {
    const { context: c1, page: d } = await newPage(browser, base, { label: 'msgs-director' })
    await login(d, 'director')
    const users = (await api(d, 'GET', '/api/v1/users?limit=500')).json.items
    const lead = users.find((u) => u.login === 'am.east1')
    assert(lead, 'am.east1 exists')
    leadId = lead.id
    const accs = (await api(d, 'GET', `/api/v1/accounts?owner_id=${lead.id}&limit=1`)).json.items
    assert(accs.length, 'an account of am.east1')
    const title = `#${Date.now() % 1e6}`
    const r = await api(d, 'POST', `/api/v1/accounts/${accs[0].id}/issues`, { title, assignee_id: lead.id })
    assert(r.status === 201, `issue created: ${r.status} ${JSON.stringify(r.json)}`)
    await c1.close()

    for (const loc of ['zh-TW', 'en']) {
      const { context, page: p } = await newPage(browser, base, { locale: loc, label: `msgs-bell-${loc}` })
      await login(p, 'am.east1')
      await ready(p)
      if ((await p.evaluate(() => document.documentElement.lang)) !== loc) await switchTo(p, loc)
      await p.locator('[data-test=bell]').click()
      const mine = p.locator('[data-test=notifications] [data-test=notification]', { hasText: title }).first()
      await mine.waitFor()
      const text = (await mine.locator('.np-subject').innerText()).replace(title, '')
      if (loc === 'zh-TW') assert(!LATIN_WORD.test(text) && text.includes('新問題') && !text.includes('问题'), `zh-TW bell: ${text}`)
      else assert(!CJK.test(text) && text.includes('New issue'), `en bell: ${text}`)
      const subjects = await p.locator('[data-test=notifications] .np-subject').allInnerTexts()
      assert(subjects.length > 0, `${loc}: the bell lists notifications`)
      for (const s of subjects) {
        // no stored "中文 English: …" title and no English template words in either language
        assert(!/[\u4e00-\u9fff]+ [A-Z][a-z]+ [a-z]+:/.test(s) && !SNAKE.test(s), `${loc}: a stored or raw title in the bell: ${s}`)
        if (loc === 'zh-TW') assert(CJK.test(s) && !/^[A-Z][a-z]+( [a-z]+)*:/.test(s), `zh-TW bell subject in Traditional Chinese words: ${s}`)
      }
      await shot(p, `bell-${loc}`, { fullPage: false })
      await p.locator('[data-test=see-all]').click()
      await p.waitForURL(/\/notifications$/)
      await p.locator('[data-test=notifications-page]').waitFor()
      const row = p.locator('[data-test=np-item]', { hasText: title }).first()
      await row.waitFor()
      const words = (await row.innerText()).replace(title, '')
      if (loc === 'zh-TW') assert(!LATIN_WORD.test(words.replace(/\d+/g, '')) && !SNAKE.test(words), `zh-TW page row: ${words}`)
      else assert(!CJK.test(words), `en page row: ${words}`)
      // unread filter, kind filter, mark read
      await p.locator('[data-test=np-show-unread]').click()
      await ready(p)
      const unreadRows = await p.locator('[data-test=np-item]').count()
      const apiUnread = (await api(p, 'GET', '/api/v1/notifications?unread=1&limit=20')).json.items.length
      assert(unreadRows === apiUnread, `unread rows ${unreadRows} = API ${apiUnread}`)
      await p.locator('[data-test=np-kind]').click()
      await p.locator('.el-select-dropdown__item:visible[data-test="np-kind-issue_assigned"]').click()
      await ready(p)
      // the issue assigned to am.east1 above is unread here: the filtered list holds it
      await p.locator('[data-test=np-item][data-kind=issue_assigned]', { hasText: title }).first().waitFor()
      const kinds = await p.locator('[data-test=np-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))
      const apiKind = (await api(p, 'GET', '/api/v1/notifications?unread=1&kind=issue_assigned&limit=20')).json.items.length
      assert(kinds.length > 0 && kinds.length === apiKind && kinds.every((x) => x === 'issue_assigned'), `kind filter: ${kinds} (API ${apiKind})`)
      await shot(p, `notifications-${loc}`, { fullPage: false })
      if (loc === 'en') {
        const target = p.locator('[data-test=np-item]', { hasText: title }).first()
        if (await target.count()) {
          await target.locator('[data-test=np-mark-read]').click()
          await target.waitFor({ state: 'detached' })
        }
        const all = (await api(p, 'GET', '/api/v1/notifications?limit=50')).json.items
        const it = all.find((n) => n.params?.title === title)
        assert(it && it.read_at, 'marked read on the server')
      }
      await context.close()
    }
  })

  await check('language: import problems in Chinese (column words, problem words), the history names the file and the user', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'msgs-import' })
    await login(p, 'director')
    const me = (await api(p, 'GET', '/api/v1/me')).json
    const acc = (await api(p, 'GET', '/api/v1/accounts?limit=1')).json.items[0]
    const prod = (await api(p, 'GET', '/api/v1/products?limit=1')).json.items[0]
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kam-msgs-'))
    const file = path.join(tmp, `订单-语言-${Date.now() % 1e6}.csv`)
    const ext = `LANG-${Date.now() % 1e8}`
    fs.writeFileSync(file, `external_id,date,account_code,sku,region,channel,quantity,amount,currency\n${ext},${Y}-13-01,${acc.code},${prod.sku},,,1,1.234,CNY\n`)
    await p.goto('/imports')
    await p.locator('[data-test=import-kind-orders]').click()
    // the column list and the mapping show words; the header names only as <code>
    const cols = await p.locator('.cols').innerText()
    assert(cols.includes('外部编号') && cols.includes('客户代码'), `column words: ${cols}`)
    await p.locator('[data-test=import-file]').setInputFiles(file)
    await p.locator('[data-test=import-use-mapping]').click()
    const mapText = await p.locator('[data-test=import-mapping]').evaluate((el) => {
      const c = el.cloneNode(true)
      c.querySelectorAll('code, input, .el-select').forEach((x) => x.remove())
      return c.textContent
    })
    assert(!SNAKE.test(mapText), `mapping shows words: ${mapText}`)
    await p.locator('[data-test=import-use-mapping]').click()
    await p.locator('[data-test=import-upload]').click()
    const rep = p.locator('[data-test=import-report]')
    await rep.waitFor()
    await p.locator('[data-test=import-problems]').waitFor()
    const reasons = await p.locator('[data-test=import-problem-reason]').allInnerTexts()
    const columns = await p.locator('[data-test=import-problem-column]').allInnerTexts()
    assert(reasons.some((x) => x.includes('不是日期') && x.includes(`${Y}-13-01`)), `date problem in Chinese: ${reasons}`)
    assert(reasons.some((x) => x.includes('位小数')), `amount problem in Chinese: ${reasons}`)
    for (const x of [...reasons, ...columns]) assert(!SNAKE.test(x) && !/is not|must be/.test(x), `no field names or English: ${x}`)
    assert(columns.includes('日期') && columns.includes('金额'), `column words: ${columns}`)
    const head = await rep.locator('.rep-head').innerText()
    assert(head.includes(path.basename(file)) && head.includes(me.name), `report head names file and user: ${head}`)
    await shot(p, 'import-problems-zh-CN', { fullPage: false })
    await p.reload()
    const pastFile = p.locator('[data-test=import-past] [data-test=import-past-file]', { hasText: path.basename(file) }).first()
    await pastFile.waitFor()
    const row = p.locator('[data-test=import-past] .el-table__row', { hasText: path.basename(file) }).first()
    assert((await row.innerText()).includes(me.name), `history row names the user: ${await row.innerText()}`)
    fs.rmSync(tmp, { recursive: true, force: true })
    await context.close()
  })

  await check('language: seasonality method, forecast method and target blend read as words in zh-CN, zh-TW and en', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'msgs-words' })
    await login(p, 'director')
    // an account with enough order history for a seasonality method (the biggest buyers first)
    const tops = (await api(p, 'GET', `/api/v1/sales/breakdown?by=account&from=${Y - 3}-01&to=${Y}-12&measure=quantity&limit=10`)).json.items
    let top = null
    for (const x of tops) {
      const bh = await api(p, 'GET', `/api/v1/accounts/${x.key}/behaviour`)
      if (bh.status === 200 && bh.json.season?.method && bh.json.season.method !== 'none') {
        top = x
        break
      }
    }
    assert(top, `no account among the top ${tops.length} buyers has a seasonality method`)
    const plan = await api(p, 'POST', '/api/v1/targets', {
      year: Y + 1, name: `混合计划 ${Date.now() % 1e6}`, measure: 'amount', total: 1000, dims: 'family', basis: 'blend',
      blend: 'last_year:60,forecast:40', deadline: `${Y + 1}-12-31`, specific: '提高重点客户的销量十个百分点以上', measurable: '按月度销售额衡量进度与完成率', achievable: '依据去年实际与预测综合确定', relevant: '与公司年度增长目标直接相关',
    })
    assert(plan.status === 201, `blend plan: ${plan.status} ${JSON.stringify(plan.json)}`)
    for (const loc of ['zh-CN', 'zh-TW', 'en']) {
      if (loc !== 'zh-CN') await switchTo(p, loc)
      await p.goto(`/accounts/${top.key}?tab=behaviour`)
      await p.locator('[data-test=bh-season]').waitFor()
      await ready(p)
      const sm = p.locator('[data-test=bh-season-method]')
      assert((await sm.count()) === 1, `${loc}: account ${top.key} shows no seasonality method`)
      {
        const s = await sm.innerText()
        assert(!SNAKE.test(s) && s.trim() !== '', `${loc} season method: ${s}`)
        if (loc !== 'en') assert(CJK.test(s), `${loc} season method in Chinese: ${s}`)
      }
      await p.goto('/volume')
      await p.locator('[data-test=vol-chart][data-ready="1"]').waitFor()
      await ready(p)
      const vm = p.locator('[data-test=vol-method]')
      assert((await vm.count()) === 1, `${loc}: the volume screen shows no forecast method`)
      {
        const s = await vm.innerText()
        assert(!/\+|\b[AMN]{2,}d?[AMN]?\b|_/.test(s), `${loc} forecast method: ${s}`)
        if (loc !== 'en') assert(CJK.test(s), `${loc} forecast method in Chinese: ${s}`)
      }
      await p.goto(`/targets/${plan.json.id}`)
      const bw = p.locator('[data-test=target-blend-words]')
      await bw.waitFor()
      const b = await bw.innerText()
      assert(!SNAKE.test(b) && !b.includes(':') && b.includes('60') && b.includes('40'), `${loc} blend: ${b}`)
      if (loc !== 'en') assert(CJK.test(b), `${loc} blend in Chinese: ${b}`)
      else assert(/last year/i.test(b), `en blend: ${b}`)
    }
    await shot(p, 'target-blend-en', { fullPage: false })
    await context.close()
  })
  await check('language: the notifications page and the imports page fit a 390 px and a 360 px phone (no horizontal overflow)', async () => {
    for (const width of [390, 360]) {
      const { context, page: p } = await newPage(browser, base, { locale: 'zh-TW', label: `msgs-phone-${width}` })
      await p.setViewportSize({ width, height: 844 })
      await login(p, 'director')
      for (const url of ['/notifications', '/imports']) {
        await p.goto(url)
        await ready(p)
        if (url === '/notifications') await p.locator('[data-test=notifications-page]').waitFor()
        const over = await p.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
        assert(over <= 1, `${url} at ${width} px overflows by ${over} px`)
        if (url === '/notifications' && width === 390) await shot(p, 'notifications-phone-zh-TW', { fullPage: false })
      }
      await context.close()
    }
  })
  void leadId
}
