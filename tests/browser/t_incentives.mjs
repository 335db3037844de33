// Incentives in the browser (issue 18 item 4, F6.4; docs/TEAM.md "Incentives"): finance opens a
// submitted demo statement, sees the lines and the totals the API gives (the parts of the total
// add up to it), approves it from the screen and downloads the payroll workbook of its period
// (an .xlsx holding the approved person and amount); the simulator run from the screen on last
// year's records shows the cost, the spread and each person's figures the API computes, for a
// saved plan and for the plan as edited in its dialog; an account manager sees only their own
// statements (another's statement URL is the not-found screen), on a 390 px phone without
// sideways scrolling or raw identifiers in zh-CN.
import fs from 'node:fs'
import zlib from 'node:zlib'

const PHONE = { width: 390, height: 844 }
const RAW = /\b[a-z]+(_[a-z0-9]+)+\b/

/** The entries of a zip (name -> Buffer), read through its central directory. */
function unzip(buf) {
  const out = new Map()
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new Error('not a zip: no end of central directory')
  const n = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  for (let k = 0; k < n; k++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory')
    const method = buf.readUInt16LE(p + 10)
    const size = buf.readUInt32LE(p + 20)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8')
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const raw = buf.subarray(start, start + size)
    out.set(name, method === 8 ? zlib.inflateRawSync(raw) : raw)
    p += 46 + nameLen + extraLen + commentLen
  }
  return out
}

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field, digits, allPages } = k
  let desk = null // finance on a desktop, zh-CN: the first two checks
  let approvedId = 0

  const noRaw = async (p, sel) => {
    const text = await p.locator(sel).innerText()
    const m = text.match(RAW)
    assert(!m, `no raw identifiers on the screen (${m && m[0]})`)
  }
  const noSideways = async (p, w) => {
    const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
    assert(wide <= w + 1, `no sideways scrolling (${wide} px at ${w})`)
  }
  async function financePage() {
    if (desk) return desk.page
    desk = await k.newPage(browser, base, { locale: 'zh-CN', label: 'incentives' })
    await login(desk.page, 'finance')
    return desk.page
  }

  /** A submitted statement with lines: the demo's, or one computed and submitted now. */
  async function submittedStatement(p) {
    const subs = (await api(p, 'GET', '/api/v1/payouts?status=submitted&limit=50')).json.items
    if (subs.length) return subs[0]
    const plan = (await api(p, 'GET', '/api/v1/commission-plans?limit=50')).json.items[0]
    assert(plan, 'a commission plan in the demo')
    const period = plan.targets[0]?.period ?? '2026-Q3'
    const r = await api(p, 'POST', '/api/v1/payouts/compute', { plan_id: plan.id, period })
    assert(r.status === 200, `computed: ${r.status}`)
    const s = r.json.items.find((x) => x.total > 0)
    assert(s, `a statement with commission in ${period}`)
    const sub = await api(p, 'POST', `/api/v1/payouts/${s.id}/submit`, {})
    assert(sub.status === 200, `submitted: ${sub.status}`)
    return sub.json
  }

  try {
    await check('incentives: approve a payout and export it', async () => {
      const p = await financePage()
      const s = await submittedStatement(p)
      const me = (await api(p, 'GET', '/api/v1/me')).json
      // the list: the statement is there, with its total
      await p.goto('/payouts')
      await p.locator('[data-test=payouts-table]').waitFor()
      await ready(p)
      const row = p.locator(`[data-test=payout-row][data-key="${s.id}"]`)
      await row.waitFor()
      await noRaw(p, '[data-test=payouts-view]')
      await k.shot(p, 'incentives-payouts')
      await row.click()
      await p.locator('[data-test=payout-detail] [data-test=payout-total]').waitFor()
      await ready(p)
      assert(new URL(p.url()).pathname === `/payouts/${s.id}`, `the statement's page: ${p.url()}`)

      // the figures and the lines the API gives
      const one = (await api(p, 'GET', `/api/v1/payouts/${s.id}`)).json
      const lines = await allPages(p, `/api/v1/payouts/${s.id}/lines`)
      const sum = lines.reduce((a, l) => a + l.amount, 0)
      assert(sum === one.total, `the API's lines add up to its total (${sum} vs ${one.total})`)
      const shownTotal = await p.locator('[data-test=payout-total]').innerText()
      assert(digits(shownTotal) === one.total, `the total ${one.total} shown: ${shownTotal}`)
      assert(digits(await p.locator('[data-test=payout-credited]').innerText()) === one.credited, 'the credited revenue shown')
      if (one.target != null) assert(digits(await p.locator('[data-test=payout-target]').innerText()) === one.target, 'the target shown')
      const nShown = Number(await p.locator('[data-test=payout-line-count]').getAttribute('data-n'))
      assert(nShown === lines.length, `every line counted: ${nShown} of ${lines.length}`)
      assert(Number(await p.locator('[data-test=payout-lines-sum]').getAttribute('data-sum')) === one.total, 'the lines on screen add up to the total')
      const partSums = await p.locator('[data-test=payout-part]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-sum'))))
      assert(partSums.length >= 1 && partSums.reduce((a, b) => a + b, 0) === one.total, `the parts add up to the total: ${partSums}`)
      const amounts = await p.locator('[data-test=payout-lines] [data-test=line-amount]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-amount'))))
      const want = lines.slice(0, 50).map((l) => l.amount)
      assert(JSON.stringify(amounts) === JSON.stringify(want), `the first page of lines as the API gives them (${amounts.length} rows)`)
      const firstText = await p.locator('[data-test=payout-lines] [data-test=line-amount]').first().innerText()
      assert(digits(firstText) === Math.abs(lines[0].amount), `the first line's amount in words: ${firstText}`)
      // a part of the total chosen: only its lines (the bonus share, if any, else the last part)
      if (partSums.length > 1) {
        const bonus = lines.some((l) => l.kind === 'bonus')
        const part = (bonus ? p.locator('[data-test=payout-part][data-key^="bonus:"]') : p.locator('[data-test=payout-part]').last()).first()
        const partSum = Number(await part.getAttribute('data-sum'))
        await part.click()
        await p.locator('[data-test=payout-part-clear]').waitFor()
        const nPart = Number(await p.locator('[data-test=payout-line-count]').getAttribute('data-n'))
        const listed = await p.locator('[data-test=payout-lines] [data-test=line-amount]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-amount'))))
        assert(nPart < lines.length && listed.length === Math.min(50, nPart), `the part's lines only: ${nPart} (${listed.length} on the page)`)
        if (nPart <= 50) assert(listed.reduce((a, b) => a + b, 0) === partSum, 'the part is the sum of its lines')
        await p.locator('[data-test=payout-part-clear]').click()
      }
      await noRaw(p, '[data-test=payout-detail]')
      await k.shot(p, 'incentives-payout')

      // approve from the screen
      await p.locator('[data-test=payout-approve]').click()
      await p.locator('[data-test=payout-status][data-status=approved]').waitFor()
      await ready(p)
      const after = (await api(p, 'GET', `/api/v1/payouts/${s.id}`)).json
      assert(after.status === 'approved' && after.approved_by === me.id, `approved by finance: ${after.status} ${after.approved_by}`)
      assert((await p.locator('[data-test=payout-approve]').count()) === 0, 'no approve button on an approved statement')
      assert((await p.locator('[data-test=payout-pay]').count()) === 1, 'finance may now mark it paid')
      approvedId = s.id

      // the payroll workbook of its period, downloaded from the list screen
      await p.goto('/payouts')
      await p.locator('[data-test=payroll]').waitFor()
      await ready(p)
      await field(p, 'payroll-period').fill(after.period)
      const link = p.locator('[data-test=payroll-download]')
      await link.waitFor()
      const href = await link.getAttribute('href')
      assert(href.includes(`period=${encodeURIComponent(after.period)}`) && href.includes('status=approved'), `the payroll link: ${href}`)
      const [dl] = await Promise.all([p.waitForEvent('download'), link.click()])
      const file = await dl.path()
      assert(file, `the payroll download has no file (${await dl.failure()})`)
      const buf = fs.readFileSync(file)
      assert(buf.length > 0 && buf.subarray(0, 2).toString() === 'PK', `an .xlsx (a zip) of ${buf.length} bytes`)
      assert(/\.xlsx$/i.test(dl.suggestedFilename()), `named .xlsx: ${dl.suggestedFilename()}`)
      const z = unzip(buf)
      assert(z.has('xl/workbook.xml') && z.has('xl/worksheets/sheet1.xml'), `a workbook: ${[...z.keys()].join(', ')}`)
      const text = [...z.entries()].filter(([n]) => n.startsWith('xl/')).map(([, b]) => b.toString('utf8')).join('\n')
      const major = (after.total / 100).toFixed(2).replace(/\.?0+$/, '')
      assert(text.includes(after.user_login), `the approved statement's person (${after.user_login}) in the workbook`)
      assert(z.get('xl/worksheets/sheet1.xml').toString('utf8').includes(`<v>${major}</v>`), `its total ${major} in the payroll sheet`)
    })

    await check('incentives: the simulator', async () => {
      const p = await financePage()
      const plan = (await api(p, 'GET', '/api/v1/commission-plans?limit=50')).json.items[0]
      assert(plan, 'a commission plan')
      // a flat plan to compare with (who gains, who loses)
      const flatName = `对照方案 ${Date.now() % 100000}`
      const flat = await api(p, 'POST', '/api/v1/commission-plans', { name: flatName, period_kind: plan.period_kind, default_rate_bp: 300 })
      assert(flat.status === 201, `a flat plan: ${flat.status}`)
      await p.goto('/commission-plans')
      await p.locator('[data-test=plans-table] [data-test=plan-row]').first().waitFor()
      await ready(p)
      await noRaw(p, '[data-test=plans-view]')
      await k.shot(p, 'incentives-plans')
      await p.locator('#tab-simulator').click()
      await p.locator('[data-test=sim-form]').waitFor()
      // the plan, and the flat one to compare with, chosen in their lists
      for (const [id, pop, name] of [['sim-plan', 'sim-plan-pop', plan.name], ['sim-compare', 'sim-compare-pop', flatName]]) {
        await p.locator(`[data-test=${id}]`).click()
        await p.locator(`.${pop} .el-select-dropdown__item`, { hasText: name }).first().click()
        await p.locator(`.el-popper.${pop}`).waitFor({ state: 'hidden' })
      }
      const from = await field(p, 'sim-from').inputValue()
      const to = await field(p, 'sim-to').inputValue()
      const y = Number(new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 4)) - 1
      assert(from.startsWith(String(y)) && to.startsWith(String(y)), `last year by default: ${from} – ${to}`)
      await p.locator('[data-test=sim-run]').click()
      await p.locator('[data-test=sim-result] [data-test=sim-total]').waitFor()
      await p.locator('[data-test=sim-chart][data-ready="1"]').waitFor()
      await ready(p)
      const r = await api(p, 'POST', `/api/v1/commission-plans/${plan.id}/simulate`, { period_from: from, period_to: to, compare_plan_id: flat.json.id })
      assert(r.status === 200, `the API's simulation: ${r.status}`)
      const sim = r.json
      assert(sim.people.length > 1, `people simulated: ${sim.people.length}`)
      assert(Number(await p.locator('[data-test=sim-total]').getAttribute('data-amount')) === sim.total, 'the total cost is the API\'s')
      assert(digits(await p.locator('[data-test=sim-total]').innerText()) === sim.total, 'the total cost in words')
      assert(digits(await p.locator('[data-test=sim-compare-total]').innerText()) === sim.compare_total, 'the other plan\'s cost')
      assert(Number(await p.locator('[data-test=sim-n]').innerText()) === sim.spread.n, 'the number of people')
      assert((await p.locator('[data-test=sim-gini]').innerText()) === sim.spread.gini.toFixed(3), 'the Gini coefficient')
      const rows = await p.locator('[data-test=sim-people] [data-test=sim-person]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-key'))))
      const shown = await p.locator('[data-test=sim-people] [data-test=sim-person-amount]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-amount'))))
      const byUser = new Map(sim.people.map((x) => [x.user_id, x]))
      assert(rows.length === sim.people.length, `every person listed: ${rows.length} of ${sim.people.length}`)
      rows.forEach((uid, i) => assert(byUser.get(uid)?.amount === shown[i], `person ${uid}: ${shown[i]} vs ${byUser.get(uid)?.amount}`))
      const deltas = await p.locator('[data-test=sim-people] [data-test=sim-person-delta]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-amount'))))
      rows.forEach((uid, i) => assert(byUser.get(uid)?.delta === deltas[i], `gain or loss of person ${uid}: ${deltas[i]} vs ${byUser.get(uid)?.delta}`))
      const top = byUser.get(rows[0])
      const topText = await p.locator('[data-test=sim-people] [data-test=sim-person-delta]').first().innerText()
      assert(digits(topText) === Math.abs(top.delta) && (top.delta < 0) === topText.includes('-'), `the gain or loss of ${top.user_name} in words: ${topText} (${top.delta})`)
      await noRaw(p, '[data-test=plans-view]')
      await k.shot(p, 'incentives-simulator')

      // the plan as edited (not saved): the first family's rate doubled
      await p.locator('#tab-plans').click()
      await p.locator(`[data-test=plan-row][data-key="${plan.id}"]`).click()
      const dlg = p.locator('[data-test=plan-dialog]')
      await dlg.waitFor()
      assert(plan.rates.length, 'the plan has family rates')
      const rates = plan.rates.map((r, i) => (i === 0 ? { ...r, rate_bp: r.rate_bp * 2 } : r))
      await field(p, 'plan-rate-rate').fill(String(rates[0].rate_bp / 100))
      await field(p, 'plan-rate-rate').press('Tab')
      await dlg.locator('[data-test=plan-simulate]').click()
      await p.locator('[data-test=sim-draft]').waitFor()
      await p.locator('[data-test=sim-result] [data-test=sim-total]').waitFor()
      await ready(p)
      const body = {
        name: plan.name, basis: plan.basis, default_rate_bp: plan.default_rate_bp, threshold_bp: plan.threshold_bp, cap: plan.cap,
        bad_debt_days: plan.bad_debt_days, note: plan.note, active: plan.active, rates, tiers: plan.tiers, splits: plan.splits,
        targets: plan.targets.map((x) => ({ user_id: x.user_id, period: x.period, amount: x.amount })), period_kind: plan.period_kind,
      }
      const r2 = await api(p, 'POST', '/api/v1/commission-plans/simulate', { plan: body, period_from: from, period_to: to, compare_plan_id: flat.json.id })
      assert(r2.status === 200, `the API's simulation of the edited plan: ${r2.status}`)
      const t2 = Number(await p.locator('[data-test=sim-total]').getAttribute('data-amount'))
      assert(t2 === r2.json.total && t2 !== sim.total, `the edited plan's cost ${t2} (API ${r2.json.total}, saved ${sim.total})`)
      const again = (await api(p, 'GET', `/api/v1/commission-plans/${plan.id}`)).json
      assert(again.version === plan.version && again.rates[0].rate_bp === plan.rates[0].rate_bp, 'the plan itself unchanged')
    })
    await check('incentives: a bonus pool made on the screen is shared by appraisal score', async () => {
      const p = await financePage()
      const name = `季度奖金池 ${Date.now() % 100000}`
      const plans = (await api(p, 'GET', '/api/v1/commission-plans?limit=200')).json.items
      const plan = plans.find((x) => x.active) ?? plans[0]
      await p.goto('/commission-plans?tab=pools')
      await p.locator('[data-test=pool-new]').click()
      const dlg = p.locator('[data-test=pool-new-dialog]')
      await dlg.waitFor()
      await field(p, 'pool-name').fill(name)
      await field(p, 'pool-period').fill('2026-Q2')
      await field(p, 'pool-amount').fill('50000')
      await dlg.locator('[data-test=pool-save]').click()
      const shown = p.locator('[data-test=pool-dialog]')
      await shown.waitFor()
      await ready(p)
      const pool = (await api(p, 'GET', '/api/v1/bonus-pools?limit=100')).json.items.find((x) => x.name === name)
      assert(pool, 'the pool stored')
      assert(pool.plan_id === plan.id && pool.amount === 5000000 && pool.period_start === '2026-04-01' && pool.team_id === null && pool.role === '',
        `plan ${plan.id}, 50000.00, 2026-Q2, anyone: ${JSON.stringify(pool)}`)
      const full = (await api(p, 'GET', `/api/v1/bonus-pools/${pool.id}`)).json
      assert(full.shares.length > 0, 'the demo has final scorecards of 2026-Q2 to share by')
      assert(full.shares.reduce((a, x) => a + x.amount, 0) === pool.amount, 'the shares add up to the pool')
      const rows = await shown.locator('.el-table__body tr').count()
      assert(rows === full.shares.length, `every share shown (${rows} of ${full.shares.length})`)
      await noRaw(p, '[data-test=pool-dialog]')
    })
  } finally {
    if (desk) await desk.context.close()
  }

  await check('incentives: an account manager sees only their own statements; the screens on a phone in zh-CN', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    try {
      await login(p, 'finance')
      const all = (await api(p, 'GET', '/api/v1/payouts?limit=200')).json.items
      const other = all.find((x) => x.user_login === 'am.east1')
      const own = all.find((x) => x.user_login === 'am.east2')
      assert(other && own, `statements of am.east1 and am.east2 (${all.length})`)
      // finance's screens on the phone
      await p.goto('/payouts')
      await p.locator('[data-test=payouts-cards] [data-test=card]').first().waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=payouts-view]')
      await k.shot(p, 'incentives-payouts-phone')
      await p.goto(`/payouts/${approvedId || own.id}`)
      await p.locator('[data-test=payout-line-cards] [data-test=card]').first().waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=payout-detail]')
      await k.shot(p, 'incentives-payout-phone')
      await p.goto('/commission-plans?tab=simulator')
      await p.locator('[data-test=sim-form]').waitFor()
      await ready(p)
      await p.locator('[data-test=sim-run]').click()
      await p.locator('[data-test=sim-cards] [data-test=card]').first().waitFor()
      await p.locator('[data-test=sim-chart][data-ready="1"]').waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=plans-view]')
      await k.shot(p, 'incentives-simulator-phone')

      // the account manager
      await context.clearCookies()
      await login(p, 'am.east2')
      await p.goto('/payouts')
      await p.locator('[data-test=payouts-cards] [data-test=card]').first().waitFor()
      await ready(p)
      const mine = (await api(p, 'GET', '/api/v1/payouts?limit=200')).json.items
      assert(mine.length >= 1 && mine.every((x) => x.user_login === 'am.east2'), `the API lists their own only: ${mine.map((x) => x.user_login)}`)
      const keys = await p.locator('[data-test=payouts-cards] [data-test=card]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-key'))))
      assert(JSON.stringify(keys) === JSON.stringify(mine.map((x) => x.id)), `the cards are their statements: ${keys}`)
      assert(!keys.includes(other.id), 'not the other manager\'s')
      assert((await p.locator('[data-test=payouts-compute]').count()) === 0 && (await p.locator('[data-test=payroll]').count()) === 0, 'no compute, no payroll for an account manager')
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=payouts-view]')
      await k.shot(p, 'incentives-am-payouts-phone')
      // another manager's statement: not found, like one that does not exist
      assert((await api(p, 'GET', `/api/v1/payouts/${other.id}`)).status === 404, 'the API answers 404')
      await p.goto(`/payouts/${other.id}`)
      await p.locator('[data-test=not-found]').waitFor()
      await ready(p)
      assert((await p.locator('[data-test=payout-total]').count()) === 0, 'nothing of the statement shown')
      await noSideways(p, PHONE.width)
      await k.shot(p, 'incentives-am-not-found-phone')
      // their own, explained, with no workflow buttons
      await p.goto(`/payouts/${own.id}`)
      await p.locator('[data-test=payout-total]').waitFor()
      await ready(p)
      assert(digits(await p.locator('[data-test=payout-total]').innerText()) === (await api(p, 'GET', `/api/v1/payouts/${own.id}`)).json.total, 'their total shown')
      assert((await p.locator('[data-test=payout-approve], [data-test=payout-submit], [data-test=payout-pay]').count()) === 0, 'no workflow buttons for the person')
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=payout-detail]')
      await p.goto('/commission-plans')
      await p.locator('[data-test=plans-cards] [data-test=card]').first().waitFor()
      await ready(p)
      assert((await p.locator('[data-test=plan-new]').count()) === 0, 'an account manager makes no plans')
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=plans-view]')
      await k.shot(p, 'incentives-am-plans-phone')
    } finally {
      await context.close()
    }
  })
}
