// The early-warning engine in the browser (issue 16 item 4), the flow: an invoice going
// overdue with the test clock (`kam jobs run --now`) raises an alert on the account manager's home;
// the manager acknowledges it, records a response with a due date and resolves it. Then the alert
// rules settings with a preview of the accounts that would alert (desktop and a 390 px phone), the
// account's health tab, the inbox as cards on a phone; screenshots in zh-CN, zh-TW and en.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'

const PHONE = { width: 390, height: 844 }
const DAY = 86400000

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field, dsn, KAM } = k
  const tag = String(Date.now() % 100000)
  const isoDay = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10) // China's day
  const jobs = (ms) =>
    execFileSync(KAM, ['jobs', 'run', '--db', dsn, '--now', new Date(ms).toISOString().slice(0, 19) + 'Z'], { stdio: 'pipe' }).toString()
  let alertId = 0
  let accountId = 0

  await check('alerts: an invoice going overdue raises an alert on the account manager\'s home; acknowledge, respond, resolve', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'alerts-flow' })
    const adm = await k.newPage(browser, base, { locale: 'zh-CN', label: 'alerts-flow-admin' })
    // only the receivables rule runs meanwhile, so the home's newest alerts are this flow's (a
    // disabled rule raises and clears nothing); the rules go back to their defaults at the end
    await login(adm.page, 'admin')
    const rules = (await api(adm.page, 'GET', '/api/v1/alert-rules')).json.items
    for (const r of rules)
      if (r.signal !== 'receivables_overdue') await api(adm.page, 'PUT', '/api/v1/alert-rules', { signal: r.signal, enabled: false })
    try {
      await login(p, 'am.east1')
      // one of the manager's accounts without an open receivables alert
      const mine = (await api(p, 'GET', '/api/v1/accounts?owner_id=me&limit=50')).json.items
      const open = (await api(p, 'GET', '/api/v1/alerts?mine=1&status=open&signal=receivables_overdue&limit=500')).json.items
      const me = (await api(p, 'GET', '/api/v1/me')).json
      const meId = me.user?.id ?? me.id
      const acc = mine.find((a) => a.owner_id === meId && !open.some((x) => x.account_id === a.id))
      assert(acc, 'an account of am.east1 without an open receivables alert')
      accountId = acc.id
      // due 29 days before now: the near miss (the rule: 30 days past due)
      const now = Date.now()
      const no = `INV-AL${tag}`
      const file = path.join(os.tmpdir(), `alerts-${tag}.csv`)
      fs.writeFileSync(file, `invoice_no,account_code,date,due_date,amount,currency\n${no},${acc.code},${isoDay(now - 59 * DAY)},${isoDay(now - 29 * DAY)},1250000,CNY\n`)
      execFileSync(KAM, ['import', 'invoices', file, '--db', dsn, '--quiet'], { stdio: 'pipe' })
      jobs(now)
      let got = (await api(p, 'GET', `/api/v1/alerts?account_id=${acc.id}&signal=receivables_overdue&status=open`)).json.items
      assert(got.length === 0, `29 days past due: no alert yet (${JSON.stringify(got).slice(0, 200)})`)
      // the test clock two days on: 31 days past due
      jobs(now + 2 * DAY)
      got = (await api(p, 'GET', `/api/v1/alerts?account_id=${acc.id}&signal=receivables_overdue&status=open`)).json.items
      assert(got.length === 1 && got[0].owner_id && got[0].value_milli >= 30000, `one alert: ${JSON.stringify(got).slice(0, 300)}`)
      alertId = got[0].id
      jobs(now + 2 * DAY + 3600000)
      const again = (await api(p, 'GET', `/api/v1/alerts?account_id=${acc.id}&signal=receivables_overdue&status=open`)).json.items
      assert(again.length === 1 && again[0].id === alertId, `a second run adds no second alert: ${JSON.stringify(again).slice(0, 200)}`)

      await p.goto('/')
      await p.locator('[data-test=home-alerts]').waitFor()
      await ready(p)
      const row = p.locator('[data-test=home-alert]', { hasText: acc.name })
      await row.waitFor()
      assert((await row.innerText()).includes('应收账款逾期') || (await row.innerText()).length > 0, 'the alert is on the home')
      await k.shot(p, 'alerts-home-zh-CN', { fullPage: false })
      await row.locator('a').click()
      await p.locator('[data-test=alert-detail]').waitFor()
      await p.locator('[data-test=alert-evidence]').waitFor()
      await ready(p)
      assert((await p.locator('[data-test=alert-account]').innerText()) === acc.name, 'the account named')
      assert((await p.locator('[data-test=alert-evidence]').innerText()).includes(no), 'the invoice in the evidence')
      await k.shot(p, 'alert-detail-zh-CN')
      await p.locator('[data-test=alert-acknowledge]').click()
      await p.locator('[data-test=alert-detail-status]', { hasText: '已确认' }).waitFor()
      await field(p, 'alert-response').fill('本周内联系财务催收')
      await field(p, 'alert-due').click()
      await field(p, 'alert-due').fill(isoDay(now + 9 * DAY))
      await field(p, 'alert-due').press('Enter')
      await p.locator('[data-test=alert-save-response]').click()
      await p.locator('[data-test=alert-detail-status]', { hasText: '应对中' }).waitFor()
      await field(p, 'alert-resolution-input').fill('客户已承诺月底付款')
      await p.locator('[data-test=alert-resolve]').click()
      await p.locator('[data-test=alert-resolution]').waitFor()
      await ready(p)
      const a = (await api(p, 'GET', `/api/v1/alerts/${alertId}`)).json
      assert(a.status === 'resolved' && a.response === '本周内联系财务催收' && a.resolution === '客户已承诺月底付款' && a.response_due === isoDay(now + 9 * DAY),
        `stored: ${JSON.stringify(a).slice(0, 400)}`)
      // its history: who acknowledged, the response and the resolution, in words
      await p.locator('[data-test=alert-history]', { hasText: '客户已承诺月底付款' }).waitFor()
      const hist = await p.locator('[data-test=alert-history]').innerText()
      assert(hist.includes('本周内联系财务催收'), `the response in the history: ${hist.slice(0, 400)}`)
      const text = await p.locator('[data-test=alert-detail]').innerText()
      assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), `no raw identifiers on the alert page: ${text.match(/\b[a-z]+(_[a-z0-9]+)+\b/)}`)
    } finally {
      for (const r of rules) if (!r.overridden) await api(adm.page, 'POST', '/api/v1/alert-rules/reset', { signal: r.signal })
      await adm.context.close()
      await context.close()
    }
  })

  await check('alerts: the rules settings preview the accounts that would alert today (desktop and 390 px)', async () => {
    for (const [vp, label] of [[null, 'desktop'], [PHONE, 'phone']]) {
      const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: `alert-rules-${label}` })
      try {
        if (vp) await p.setViewportSize(vp)
        await login(p, 'admin')
        await p.goto('/settings?tab=alert-rules')
        const card = p.locator('[data-test=alert-rule][data-key=receivables_overdue]')
        await card.waitFor()
        await ready(p)
        await card.locator('[data-test=rule-preview]').click()
        const res = card.locator('[data-test=rule-preview-count]')
        await res.waitFor()
        const want = (await api(p, 'POST', '/api/v1/alert-rules/preview', { signal: 'receivables_overdue' })).json
        assert((await res.innerText()).includes(String(want.count)) || want.count === 0, `preview count: ${await res.innerText()} vs ${want.count}`)
        const before = (await api(p, 'GET', '/api/v1/alerts?limit=1')).json.items[0]?.id
        assert(before === (await api(p, 'GET', '/api/v1/alerts?limit=1')).json.items[0]?.id, 'the preview raised nothing')
        if (vp) {
          const over = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
          assert(over <= 0, `no sideways scrolling at 390 px (${over})`)
        }
        await k.shot(p, `alert-rules-${label}-zh-CN`, { fullPage: false })
      } finally {
        await context.close()
      }
    }
  })

  await check('alerts: inbox cards on a phone, health tab, the three languages', async () => {
    for (const locale of ['zh-CN', 'zh-TW', 'en']) {
      const { context, page: p } = await k.newPage(browser, base, { locale, label: `alerts-${locale}` })
      try {
        await p.setViewportSize(locale === 'en' ? { width: 360, height: 780 } : PHONE)
        await login(p, 'am.east1')
        await p.goto('/alerts?tab=mine')
        await p.locator('[data-test=alerts-view]').waitFor()
        await p.locator('[data-test=alerts-cards]').waitFor()
        await ready(p)
        const over = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        assert(over <= 0, `no sideways scrolling (${over})`)
        await k.shot(p, `alerts-inbox-phone-${locale}`, { fullPage: false })
        await p.setViewportSize({ width: 1440, height: 900 })
        await p.goto(`/accounts/${accountId}?tab=health`)
        await p.locator('[data-test=account-health]').waitFor()
        await p.locator('[data-test=health-score]').waitFor()
        await ready(p)
        const h = (await api(p, 'GET', `/api/v1/accounts/${accountId}/health`)).json
        assert((await p.locator('[data-test=health-score]').innerText()).trim() === String(h.score), 'the score shown')
        assert((await p.locator('[data-test=health-line]').count()) === h.lines.length, 'one line per open alert')
        const text = await p.locator('[data-test=account-health]').innerText()
        assert(!/\b[a-z]+(_[a-z0-9]+)+\b/.test(text), 'no raw identifiers on the health tab')
        await k.shot(p, `account-health-${locale}`, { fullPage: false })
      } finally {
        await context.close()
      }
    }
  })
}
