// Training and its measured effect in the browser (issue 18 F6.2, docs/TEAM.md "Training and its
// measured effect"): the effect report of the demo's two courses (the communication workshop
// whose trained improved their visits, the legal course whose interval spans 0) shows the API's
// four levels and the difference-in-differences with its interval, and "not enough data" for a
// team lead whose team has no comparable colleagues; hr schedules a session, enrols a person,
// records attendance, the pre- and post-test and the completion from the screens; the training
// screens on a 390 px phone without sideways scrolling or raw identifiers (zh-CN).
import fs from 'node:fs'
import path from 'node:path'

const PHONE = { width: 390, height: 844 }
const RAW = /\b[a-z]+(_[a-z0-9]+)+\b/

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field, chooseOption } = k
  const tag = String(Date.now() % 100000)
  const isoDay = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10) // China's day
  const teamWords = JSON.parse(fs.readFileSync(path.join(k.ROOT, 'web/src/locales/zh-CN/team.json'), 'utf8')).team
  const words = JSON.parse(fs.readFileSync(path.join(k.ROOT, 'web/src/locales/zh-CN/team-training.json'), 'utf8')).teamTraining

  const noRaw = async (p, sel) => {
    const text = await p.locator(sel).innerText()
    const m = text.match(RAW)
    assert(!m, `no raw identifiers on the screen (${m && m[0]})`)
  }
  const noSideways = async (p, w) => {
    const wide = await p.evaluate(() => document.scrollingElement.scrollWidth)
    assert(wide <= w + 1, `no sideways scrolling (${wide} px at ${w})`)
  }
  /** The numbers as the screen writes them (the page's own Intl, its locale). */
  const fmt = (p, v, sign = false) =>
    p.evaluate(
      ({ v, sign }) => {
        const s = new Intl.NumberFormat(document.documentElement.lang || 'zh-CN', { maximumFractionDigits: 2 }).format(v)
        return sign && v > 0 ? `+${s}` : s
      },
      { v, sign },
    )
  const text = async (p, sel) => (await p.locator(sel).first().innerText()).trim()

  const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'training-hr' })
  let sessionId = 0
  let comId = 0
  try {
    await login(p, 'hr')
    const courses = (await api(p, 'GET', '/api/v1/courses?limit=100')).json.items
    const com = courses.find((c) => c.code === 'KAM-COM-01')
    const leg = courses.find((c) => c.code === 'KAM-LEG-01')
    const prd = courses.find((c) => c.code === 'KAM-PRD-02')
    assert(com && leg && prd, `the demo's three courses (${courses.map((c) => c.code)})`)
    comId = com.id

    /** Opens a course's effect report with kpi=visits and checks every level against the API. */
    const effectShown = async (pg, course, expectStatus) => {
      await pg.goto('/training')
      await pg.locator('[data-test=courses-table] [data-test=course-row]', { hasText: course.title }).click()
      await pg.locator('[data-test=course-detail] [data-test=effect]').waitFor()
      await ready(pg)
      await pg.locator('[data-test=effect-kpi-visits]').click()
      await pg.waitForURL((u) => u.searchParams.get('kpi') === 'visits')
      await ready(pg)
      const e = (await api(pg, 'GET', `/api/v1/courses/${course.id}/effect?kpi=visits&months=3`)).json
      assert(e.kpi === 'visits' && e.results.status === expectStatus, `effect of ${course.code}: ${JSON.stringify(e.results)}`)
      // 1 reaction, 2 learning, 3 behaviour
      assert((await text(pg, '[data-test=reaction-mean]')) === (await fmt(pg, e.reaction.mean)), `reaction mean ${e.reaction.mean}`)
      for (let s = 1; s <= 5; s++) assert((await text(pg, `[data-test=reaction-${s}]`)).endsWith(`: ${e.reaction.distribution[s - 1]}`), `ratings of ${s}`)
      assert((await text(pg, '[data-test=learning-gain]')) === (await fmt(pg, e.learning.mean_gain, true)), `learning gain ${e.learning.mean_gain}`)
      assert((await text(pg, '[data-test=learning-pre]')) === (await fmt(pg, e.learning.mean_pre)), 'mean pre-test')
      assert((await text(pg, '[data-test=learning-post]')) === (await fmt(pg, e.learning.mean_post)), 'mean post-test')
      if (e.learning.ci_low != null) {
        assert((await text(pg, '[data-test=learning-ci-low]')) === (await fmt(pg, e.learning.ci_low, true)), 'learning interval low')
        assert((await text(pg, '[data-test=learning-ci-high]')) === (await fmt(pg, e.learning.ci_high, true)), 'learning interval high')
      }
      assert((await text(pg, '[data-test=visits-change]')) === (await fmt(pg, e.behaviour.visits.change, true)), `visits a month change ${e.behaviour.visits.change}`)
      for (const c of e.behaviour.competencies) await pg.locator(`[data-test=behaviour-comp-${c.competency_id}]`).waitFor()
      // 4 results
      const res = e.results
      assert((await pg.locator('[data-test=level-results]').getAttribute('data-status')) === res.status, 'the results level shows the status')
      assert((await text(pg, '[data-test=results-trained]')).includes(String(res.n_trained)), 'trained count')
      if (res.status === 'ok') {
        assert((await text(pg, '[data-test=did-value]')) === (await fmt(pg, res.did, true)), `DiD ${res.did}`)
        assert((await text(pg, '[data-test=did-ci-low]')) === (await fmt(pg, res.ci_low, true)), `interval low ${res.ci_low}`)
        assert((await text(pg, '[data-test=did-ci-high]')) === (await fmt(pg, res.ci_high, true)), `interval high ${res.ci_high}`)
        assert((await text(pg, '[data-test=pre-trained]')) === (await fmt(pg, res.pre_trained)), 'trained before')
        assert((await text(pg, '[data-test=post-control]')) === (await fmt(pg, res.post_control)), 'colleagues after')
        await pg.locator('[data-test=effect-chart][data-ready="1"]').waitFor()
        assert((await pg.locator('[data-test=results-not-enough]').count()) === 0, 'no "not enough data" when ok')
      } else {
        const shown = await text(pg, '[data-test=results-not-enough]')
        assert(shown.includes(words.effect.notEnough) && shown.includes(words.effect.reasons[res.reason]), `not enough data and why (${res.reason}): ${shown}`)
        assert((await pg.locator('[data-test=did-value]').count()) === 0, 'no DiD when not enough data')
      }
      await noRaw(pg, '[data-test=course-detail]')
      return e
    }

    await check('training: the effect report', async () => {
      // the course whose trained improved: DiD above 0 with the whole interval above 0
      const a = await effectShown(p, com, 'ok')
      assert(a.results.did > 0 && a.results.ci_low > 0, `KAM-COM-01 improved: ${a.results.did} [${a.results.ci_low}, ${a.results.ci_high}]`)
      assert((await p.locator('[data-test=did-verdict]').getAttribute('data-verdict')) === 'better', 'verdict: the trained improved more')
      await k.shot(p, 'training-effect-improved')
      // the course that did not: its interval spans 0
      const b = await effectShown(p, leg, 'ok')
      assert(b.results.ci_low < 0 && b.results.ci_high > 0, `KAM-LEG-01 unclear: [${b.results.ci_low}, ${b.results.ci_high}]`)
      assert((await p.locator('[data-test=did-verdict]').getAttribute('data-verdict')) === 'unclear', 'verdict: no clear difference')
      assert((await text(p, '[data-test=did-verdict]')) === words.effect.verdict.unclear, 'the verdict in words')
      // a team lead sees their team's figures only: too few comparable colleagues there
      const lead = await k.newPage(browser, base, { locale: 'zh-CN', label: 'training-lead' })
      try {
        await login(lead.page, 'lead.east')
        const e = await effectShown(lead.page, com, 'not_enough_data')
        assert(e.scope === 'team' && e.results.reason === 'too_few_control', `lead's scope: ${e.scope} ${e.results.reason}`)
        await k.shot(lead.page, 'training-effect-not-enough')
      } finally {
        await lead.context.close()
      }
    })

    await check('training: enrol and score a training', async () => {
      const today = isoDay(Date.now())
      const person = (await api(p, 'GET', '/api/v1/users?q=am.east3&limit=5')).json.items.find((u) => u.login === 'am.east3')
      assert(person, 'am.east3 in the directory')
      // schedule a session of the course without one, starting today
      await p.goto('/training?tab=sessions')
      await p.locator('[data-test=session-new]').click()
      const dlg = p.locator('[data-test=session-dialog]')
      await dlg.waitFor()
      await chooseOption(p, 'session-course', 'KAM-PRD-02')
      const start = field(p, 'session-starts')
      await start.click()
      await start.fill(today)
      await start.press('Enter')
      await dlg.locator('[data-test=session-trainer-by] .el-radio').nth(1).click()
      await field(p, 'session-trainer-name').fill(`周工（产品部）${tag}`)
      await field(p, 'session-place').fill('线上会议')
      await dlg.locator('[data-test=session-save]').click()
      await p.locator('[data-test=session-detail] [data-test=session-heading]').waitFor()
      await ready(p)
      sessionId = Number(new URL(p.url()).pathname.split('/').pop())
      const s = (await api(p, 'GET', `/api/v1/training-sessions/${sessionId}`)).json
      assert(s.course_id === prd.id && s.starts_on === today && s.trainer_name === `周工（产品部）${tag}` && s.place === '线上会议', `session stored: ${JSON.stringify(s)}`)

      // enrol the person
      await p.locator('[data-test=enrol-person]').click()
      await field(p, 'enrol-person').fill(person.name)
      await p.locator('.el-select-dropdown__item:visible', { hasText: person.name }).first().click()
      await p.locator('[data-test=enrol-add]').click()
      const row = p.locator('[data-test=enrolments-table] tr.el-table__row', { hasText: person.name })
      await row.waitFor()
      await ready(p)
      let e = (await api(p, 'GET', `/api/v1/enrolments?session_id=${sessionId}`)).json.items
      assert(e.length === 1 && e[0].user_id === person.id && e[0].status === 'enrolled', `enrolled: ${JSON.stringify(e)}`)

      // attendance, pre- and post-test, completion
      await row.locator('[data-test=enrolment-record]').click()
      const rec = p.locator('[data-test=enrolment-dialog]')
      await rec.waitFor()
      await rec.locator('[data-test=attendance-attended]').click()
      await field(p, 'enrolment-pre-input').fill('57')
      await field(p, 'enrolment-pre-input').press('Tab')
      await field(p, 'enrolment-post-input').fill('86')
      await field(p, 'enrolment-post-input').press('Tab')
      await rec.locator('[data-test=enrolment-complete]').click()
      await rec.locator('[data-test=enrolment-save]').click()
      await rec.waitFor({ state: 'hidden' })
      await ready(p)
      e = (await api(p, 'GET', `/api/v1/enrolments?session_id=${sessionId}`)).json.items[0]
      assert(e.status === 'completed' && e.pre_score === 57 && e.post_score === 86 && e.completed_at, `stored: ${JSON.stringify(e)}`)
      assert((await text(p, '[data-test=enrolments-table] [data-test=enrolment-pre]')) === '57', 'pre-test on the screen')
      assert((await text(p, '[data-test=enrolments-table] [data-test=enrolment-post]')) === '86', 'post-test on the screen')
      assert((await text(p, '[data-test=enrolments-table] [data-test=enrolment-status]')) === teamWords.enrolmentStatuses.completed, 'completed, in words')
      assert((await text(p, '[data-test=enrolments-table] [data-test=enrolment-completed]')) !== '—', 'the completion time shown')
      await noRaw(p, '[data-test=session-detail]')
      await k.shot(p, 'training-session')
    })

    await check('training: the training screens on a 390 px phone', async () => {
      await p.setViewportSize(PHONE)
      await p.goto('/training')
      await p.locator('[data-test=courses-cards]').waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=training-view]')
      for (const tab of ['sessions', 'needs']) {
        await p.locator(`#tab-${tab}`).click()
        await p.locator(`[data-test=${tab}-cards]`).waitFor()
        await ready(p)
        await noSideways(p, PHONE.width)
        await noRaw(p, '[data-test=training-view]')
      }
      await k.shot(p, 'training-needs-phone')
      await p.goto(`/training/courses/${comId}?kpi=visits`)
      await p.locator('[data-test=level-results]').waitFor()
      await ready(p)
      await noSideways(p, PHONE.width)
      await noRaw(p, '[data-test=course-detail]')
      await k.shot(p, 'training-effect-phone')
      if (sessionId) {
        await p.goto(`/training/sessions/${sessionId}`)
        await p.locator('[data-test=enrolments-cards]').waitFor()
        await ready(p)
        await noSideways(p, PHONE.width)
        await noRaw(p, '[data-test=session-detail]')
        await k.shot(p, 'training-session-phone')
      }
    })
  } finally {
    await context.close()
  }
}
