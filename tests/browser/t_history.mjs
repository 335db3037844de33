// Readable history and the small things users hit (issue 12, items 3 and 7).
//
// - The account history in zh-CN shows labels, not internal names; money with its currency
//   (a wallet estimate of 1234567 fen reads 12,345.67 with CNY, not 1,234,567); a year without a
//   thousands separator; the actor's display name, not the login.
// - Every field the services audit (audit_diff_* / update_spec in src/svc) has an entry in the
//   web's table (web/src/components/auditFields.ts) and a label in all three languages.
// - A visit shows its duration, place and purpose; on a phone (390x844) with the browser's
//   location allowed, 签到 stores the check-in with its accuracy and shows it, with no
//   horizontal overflow.
// - A past date typed in the plan form shows an error next to the field and plans nothing.
// - The timeline shows each day once; entries show their time only.
// - A long e-mail in the contacts tab shows in full in a tooltip.
// - One's own password form is reachable from the user menu on desktop and on a phone.
import fs from 'node:fs'
import path from 'node:path'

const PHONE = { width: 390, height: 844 }

/** Field names the services write into the audit log, by source file (for the table check). */
function auditedFields(root) {
  const out = new Set()
  const walk = (d) => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n)
      if (fs.statSync(p).isDirectory()) walk(p)
      else if (n.endsWith('.c'))
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/audit_diff_(?:str|i64|time)\(\s*[^,]+,\s*"([a-z_0-9]+)"/g)) out.add(m[1])
    }
  }
  walk(path.join(root, 'src', 'svc'))
  return out
}

