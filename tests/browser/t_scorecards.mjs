// Appraisal computed from the records in the browser (issue 18 item 3, F6.3; docs/TEAM.md
// "Appraisal computed from the records"): am.east1 opens a demo scorecard, clicks the number of
// the visits line and sees the very visit records the API lists for it (count, ids, days), then
// follows one to the visit itself; lead.east computes a period's drafts, assesses the process
// indicator, comments and submits, am.east1 acknowledges, lead.east calibrates on the
// calibration screen (which shows the distribution the API returns) with a reason the API keeps;
// another account manager opening that scorecard's address gets the not-found screen; the
// screens on a 390 px phone without sideways scrolling and without raw identifiers in zh-CN.
const PHONE = { width: 390, height: 844 }
const RAW = /\b[a-z]+(_[a-z0-9]+)+\b/
const PERIOD = '2025Q3' // a quarter before the demo's four: nothing else writes scorecards there

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const pts = (v) => (v == null ? '—' : (v / 100).toFixed(2))
  const tag = String(Date.now() % 100000)
  let demoCard = null // am.east1's scorecard of the demo's latest quarter
  let flowCard = null // the one of PERIOD the second check takes through the workflow

  const noRaw = async (p, sel = '.page') => {
    const text = await p.locator(sel).first().innerText()
    const m = text.match(RAW)
    assert(!m, `no raw identifiers on the screen (${m && m[0]})`)
  }
  const noSideways = async (p, w, where) => {
    const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
    assert(wide <= w + 1, `${where}: no sideways scrolling (${wide} px at ${w})`)
  }
  const as = async (p, user) => {
    await api(p, 'DELETE', '/api/v1/session').catch(() => {})
    await login(p, user)
    await ready(p)
  }

  const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'scorecards' })
  try {
    await check('scorecards: open a scorecard and drill to the visits behind a number', async () => {
      await as(p, 'am.east1')
      const mine = (await api(p, 'GET', '/api/v1/scorecards?user_id=me&sort=-period_start&limit=50')).json.items
      for (const c of mine) {
        const full = (await api(p, 'GET', `/api/v1/scorecards/${c.id}`)).json
        const vl = full.lines.find((l) => l.kind === 'visits_vs_cadence')
        if (vl && vl.measured > 0) {
          demoCard = full
          break
        }
      }
      assert(demoCard, `a demo scorecard of am.east1 with visits done (${mine.length} scorecards)`)
      await p.goto('/scorecards')
      await p.locator(`[data-test=sc-row][data-key="${demoCard.id}"]`).click()
      await p.locator('[data-test=scorecard-detail] [data-test=sc-heading]').waitFor()
      await ready(p)
      assert((await p.locator('[data-test=sc-total]').innerText()).trim() === pts(demoCard.score), `the score ${pts(demoCard.score)} shown`)
      assert((await p.locator('[data-test=sc-line]').count()) === demoCard.lines.length, 'every line shown')
      const vl = demoCard.lines.find((l) => l.kind === 'visits_vs_cadence')
      const row = p.locator('tr.line-visits_vs_cadence')
      // the explanation in Chinese with the line's numbers
      const ex = await row.locator('[data-test=line-explain]').innerText()
      assert(ex.includes(`应做拜访 ${vl.basis} 次`) && ex.includes(`完成 ${vl.measured} 次`), `the explanation in words with the numbers: ${ex}`)
      // the sales line names its order lines and target plan from the line's facts
      const sl = demoCard.lines.find((l) => l.kind === 'volume_attainment')
      if (sl && sl.facts.plan_id) {
        const sx = await p.locator('tr.line-volume_attainment [data-test=line-explain]').innerText()
        assert(sx.includes(`${sl.facts.order_lines} 条订单行`) && sx.includes(`目标计划 ${sl.facts.plan_id}`), `the sales line's counts in words: ${sx}`)
      }
      await row.locator('[data-test=line-measured]').click()
      const drawer = p.locator('[data-test=drill]')
      await drawer.locator('[data-test=drill-row]').first().waitFor()
      await ready(p)
      const want = (await k.allPages(p, `/api/v1/scorecards/${demoCard.id}/lines/${vl.indicator_id}/records?side=actual`))
      assert(want.length === vl.measured, `the API's records add up to the line (${want.length} vs ${vl.measured})`)
      const shown = await drawer.locator('[data-test=drill-row]').evaluateAll((els) => els.map((e) => `${e.dataset.refKind}:${e.dataset.refId}:${e.dataset.day}`))
      const api1 = want.map((r) => `${r.ref_kind}:${r.ref_id}:${r.day ?? ''}`)
      assert(JSON.stringify(shown) === JSON.stringify(api1), `the visits the API lists, in order: ${shown.slice(0, 3)} vs ${api1.slice(0, 3)}`)
      assert((await drawer.locator('[data-test=drill-count]').getAttribute('data-n')) === String(want.length), 'the count')
      // the visits due: the other side of the same line
      await drawer.locator('[data-test=drill-side-basis]').click()
      await ready(p)
      const due = await k.allPages(p, `/api/v1/scorecards/${demoCard.id}/lines/${vl.indicator_id}/records?side=basis`)
      assert((await drawer.locator('[data-test=drill-row]').count()) === due.length && due.length === vl.basis, `the ${vl.basis} visits due shown`)
      await noRaw(p, '[data-test=drill]')
      await k.shot(p, 'scorecard-drill', { fullPage: false })
      // follow one to its own page: the visit opens
      const first = drawer.locator('[data-test=drill-row]').first()
      const vid = await first.getAttribute('data-ref-id')
      await first.locator('[data-test=drill-link]').click()
      await p.waitForURL((u) => u.pathname === '/visits' && u.searchParams.get('focus') === vid)
      await p.locator(`[data-test=visit-dialog][data-visit-id="${vid}"]`).waitFor()
      await ready(p)
    })

    await check('scorecards: comment, acknowledge, calibrate', async () => {
      await as(p, 'lead.east')
      const me1 = (await api(p, 'GET', '/api/v1/users?limit=500')).json.items.find((u) => u.login === 'am.east1')
      assert(me1, 'am.east1 among the users')
      // compute PERIOD for the lead's people from the list screen
      await p.goto('/scorecards')
      await ready(p)
      await p.locator('[data-test=compute-open]').click()
      const dlg = p.locator('[data-test=compute-dialog]')
      await dlg.waitFor()
      await p.locator('[data-test=compute-period]').click()
      await p.locator('.el-select-dropdown__item:visible', { hasText: '2025 年第 3 季度' }).first().click()
      await dlg.locator('[data-test=compute-run]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)
      const list = (await api(p, 'GET', `/api/v1/scorecards?period=${PERIOD}&user_id=${me1.id}`)).json.items
      assert(list.length === 1 && list[0].status === 'draft', `a draft of ${PERIOD} for am.east1: ${JSON.stringify(list).slice(0, 200)}`)
      flowCard = list[0]
      assert((await p.locator(`[data-test=sc-row][data-key="${flowCard.id}"]`).count()) === 1, 'the list shows the new draft (filtered to the period)')

      // the manager's value of the process indicator, the comment, submit
      await p.goto(`/scorecards/${flowCard.id}`)
      await p.locator('[data-test=sc-heading]').waitFor()
      await ready(p)
      const manual = p.locator('tr.line-manual')
      await manual.locator('[data-test=manual-value] input').fill('4')
      await manual.locator('[data-test=manual-value] input').press('Tab')
      await manual.locator('[data-test=manual-save]').click()
      await ready(p)
      const comment = `拜访节奏稳定，继续保持 ${tag}`
      await field(p, 'sc-comment').fill(comment)
      await p.locator('[data-test=sc-comment-save]').click()
      await ready(p)
      await p.locator('[data-test=sc-submit]').click()
      await p.locator('[data-test=sc-status-tag][data-status=review]').waitFor()
      await ready(p)
      let c = (await api(p, 'GET', `/api/v1/scorecards/${flowCard.id}`)).json
      const ml = c.lines.find((l) => l.kind === 'manual')
      assert(c.status === 'review' && c.comment === comment && ml.measured === 4 && ml.score != null, `stored: ${c.status} ${c.comment} ${ml.measured}`)
      assert((await p.locator('[data-test=sc-total]').innerText()).trim() === pts(c.score), 'the recomputed score shown')

      // the person acknowledges
      await as(p, 'am.east1')
      await p.goto(`/scorecards/${flowCard.id}`)
      await p.locator('[data-test=sc-acknowledge]').click()
      await p.locator('[data-test=sc-status-tag][data-status=acknowledged]').waitFor()
      c = (await api(p, 'GET', `/api/v1/scorecards/${flowCard.id}`)).json
      assert(c.status === 'acknowledged' && c.acknowledged_at, `acknowledged: ${c.status}`)
      assert((await p.locator('[data-test=sc-calibrate]').count()) === 0, 'no manager step on one\'s own scorecard')

      // another account manager: the not-found screen
      await as(p, 'am.east2')
      await p.goto(`/scorecards/${flowCard.id}`)
      await p.locator('[data-test=not-found]').waitFor()
      assert((await p.locator('[data-test=sc-heading]').count()) === 0, 'nothing of the scorecard shown')

      // the lead calibrates on the calibration screen, reached from the list
      await as(p, 'lead.east')
      await p.goto('/scorecards')
      await p.locator('[data-test=to-calibration]').click()
      await p.locator('[data-test=calibration-view]').waitFor()
      await ready(p)
      await p.locator('[data-test=cal-period]').click()
      await p.locator('.el-select-dropdown__item:visible', { hasText: '2025 年第 3 季度' }).first().click()
      await p.locator('[data-test=cal-chart][data-ready="1"]').waitFor()
      await ready(p)
      const dist = (await api(p, 'GET', `/api/v1/scorecards/calibration?scheme_id=${flowCard.scheme_id}&period=${PERIOD}`)).json
      assert(dist.n >= 1, `scored scorecards in ${PERIOD}: ${dist.n}`)
      assert((await p.locator('[data-test=cal-stat-n] .val').innerText()).trim() === String(dist.n), 'n as the API')
      assert((await p.locator('[data-test=cal-stat-mean] .val').innerText()).trim() === pts(dist.mean), 'the mean as the API')
      for (const b of dist.bands) assert((await p.locator(`[data-test=cal-band-${b.band}]`).getAttribute('data-n')) === String(b.n), `band ${b.band}: ${b.n}`)
      assert((await p.locator('[data-test=cal-row]').count()) === dist.items.length, 'every scorecard of the distribution listed')
      const tr = p.locator('[data-test=cal-table] tr', { has: p.locator(`[data-test=cal-row][data-key="${flowCard.id}"]`) })
      await tr.locator('[data-test=cal-adjust]').click()
      const cd = p.locator('[data-test=calibrate-dialog]')
      await cd.waitFor()
      await field(p, 'cal-score').fill('103.5')
      const reason = `与团队同级对比后上调 ${tag}`
      await field(p, 'cal-reason').fill(reason)
      await cd.locator('[data-test=cal-save]').click()
      await cd.waitFor({ state: 'hidden' })
      await ready(p)
      c = (await api(p, 'GET', `/api/v1/scorecards/${flowCard.id}`)).json
      const adj = c.adjustments[c.adjustments.length - 1]
      assert(c.status === 'calibrated' && c.score === 10350 && adj && adj.new_score === 10350 && adj.reason === reason, `calibrated: ${c.status} ${c.score} ${JSON.stringify(adj)}`)
      await noRaw(p)
      await k.shot(p, 'scorecards-calibration')
    })

    await check('scorecards: hr writes a scheme with its weighted indicators and curves', async () => {
      await as(p, 'hr')
      await p.goto('/appraisal-schemes')
      await p.locator('[data-test=scheme]').first().waitFor()
      await ready(p)
      await p.locator('[data-test=scheme-new]').click()
      const dlg = p.locator('[data-test=scheme-dialog]')
      await dlg.waitFor()
      const name = `年度客户经理考核 ${tag}`
      await field(p, 'scheme-name').fill(name)
      await p.locator('[data-test=scheme-period-kind]').click()
      await p.locator('.el-select-dropdown__item:visible', { hasText: '年度' }).first().click()
      await dlg.locator('[data-test=scheme-active]').click() // inactive: it computes nothing for other checks
      // the default rows (sales vs target 60 %, the manager's 40 %); the sales target moved to 105 %
      const rows = dlg.locator('[data-test=scheme-row]')
      await rows.nth(0).locator('[data-test=row-target] input').fill('105')
      await rows.nth(0).locator('[data-test=row-target] input').press('Tab')
      assert((await dlg.locator('[data-test=scheme-weight-sum]').innerText()).includes('100'), 'the weights add up to 100 %')
      await dlg.locator('[data-test=scheme-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)
      const s = (await api(p, 'GET', '/api/v1/appraisal-schemes?limit=100')).json.items.find((x) => x.name === name)
      assert(s && s.period_kind === 'year' && s.active === false && s.role === 'account_manager', `stored: ${JSON.stringify(s).slice(0, 200)}`)
      const [a, b] = [...s.indicators].sort((x, y) => x.position - y.position)
      assert(a.kind === 'volume_attainment' && a.weight_bp === 6000 && a.threshold === 8000 && a.target === 10500 && a.stretch === 12000 && a.cap_score === 15000,
        `the sales line: ${JSON.stringify(a)}`)
      assert(b.kind === 'manual' && b.weight_bp === 4000 && b.threshold === 2 && b.target === 3 && b.stretch === 5, `the manager's line: ${JSON.stringify(b)}`)
      const card = p.locator(`[data-test=scheme][data-key="${s.id}"]`)
      assert((await card.locator('[data-test=scheme-indicator]').count()) === 2, 'the new scheme listed with its two indicators')
      assert((await card.innerText()).includes('目标 105 %'), 'the curve shown in the unit')
      await noRaw(p)
    })
  } finally {
    await context.close()
  }

  await check('scorecards: the screens on a 390 px phone, no sideways scrolling, no raw identifiers in zh-CN', async () => {
    const context2 = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true })
    context2.setDefaultTimeout(k.TIMEOUT)
    try {
      const q = await context2.newPage()
      await login(q, 'lead.east')
      await ready(q)
      const card = demoCard ?? (await api(q, 'GET', '/api/v1/scorecards?limit=1')).json.items[0]
      assert(card, 'a scorecard to show')
      await q.goto('/scorecards')
      await q.locator('[data-test=sc-cards] [data-test=card]').first().waitFor()
      await ready(q)
      await noSideways(q, PHONE.width, '/scorecards')
      await noRaw(q)
      await q.goto(`/scorecards/${card.id}`)
      await q.locator('[data-test=sc-heading]').waitFor()
      await ready(q)
      await noSideways(q, PHONE.width, 'the scorecard')
      await noRaw(q)
      await k.shot(q, 'scorecard-phone')
      await q.locator('[data-test=sc-line][data-kind=visits_vs_cadence] [data-test=line-measured]').click()
      await q.locator('[data-test=drill] [data-test=drill-row]').first().waitFor()
      await ready(q)
      await noSideways(q, PHONE.width, 'the drill-down')
      await noRaw(q, '[data-test=drill]')
      await q.keyboard.press('Escape')
      await q.goto(`/scorecards/calibration?scheme_id=${card.scheme_id}&period=${card.period}`)
      await q.locator('[data-test=cal-stats]').waitFor()
      await ready(q)
      await noSideways(q, PHONE.width, 'the calibration')
      await noRaw(q)
      await q.goto('/appraisal-schemes')
      await q.locator('[data-test=scheme]').first().waitFor()
      await ready(q)
      await noSideways(q, PHONE.width, 'the schemes')
      await noRaw(q)
    } finally {
      await context2.close()
    }
  })
}
