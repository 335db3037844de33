// Competencies and selection in the browser (issue 18 item 1, F6.1; docs/TEAM.md "Competencies
// and selection"):
// 1. lead.east opens am.east1 from the people tab, assesses them as their manager with a level
//    and evidence per competency; the API holds the assessment with those levels, and the page
//    shows the current levels, gaps and fit the API computes (a manager's score of today is the
//    level); then the people tab and the person's page on a 390 px phone, no sideways scrolling.
// 2. hr opens candidates, picks a role profile and sees the ranking in the API's order with its
//    fit; adds an external candidate, records interview scores and a decision with its reason
//    (checked through the API), and sees the candidate ranked where the API ranks them; then the
//    candidates screens on a 390 px phone.
// Everything in zh-CN: no raw identifiers on the screens.
const PHONE = { width: 390, height: 844 }
const RAW = /\b[a-z]+(?:_[a-z0-9]+)+\b/

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field } = k
  const tag = String(Date.now() % 100000)

  const noRaw = async (p, sel) => {
    const text = await p.locator(sel).innerText()
    const m = text.match(RAW)
    assert(!m, `no raw identifiers on the screen (${m && m[0]})`)
  }
  const noSideways = async (p, w) => {
    const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
    assert(wide <= w + 1, `no sideways scrolling (${wide} px at ${w})`)
  }
  /** A number shown on the screen ("88.9%", "4.5") as a number. */
  const num = (s) => Number(String(s).replace(/[^\d.]/g, ''))
  /** fit_bp as the screen shows it: a percentage with at most one decimal. */
  const fitOf = (bp) => Math.round(bp / 10) / 10
  const levelOf = (v) => Math.round(v * 100) / 100
  /** Picks the option whose label is exactly `label` in an Element Plus select. */
  const choose = async (p, test, label) => {
    await p.locator(`[data-test="${test}"]`).first().click()
    await p.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^\\s*${label}\\s*$`) }).first().click()
  }

  await check('competencies: assess a person (lead.east assesses am.east1 as manager)', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'competencies-assess' })
    try {
      await login(p, 'lead.east')
      const users = (await api(p, 'GET', '/api/v1/users?limit=500')).json.items
      const am = users.find((u) => u.login === 'am.east1')
      assert(am, 'am.east1 in the demo')
      const comps = (await api(p, 'GET', '/api/v1/competencies?active=1&limit=100')).json.items
      assert(comps.length >= 6, `the six built-ins: ${comps.length}`)

      // the people tab: am.east1 with the fit the API computes for the default profile
      await p.goto('/competencies')
      await p.locator('[data-test=tab-people]').click()
      const link = p.locator(`[data-test=people-table] [data-test=person-link][data-user="${am.id}"]`)
      await link.waitFor()
      await ready(p)
      await k.shot(p, 'competencies-people')
      await noRaw(p, '[data-test=competencies-view]')
      const before = (await api(p, 'GET', `/api/v1/users/${am.id}/competencies?profile=account_manager`)).json
      const row = p.locator('[data-test=people-table] .el-table__body-wrapper tr', { has: p.locator(`[data-test=person-link][data-user="${am.id}"]`) })
      const shownFit = await row.locator('[data-test=person-fit]').innerText()
      assert(num(shownFit) === fitOf(before.fit_bp), `people tab fit ${shownFit}, API ${before.fit_bp} bp`)
      // the lead sees only their own team: nobody of the South team
      const south = users.find((u) => u.login === 'am.south1')
      assert((await p.locator(`[data-test=person-link][data-user="${south.id}"]`).count()) === 0, 'no one outside the lead\'s team')

      // open the person and assess
      await link.click()
      await p.locator('[data-test=competency-person] [data-test=person-levels]').waitFor()
      await ready(p)
      await p.locator('[data-test=assess-open]').click()
      const dlg = p.locator('[data-test=assess-dialog]')
      await dlg.waitFor()
      await dlg.locator('[data-test=assess-kind-manager]').click()
      const levels = [4, 2, 5, 3, 1, 3]
      const given = {}
      for (const [i, c] of comps.slice(0, 6).entries()) {
        given[c.id] = levels[i]
        await dlg.locator(`[data-test="assess-level-${c.id}"] [data-test=lv-${levels[i]}]`).click()
        await field(p, `assess-evidence-${c.id}`).fill(`证据 ${tag}：${c.name_zh} 第${levels[i]}级`)
      }
      await field(p, 'assess-note').fill(`季度评估 ${tag}`)
      await dlg.locator('[data-test=assess-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)

      // stored: one manager assessment by the lead of today with those levels and the evidence
      const mine = (await api(p, 'GET', `/api/v1/assessments?user_id=${am.id}&assessor_id=me&kind=manager&limit=50`)).json.items
      const a = mine.find((x) => x.note === `季度评估 ${tag}`)
      assert(a, `the assessment stored: ${JSON.stringify(mine.map((x) => x.note))}`)
      assert(a.scores.length === 6, `six scores: ${a.scores.length}`)
      for (const s of a.scores) {
        assert(s.level === given[s.competency_id], `level of ${s.code}: ${s.level}, given ${given[s.competency_id]}`)
        assert(s.evidence.startsWith(`证据 ${tag}`), `evidence of ${s.code}: ${s.evidence}`)
      }
      // the page shows the levels, gaps and fit the API now computes
      const pc = (await api(p, 'GET', `/api/v1/users/${am.id}/competencies?profile=account_manager`)).json
      assert(pc.profile?.code === 'account_manager', `the person's profile: ${pc.profile?.code}`)
      for (const it of pc.items) {
        if (!(it.competency_id in given)) continue
        assert(it.level === given[it.competency_id], `today's manager score is the level: ${it.code} ${it.level}`)
        const r = p.locator(`[data-test=person-level][data-comp="${it.competency_id}"]`)
        const lv = await r.locator('[data-test=level]').innerText()
        assert(num(lv) === levelOf(it.level), `level of ${it.code} shown ${lv}, API ${it.level}`)
        const gap = await r.locator('[data-test=gap]').innerText()
        if (it.gap > 0) assert(num(gap) === levelOf(it.gap), `gap of ${it.code} shown ${gap}, API ${it.gap}`)
        else assert(gap.includes('达标'), `${it.code} met: ${gap}`)
      }
      assert(pc.items.some((i) => i.gap > 0), 'some gap to show')
      const fit = await p.locator('[data-test=person-fit]').innerText()
      assert(num(fit) === fitOf(pc.fit_bp), `fit shown ${fit}, API ${pc.fit_bp} bp`)
      assert((await p.locator('[data-test=assessment]').first().innerText()).includes(`季度评估 ${tag}`), 'the new assessment first in the list')
      await p.locator('[data-test=person-chart] [data-ready="1"]').waitFor()
      await noRaw(p, '[data-test=competency-person]')
      await k.shot(p, 'competencies-person')

      // a 390 px phone: the people tab as cards, the person's page
      await p.setViewportSize(PHONE)
      await p.goto('/competencies?tab=people')
      await p.locator(`[data-test=people-cards] [data-test=card][data-key="${am.id}"]`).waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await k.shot(p, 'competencies-people-phone')
      await p.locator(`[data-test=people-cards] [data-test=card][data-key="${am.id}"]`).click()
      await p.locator('[data-test=person-levels]').waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=competency-person]')
      await k.shot(p, 'competencies-person-phone')
    } finally {
      await context.close()
    }
  })

  // hr's browser context, shared by the last two checks (signed in once)
  let hr = null
  const hrPage = async () => {
    if (!hr) {
      hr = await k.newPage(browser, base, { locale: 'zh-CN', label: 'competencies-hr' })
      await login(hr.page, 'hr')
    }
    await hr.page.setViewportSize({ width: 1440, height: 900 })
    return hr.page
  }

  await check('competencies: rank candidates, interview scores and a decision (hr)', async () => {
    const p = await hrPage()
    {
      const profiles = (await api(p, 'GET', '/api/v1/role-profiles?limit=100')).json.items
      const sam = profiles.find((x) => x.code === 'senior_account_manager')
      const amp = profiles.find((x) => x.code === 'account_manager')
      assert(sam && amp, 'the demo role profiles')
      await p.goto('/candidates')
      await p.locator('[data-test=candidates-view] [data-test=ranking]').waitFor()
      await ready(p)
      // pick a profile without candidates, then the senior one
      await choose(p, 'rank-profile', amp.name_zh)
      await ready(p)
      assert((await p.locator('[data-test=rank-row]').count()) === 0, 'no one ranked for the account manager profile')
      await choose(p, 'rank-profile', sam.name_zh)
      await p.locator('[data-test=rank-row]').first().waitFor()
      await ready(p)
      const rankShown = async () => {
        const rank = (await api(p, 'GET', `/api/v1/role-profiles/${sam.id}/ranking`)).json
        const keys = await p.locator('[data-test=rank-row]').evaluateAll((els) => els.map((e) => Number(e.dataset.key)))
        assert(JSON.stringify(keys) === JSON.stringify(rank.items.map((i) => i.candidate_id)), `order ${keys}, API ${rank.items.map((i) => i.candidate_id)}`)
        const fits = await p.locator('[data-test=rank-row] [data-test=rank-fit]').allInnerTexts()
        rank.items.forEach((it, i) => assert(num(fits[i]) === fitOf(it.fit_bp), `fit of ${it.name}: ${fits[i]}, API ${it.fit_bp}`))
        const gapRows = await p.locator('[data-test=rank-row]').evaluateAll((els) => els.map((e) => !!e.querySelector('[data-test=rank-gaps]')))
        rank.items.forEach((it, i) => assert(gapRows[i] === it.gaps.length > 0, `gaps shown for ${it.name}`))
        return rank
      }
      const rank0 = await rankShown()
      assert(rank0.items.length >= 3, `the demo's three candidates: ${rank0.items.length}`)
      await noRaw(p, '[data-test=candidates-view]')
      await k.shot(p, 'candidates')

      // add an external candidate
      const name = `林晓 ${tag}`
      await p.locator('[data-test=candidate-new]').click()
      const dlg = p.locator('[data-test=candidate-dialog]')
      await dlg.waitFor()
      await field(p, 'candidate-name').fill(name)
      await field(p, 'candidate-contact').fill('lin.xiao@example.com')
      await field(p, 'candidate-source').fill('内推')
      await dlg.locator('[data-test=candidate-save]').click()
      await p.locator('[data-test=candidate-detail] [data-test=candidate-heading]').waitFor()
      await ready(p)
      const cid = Number(new URL(p.url()).pathname.split('/').pop())
      let c = (await api(p, 'GET', `/api/v1/candidates/${cid}`)).json
      assert(c.name === name && !c.internal && c.profile_id === sam.id && c.status === 'open', `stored: ${JSON.stringify(c).slice(0, 300)}`)

      // interview scores for every competency of the profile
      const rows = await p.locator('[data-test=score-row]').evaluateAll((els) => els.map((e) => Number(e.dataset.comp)))
      assert(rows.length === sam.levels.length, `a score row per competency of the profile: ${rows.length}`)
      const given = {}
      for (const [i, comp] of rows.entries()) {
        given[comp] = [5, 4, 3, 4, 5, 2][i % 6]
        await p.locator(`[data-test="score-level-${comp}"] [data-test=lv-${given[comp]}]`).click()
        await field(p, `score-note-${comp}`).fill(`面试评语 ${tag}`)
      }
      await p.locator('[data-test=scores-save]').click()
      await p.locator(`[data-test=candidate-level][data-comp="${rows[0]}"] [data-test=level]`, { hasText: String(given[rows[0]]) }).waitFor()
      await ready(p)
      c = (await api(p, 'GET', `/api/v1/candidates/${cid}`)).json
      const me = (await api(p, 'GET', '/api/v1/me')).json
      assert(c.interview_scores.length === rows.length, `scores stored: ${c.interview_scores.length}`)
      for (const s of c.interview_scores) assert(s.interviewer_id === me.id && s.level === given[s.competency_id] && s.note === `面试评语 ${tag}`, `score ${JSON.stringify(s)}`)
      const rank1 = (await api(p, 'GET', `/api/v1/role-profiles/${sam.id}/ranking`)).json
      const mine = rank1.items.find((i) => i.candidate_id === cid)
      assert(mine, 'ranked')
      const fit = await p.locator('[data-test=candidate-fit]').innerText()
      assert(num(fit) === fitOf(mine.fit_bp), `fit shown ${fit}, API ${mine.fit_bp}`)
      await noRaw(p, '[data-test=candidate-detail]')

      // the decision with its reason
      await p.locator('[data-test=decision-on_hold]').click()
      await field(p, 'decision-reason').fill(`谈判能力待复试确认 ${tag}`)
      await p.locator('[data-test=decision-save]').click()
      await p.locator('[data-test=candidate-reason]', { hasText: tag }).waitFor()
      await ready(p)
      c = (await api(p, 'GET', `/api/v1/candidates/${cid}`)).json
      assert(c.status === 'on_hold' && c.decision_reason === `谈判能力待复试确认 ${tag}` && c.decided_by === me.id, `decided: ${c.status} ${c.decision_reason} ${c.decided_by}`)
      assert((await p.locator('[data-test=candidate-status]').innerText()).includes('暂缓'), 'the status in words')
      await k.shot(p, 'candidate')

      // back to the ranking: the new candidate where the API ranks them
      await p.goto(`/candidates?profile=${sam.id}`)
      await p.locator(`[data-test=rank-row][data-key="${cid}"]`).waitFor()
      await ready(p)
      await rankShown()

      // a 390 px phone: candidates (cards) and the candidate page
      await p.setViewportSize(PHONE)
      await p.goto('/candidates')
      await p.locator('[data-test=cand-cards] [data-test=card]').first().waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=candidates-view]')
      await k.shot(p, 'candidates-phone')
      await p.goto(`/candidates/${cid}`)
      await p.locator('[data-test=candidate-levels]').waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await k.shot(p, 'candidate-phone')
    }
  })

  await check('competencies: hr adds a company competency with its rubric, then deactivates it', async () => {
    const p = await hrPage()
    try {
      const code = `coaching_${tag}`
      const zh = `客户辅导 ${tag}`
      await p.goto('/competencies')
      await p.locator('[data-test=competency-card]').first().waitFor()
      await ready(p)
      await p.locator('[data-test=competency-new]').click()
      const dlg = p.locator('[data-test=competency-dialog]')
      await dlg.waitFor()
      await field(p, 'competency-code').fill(code)
      await field(p, 'competency-name-zh').fill(zh)
      await field(p, 'competency-name-en').fill(`Coaching ${tag}`)
      for (let l = 1; l <= 5; l++) {
        await field(p, `rubric-zh-${l}`).fill(`辅导第${l}级表现`)
        await field(p, `rubric-en-${l}`).fill(`Coaching at level ${l}`)
      }
      await dlg.locator('[data-test=competency-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      const card = p.locator('[data-test=competency-card]', { has: p.locator('[data-test=competency-name]', { hasText: zh }) })
      await card.waitFor()
      await ready(p)
      let c = (await api(p, 'GET', '/api/v1/competencies?limit=200')).json.items.find((x) => x.code === code)
      assert(c && c.custom && c.active && c.name_zh === zh, `stored: ${JSON.stringify(c)?.slice(0, 200)}`)
      assert(c.levels.length === 5 && c.levels.every((l) => l.descriptor_zh === `辅导第${l.level}级表现` && l.descriptor_en === `Coaching at level ${l.level}`), `the rubric: ${JSON.stringify(c.levels)}`)
      assert((await card.locator('[data-test=competency-rubric] li').count()) === 5, 'five levels shown')
      assert((await card.innerText()).includes('辅导第3级表现'), 'the descriptors in Chinese')
      await noRaw(p, '[data-test=competencies-view]')
      // deactivate: gone from the list of active ones, shown again with "inactive"
      await card.locator('[data-test=competency-deactivate]').click()
      await p.locator('.el-message-box__btns .el-button--primary').click()
      await card.waitFor({ state: 'detached' })
      await ready(p)
      c = (await api(p, 'GET', `/api/v1/competencies/${c.id}`)).json
      assert(c.active === false, `deactivated: ${c.active}`)
      await p.locator('[data-test=show-inactive]').click()
      await card.locator('[data-test=competency-inactive]').waitFor()
    } finally {
      await hr.context.close()
      hr = null
    }
  })
}
