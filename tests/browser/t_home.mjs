// Homes for each role (issue 12, item 6). am.east1's home shows today's agenda as the API
// (GET /home/agenda) returns it: a visit planned later today and a critical issue assigned to
// them (a follow-up) are made first, and every item of the API is a card on the screen that
// opens its record. The director's and lead.east's homes show one row per person of GET
// /home/team with the same attainment and overdue counts; the lead sees only their team. On a
// 390x844 phone the account manager's home shows the agenda first and does not scroll sideways.

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }

async function noOverflow(k, page, where) {
  const o = await page.evaluate(() => {
    const w = window.innerWidth
    const wide = []
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect()
      const pr = el.parentElement?.getBoundingClientRect()
      if (r.width && r.right > w + 1 && !(pr && pr.right > w + 1 && r.width <= pr.width + 1)) {
        const dt = el.closest('[data-test]')?.getAttribute('data-test')
        wide.push(`${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}${dt ? ` in [data-test=${dt}]` : ''} (${Math.round(r.right)})`)
      }
    }
    return { sw: document.scrollingElement.scrollWidth, w, wide: wide.slice(0, 3) }
  })
  k.assert(o.sw <= o.w + 1, `${where}: the page is ${o.sw}px wide on a ${o.w}px screen: ${o.wide.join('; ')}`)
}

const pctText = (p) => (p == null ? null : String(Math.round(p * 10) / 10))

/** Every person of the API answer has a row with the same attainment and overdue figures. */
async function samePeople(k, page, team, where) {
  const { assert } = k
  for (const p of team.people) {
    const cell = (what) => page.locator(`[data-test=team-figures] [data-test=${what}][data-id="${p.user_id}"]`).first()
    const ov = (await cell('ov-visits').innerText()).trim()
    assert(ov === String(p.overdue_visits), `${where} ${p.login}: overdue visits ${ov}, API ${p.overdue_visits}`)
    const oi = (await cell('ov-issues').innerText()).trim()
    assert(oi === String(p.overdue_issues), `${where} ${p.login}: overdue issues ${oi}, API ${p.overdue_issues}`)
    const op = (await cell('open-issues').innerText()).trim()
    assert(op === String(p.open_issues), `${where} ${p.login}: open issues ${op}, API ${p.open_issues}`)
    const att = (await cell('att').innerText()).trim()
    if (p.attainment_pct == null) assert(!/\d/.test(att), `${where} ${p.login}: attainment "${att}" without a target`)
    else assert(att.replace(/[^\d.]/g, '') === pctText(p.attainment_pct), `${where} ${p.login}: attainment "${att}", API ${p.attainment_pct}`)
  }
}