export default async (k) => {
  const { check, assert, newPage, login, api, ready, shot, fillDate, fieldError, iso, browser, base } = k
  const Y = new Date().getFullYear()
  let ctx = null
  const w = {} // the records the checks share

  await check('history: every audited field has an entry in the web table and a label in zh-CN, zh-TW and en', async () => {
    const table = fs.readFileSync(path.join(k.ROOT, 'web/src/components/auditFields.ts'), 'utf8')
    const known = new Set([...table.matchAll(/\b([a-z_0-9]+): F\(/g)].map((m) => m[1]))
    const missing = [...auditedFields(k.ROOT)].filter((f) => !known.has(f))
    assert(!missing.length, `audited fields without an entry in auditFields.ts: ${missing.join(', ')}`)
    for (const loc of ['zh-CN', 'zh-TW', 'en']) {
      // every feature's file of the language is merged over the base (web/src/i18n): audit.f.* may
      // live in any of them (history.json, risks.json ...)
      const dir = path.join(k.ROOT, `web/src/locales/${loc}`)
      const labelled = new Set()
      for (const n of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
        const msgs = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8'))
        for (const f of Object.keys(msgs.audit?.f ?? {})) labelled.add(f)
      }
      // an entry with its own label key names a message elsewhere; the rest use audit.f.<field>
      const own = new Set([...table.matchAll(/\b([a-z_0-9]+): F\([^)]*label:/g)].map((m) => m[1]))
      const nolabel = [...known].filter((f) => !own.has(f) && !labelled.has(f))
      assert(!nolabel.length, `${loc}: fields without a label: ${nolabel.join(', ')}`)
    }
  })

  await check('history: set-up (an account with revenue in USD, a wallet estimate, a locked tier, a contact with a long e-mail, a visit with details)', async () => {
    ctx = await newPage(browser, base, { label: 'history' })
    const p = ctx.page
    await login(p, 'director')
    const me = (await api(p, 'GET', '/api/v1/me')).json
    w.me = me
    const code = `HIS${Date.now() % 1000000}`
    const acc = await api(p, 'POST', '/api/v1/accounts', { code, name: `历史可读客户 ${code}`, tier: 'growth', employees: 1200, revenue: { amount: 987654321, currency: 'USD' }, owner_id: me.id })
    assert(acc.status === 201, `account: ${acc.status} ${JSON.stringify(acc.json)}`)
    w.acc = acc.json
    const up = await api(p, 'PATCH', `/api/v1/accounts/${w.acc.id}`, { tier: 'key', tier_locked: true, version: acc.json.version })
    assert(up.status === 200, `PATCH tier: ${up.status} ${JSON.stringify(up.json)}`)
    const wal = await api(p, 'PUT', `/api/v1/accounts/${w.acc.id}/wallet/${Y}`, { amount: 1234567, note: '行业报告估算' })
    assert(wal.status === 200, `wallet: ${wal.status} ${JSON.stringify(wal.json)}`)
    w.email = `a.very.long.mailbox.name.for.procurement.department.${code.toLowerCase()}@subsidiary-of-a-long-company-name.example.com`
    const con = await api(p, 'POST', `/api/v1/accounts/${w.acc.id}/contacts`, { name: '欧阳长名字联系人', title: '采购总监', email: w.email })
    assert(con.status === 201, `contact: ${con.status} ${JSON.stringify(con.json)}`)
    w.contact = con.json
    const when = new Date(Date.now() + 2 * 86400_000)
    when.setHours(10, 0, 0, 0)
    const v = await api(p, 'POST', `/api/v1/accounts/${w.acc.id}/visits`, { contact_id: w.contact.id, kind: 'onsite', planned_at: iso(when), duration_min: 90, place: '客户总部 3 楼会议室', purpose: '介绍新品，确认试点范围' })
    assert(v.status === 201 && v.json.duration_min === 90, `visit: ${v.status} ${JSON.stringify(v.json)}`)
    w.visit = v.json
    // two interactions on one day, one on another
    const d1 = new Date(Date.now() - 86400_000)
    d1.setHours(9, 0, 0, 0)
    const d1b = new Date(d1)
    d1b.setHours(15, 30, 0, 0)
    const d2 = new Date(Date.now() - 5 * 86400_000)
    d2.setHours(11, 0, 0, 0)
    for (const [subject, at] of [['上午电话沟通', d1], ['下午发送报价', d1b], ['上周拜访回顾', d2]]) {
      const r = await api(p, 'POST', `/api/v1/accounts/${w.acc.id}/interactions`, { kind: 'call', subject, occurred_at: iso(at), contact_ids: [w.contact.id] })
      assert(r.status === 201, `interaction: ${r.status} ${JSON.stringify(r.json)}`)
    }
  })

  await check('history: the account history in zh-CN shows labels, money with its currency, a year without grouping and the actor by name', async () => {
    assert(ctx && w.acc, 'no set-up')
    const p = ctx.page
    p.setScreen('history')
    await p.goto(`/accounts/${w.acc.id}?tab=history`)
    await p.locator('[data-test=history] .el-timeline-item').first().waitFor()
    await ready(p)
    const text = await p.locator('[data-test=history]').innerText()
    for (const raw of ['tier_locked', 'revenue_amount', 'revenue_currency', 'wallet', 'employees', 'duration_min', 'owner_id', 'business_scale'])
      assert(!new RegExp(`\\b${raw}\\b`).test(text), `raw field name "${raw}" on screen`)
    assert(text.includes('等级锁定') && text.includes('客户等级') && text.includes('员工人数'), 'field labels (等级锁定, 客户等级, 员工人数)')
    // the PATCH locked the tier: its row reads 否 → 是 (words, not false/true)
    const locked = p.locator('[data-test=history] [data-field=tier_locked]').first()
    assert((await locked.count()) === 1, 'no tier_locked row in the history')
    const lockedTo = (await locked.locator('.a').innerText()).trim()
    assert(lockedTo === '是', `tier_locked shows "${lockedTo}", not 是`)
    const lockedFrom = locked.locator('.b')
    if (await lockedFrom.count()) assert((await lockedFrom.innerText()).trim() === '否', `tier_locked was "${await lockedFrom.innerText()}", not 否`)
    assert(text.includes('重点') && text.includes('成长'), 'tiers translated')
    const wallet = p.locator('[data-test=history] [data-field=amount]').first()
    const wt = await wallet.innerText()
    assert(/12,345\.67/.test(wt) && /CNY/.test(wt), `wallet amount with its currency: "${wt}"`)
    assert(!/1,234,567/.test(text), 'the wallet amount in fen')
    assert(text.includes(`${Y}`) && !text.includes(`${Math.floor(Y / 1000)},${String(Y % 1000).padStart(3, '0')}`), `the year ${Y} without a thousands separator`)
    const rev = await p.locator('[data-test=history] [data-field=revenue_amount]').first().innerText()
    assert(/9,876,543\.21/.test(rev) && /US\$|\$|USD/.test(rev), `revenue with its currency: "${rev}"`)
    const present = await p.locator('[data-test=history] [data-field=contact_ids]').first().innerText()
    assert(present.includes(w.contact.name), `people present by name: "${present}"`)
    const actor = await p.locator('[data-test=history-actor]').first().innerText()
    assert(w.me.name && actor.includes(w.me.name) && !actor.includes(w.me.login), `actor by name "${w.me.name}", not login: "${actor}"`)
    await shot(p, 'history-zh-CN', { fullPage: false })
  })

  await check('history: the timeline shows each day once and each entry its time only', async () => {
    assert(ctx && w.acc, 'no set-up')
    const p = ctx.page
    p.setScreen('timeline')
    await p.goto(`/accounts/${w.acc.id}?tab=timeline`)
    await p.locator('[data-test=interaction]').first().waitFor()
    await ready(p)
    const days = await p.locator('[data-test=timeline-day]').evaluateAll((els) => els.map((e) => e.getAttribute('data-day')))
    assert(days.length === 2 && new Set(days).size === 2, `two day headings, no repeat: ${JSON.stringify(days)}`)
    const times = await p.locator('[data-test=interaction-time]').allInnerTexts()
    assert(times.length === 3 && times.every((s) => !/\d{4}|月|\//.test(s)), `entries show the time only: ${JSON.stringify(times)}`)
  })

  await check('history: a long e-mail in the contacts tab shows in full in a tooltip', async () => {
    assert(ctx && w.contact, 'no set-up')
    const p = ctx.page
    p.setScreen('contacts')
    await p.goto(`/accounts/${w.acc.id}?tab=contacts`)
    const cell = p.locator('[data-test=contacts-table] [data-test=contact-email]').first()
    await cell.waitFor()
    await ready(p)
    const clipped = await cell.evaluate((el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === 'ellipsis')
    assert(clipped, 'the long e-mail is cut with an ellipsis in its column (else no tooltip is needed)')
    assert((await cell.getAttribute('title')) === w.email, 'its tooltip (title) holds the whole address')
    const name = p.locator('[data-test=contacts-table] [data-test=contact-name] b').first()
    assert((await name.getAttribute('title')) === w.contact.name, 'the name carries its tooltip too')
    await p.mouse.move(5, 5)
  })

  await check('visits: a visit shows its duration, place and purpose; a past date in the plan form is refused next to the field', async () => {
    assert(ctx && w.visit, 'no set-up')
    const p = ctx.page
    p.setScreen('visit-details')
    await p.goto(`/visits?focus=${w.visit.id}`)
    const dlg = p.locator(`[data-test=visit-dialog][data-visit-id="${w.visit.id}"]`)
    await dlg.waitFor()
    await ready(p)
    assert((await dlg.locator('[data-test=v-duration]').innerText()).includes('90'), 'duration shown')
    assert((await dlg.locator('[data-test=v-place]').innerText()) === '客户总部 3 楼会议室', 'place shown')
    assert((await dlg.locator('[data-test=v-purpose]').innerText()) === '介绍新品，确认试点范围', 'purpose shown')
    await dlg.locator('.el-dialog__headerbtn').click()
    await dlg.waitFor({ state: 'hidden' })

    const before = (await api(p, 'GET', `/api/v1/visits?account_id=${w.acc.id}`)).json.items.length
    await p.locator('[data-test=plan-visit]').click()
    const pd = p.locator('[data-test=plan-dialog]')
    await pd.waitFor()
    await p.locator('[data-test=p-account]').click()
    await k.field(p, 'p-account').fill(w.acc.name)
    await p.locator('.el-select-dropdown__item:visible', { hasText: w.acc.name }).first().click()
    const past = new Date(Date.now() - 3 * 86400_000)
    past.setHours(10, 0, 0, 0)
    await fillDate(p, 'p-time', past)
    await p.locator('[data-test=p-save]').click()
    const err = fieldError(pd, 'planned_at')
    await err.waitFor()
    assert((await err.innerText()).includes('过去'), `the error names the past date: "${await err.innerText()}"`)
    const value = await k.field(p, 'p-time').inputValue()
    assert(value.startsWith(k.localDay(past)), `the typed date stays in the field: "${value}"`)
    await shot(p, 'visit-plan-past-zh-CN', { fullPage: false })
    const after = (await api(p, 'GET', `/api/v1/visits?account_id=${w.acc.id}`)).json.items.length
    assert(after === before, `nothing planned (${before} -> ${after})`)
    await pd.locator('.el-dialog__headerbtn').click()
    await pd.waitFor({ state: 'hidden' })
  })

  await check('visits: check-in (外勤签到) on a phone with the browser location stores it with its accuracy and shows it', async () => {
    assert(w.visit, 'no set-up')
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true, geolocation: { latitude: 31.230416, longitude: 121.473701, accuracy: 12.4 }, permissions: ['geolocation'] })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    p.on('pageerror', (e) => k.problems.push({ where: 'history-phone', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      await login(p, 'director')
      await p.goto(`/visits?focus=${w.visit.id}`)
      const dlg = p.locator(`[data-test=visit-dialog][data-visit-id="${w.visit.id}"]`)
      await dlg.waitFor()
      await ready(p)
      const btn = dlg.locator('[data-test=v-checkin-btn]')
      const box = await btn.boundingBox()
      assert(box && box.height >= 40, `the check-in button is touch-sized (${box?.height}px)`)
      await btn.click()
      await dlg.locator('[data-test=v-checkin-state]').waitFor()
      await ready(p)
      const v = (await api(p, 'GET', `/api/v1/visits/${w.visit.id}`)).json
      assert(v.checkin_lat === 31.230416 && v.checkin_lon === 121.473701 && v.checkin_accuracy_m === 13 && v.checkin_at, `stored: ${JSON.stringify(v)}`)
      const state = await dlg.locator('[data-test=v-checkin-state]').innerText()
      assert(state.includes('13'), `accuracy shown: "${state}"`)
      assert((await dlg.locator('[data-test=v-checkin-coords]').innerText()).includes('31.230416'), 'coordinates shown')
      const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert(over <= 0, `no horizontal overflow at 390 px (${over}px)`)
      await shot(p, 'visit-checkin-phone-zh-CN', { fullPage: false })
      // the audit row of the check-in reads as words in the account history
      await dlg.locator('.el-dialog__headerbtn').click()
      await dlg.waitFor({ state: 'hidden' })
      await p.goto(`/accounts/${w.acc.id}?tab=history`)
      await p.locator('[data-test=history] [data-field=checkin_accuracy_m]').first().waitFor()
      const t = await p.locator('[data-test=history] [data-field=checkin_accuracy_m]').first().innerText()
      assert(t.includes('签到精度') && t.includes('13'), `history shows the check-in: "${t}"`)
      const over2 = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert(over2 <= 0, `history: no horizontal overflow at 390 px (${over2}px)`)
      await shot(p, 'history-phone-zh-CN', { fullPage: false })
      // one's own password: from the user menu on a phone
      await p.locator('[data-test=user-menu]').click()
      await p.locator('[data-test=password-open]').click()
      await p.locator('[data-test=profile-dialog] [data-test=pw-old]').waitFor()
    } finally {
      await context.close()
    }
  })

  await check('profile: one\'s own password form is reachable from the user menu on the desktop', async () => {
    assert(ctx, 'no set-up')
    const p = ctx.page
    await p.goto('/')
    await ready(p)
    await p.locator('[data-test=user-menu]').click()
    await p.locator('[data-test=password-open]').click()
    await p.locator('[data-test=profile-dialog] [data-test=pw-old]').waitFor()
    await ctx.context.close()
    ctx = null
  })
  if (ctx) await ctx.context.close()
}