export default async (k) => {
  const { check, assert, newPage, login, ready, api, browser, base, shot } = k
  const st = {}

  await check('home: an account manager sees today\'s agenda as GET /home/agenda returns it; each card opens its record', async () => {
    const { context, page } = await newPage(browser, base, { label: 'home-am' })
    st.amContext = context
    page.setScreen('home-agenda')
    await login(page, 'am.east1')
    const me = (await api(page, 'GET', '/api/v1/me')).json
    const own = (await api(page, 'GET', `/api/v1/accounts?owner_id=${me.id}&limit=1`)).json.items[0]
    assert(own, 'am.east1 owns an account')
    // a visit later today (China time, the server's day) and an urgent issue assigned to me
    const at = new Date(Date.now() + 20 * 60 * 1000)
    const v = await api(page, 'POST', `/api/v1/accounts/${own.id}/visits`, { kind: 'onsite', planned_at: at.toISOString().replace(/\.\d{3}Z$/, 'Z') })
    assert(v.status === 201, `plan a visit: ${v.status} ${JSON.stringify(v.json)}`)
    const x = await api(page, 'POST', `/api/v1/accounts/${own.id}/issues`, { title: `主页跟进 ${Date.now()}`, severity: 'critical', assignee_id: me.id })
    assert(x.status === 201, `record an issue: ${x.status} ${JSON.stringify(x.json)}`)
    await page.goto('/')
    await page.locator('[data-test=agenda]').waitFor()
    await ready(page)
    const ag = (await api(page, 'GET', '/api/v1/home/agenda')).json
    const chinaDay = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)
    const visitDay = new Date(at.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10)
    if (visitDay === chinaDay) assert(ag.visits.some((i) => i.id === v.json.id), 'the API lists the new visit today')
    assert(ag.follow_ups.some((i) => i.id === x.json.id), 'the API lists the critical issue as a follow-up')
    const lists = [
      ['agenda-visit', ag.visits],
      ['agenda-issue', ag.follow_ups],
      ['agenda-care-item', ag.care],
      ['agenda-overdue-visit', ag.overdue_visits],
      ['agenda-overdue-issue', ag.overdue_issues],
      ['agenda-overdue-care', ag.overdue_care],
    ]
    for (const [dt, items] of lists) {
      const n = await page.locator(`[data-test=${dt}]`).count()
      assert(n === items.length, `${dt}: ${n} cards on the screen, the API has ${items.length}`)
      for (const it of items) {
        const card = page.locator(`[data-test=${dt}][data-id="${it.id}"]`)
        assert((await card.count()) === 1, `${dt} ${it.id} is on the screen`)
        if (dt.endsWith('issue')) continue
        const name = it.account_name ?? ''
        assert(name.trim() !== '', `${dt} ${it.id}: the API gives no account name`)
        assert((await card.innerText()).includes(name.slice(0, 6)), `${dt} ${it.id} names its account ${name}`)
      }
    }
    await shot(page, 'home-agenda-zh-CN')
    // one tap: the issue card opens the issue
    await page.locator(`[data-test=agenda-issue][data-id="${x.json.id}"]`).click()
    await page.waitForURL(new RegExp(`/issues/${x.json.id}$`))
    st.issue = x.json.id
    st.am = me
  })

  await check('home: the director sees one row per person with the attainment and overdue counts of GET /home/team', async () => {
    const { context, page } = await newPage(browser, base, { label: 'home-director' })
    page.setScreen('home-team')
    await login(page, 'director')
    await page.locator('[data-test=team-table]').waitFor()
    await ready(page)
    const team = (await api(page, 'GET', `/api/v1/home/team?period=${new Date().getFullYear()}`)).json
    assert(team.people.length > 3, `the director sees everyone: ${team.people.length} people`)
    assert(team.people.some((p) => p.attainment_pct != null), 'someone has a target (the demo plan)')
    const rows = page.locator('[data-test=team-table] [data-test=team-person]')
    assert((await rows.count()) === team.people.length, `${await rows.count()} rows, the API has ${team.people.length}`)
    await samePeople(k, page, team, 'director')
    const total = (await page.locator('[data-test=total-ov-visits]').innerText()).trim()
    assert(total === String(team.totals.overdue_visits), `total overdue visits ${total}, API ${team.totals.overdue_visits}`)
    // a figure links to its filtered list
    const someone = team.people.find((p) => p.open_issues > 0) ?? team.people[0]
    await shot(page, 'home-team-director-zh-CN')
    await page.locator(`[data-test=team-figures] [data-test=open-issues][data-id="${someone.user_id}"]`).first().click()
    await page.waitForURL((u) => u.pathname === '/issues' && u.searchParams.get('assignee') === String(someone.user_id))
    // pick a team: only its people
    await page.goto('/')
    await page.locator('[data-test=team-table]').waitFor()
    await ready(page)
    const east = team.teams.find((t) => /East/.test(t.name))
    assert(east, 'the East team is listed')
    await page.locator('[data-test=team-select]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: east.name }).click()
    const eastTeam = (await api(page, 'GET', `/api/v1/home/team?team_id=${east.id}&period=${new Date().getFullYear()}`)).json
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=team-table] [data-test=team-person]').length === n, eastTeam.people.length)
    await ready(page)
    await samePeople(k, page, eastTeam, 'director/East')
    await context.close()
  })

  await check('home: a team lead sees their team\'s people only, with the figures of GET /home/team', async () => {
    const { context, page } = await newPage(browser, base, { label: 'home-lead' })
    page.setScreen('home-lead')
    await login(page, 'lead.east')
    await page.locator('[data-test=team-table]').waitFor()
    await ready(page)
    const team = (await api(page, 'GET', `/api/v1/home/team?period=${new Date().getFullYear()}`)).json
    const logins = team.people.map((p) => p.login)
    assert(logins.includes('am.east1') && !logins.some((l) => /south|global/.test(l)), `lead.east's people: ${logins.join(', ')}`)
    assert((await page.locator('[data-test=team-table] [data-test=team-person]').count()) === team.people.length, 'one row per person')
    await samePeople(k, page, team, 'lead.east')
    // a team the lead does not lead, nor any of its parents
    const me = (await api(page, 'GET', '/api/v1/me')).json
    const teams = (await api(page, 'GET', '/api/v1/teams')).json.items
    const byId = new Map(teams.map((t) => [t.id, t]))
    const led = (t) => {
      for (let x = t; x; x = x.parent_id != null ? byId.get(x.parent_id) : null) if (x.manager_id === me.id) return true
      return false
    }
    const foreign = teams.find((t) => t.id !== me.team_id && !led(t))
    assert(foreign, `a team lead.east does not lead among ${teams.map((t) => t.name).join(', ')}`)
    const other = await api(page, 'GET', `/api/v1/home/team?team_id=${foreign.id}`)
    assert(other.status === 403, `another team (${foreign.name}): ${other.status}`)
    await shot(page, 'home-team-lead-zh-CN')
    await context.close()
  })

  await check('home: at 390x844 the account manager\'s agenda comes first, as cards, and nothing scrolls sideways', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', ...PHONE })
    context.setDefaultTimeout(k.TIMEOUT)
    await context.addInitScript(() => localStorage.setItem('kam.locale', 'zh-CN'))
    const page = await context.newPage()
    page.setScreen = () => {}
    await login(page, 'am.east1')
    await page.locator('[data-test=agenda]').waitFor()
    await ready(page)
    await noOverflow(k, page, 'phone home')
    const ag = await page.locator('[data-test=agenda]').boundingBox()
    const tiles = await page.locator('[data-test=kpi-mine]').boundingBox()
    assert(ag && tiles && ag.y < tiles.y, 'the agenda is above the account tiles')
    assert(ag.width <= 390, `agenda ${ag.width}px wide`)
    if (st.issue) {
      const card = page.locator(`[data-test=agenda-issue][data-id="${st.issue}"]`)
      const box = await card.boundingBox()
      assert(box && box.height >= 40, `the follow-up card is a touch target (${box?.height}px)`)
    }
    await page.locator('[data-test=stale-contacts-cards]').waitFor()
    await noOverflow(k, page, 'phone home (loaded)')
    await shot(page, 'home-agenda-phone-zh-CN')
    await context.close()
    await st.amContext?.close()
  })
}
