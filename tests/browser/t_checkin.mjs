// Who may check in (外勤签到; issue 12 review): the visit dialog offers 签到 only where the server
// allows it (svc/relationships/visit.c checkin_allowed) -- the visit's owner, an on-site visit
// still planned, not yet checked in. A director who may edit an account manager's visit sees no
// button on it; on their own phone visit neither; on their own on-site visit they check in
// (phone viewport, the browser's location) and the button is gone afterwards, the check-in shown.
const PHONE = { width: 390, height: 844 }

export default async (k) => {
  const { check, assert, login, api, ready, iso, browser, base } = k

  await check('check-in: the button only for the owner of a planned on-site visit without a check-in', async () => {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-CN', viewport: PHONE, isMobile: true, hasTouch: true, geolocation: { latitude: 22.543096, longitude: 114.057865, accuracy: 30 }, permissions: ['geolocation'] })
    context.setDefaultTimeout(k.TIMEOUT)
    const p = await context.newPage()
    p.on('pageerror', (e) => k.problems.push({ where: 'checkin', what: `pageerror: ${e.message.slice(0, 300)}` }))
    try {
      await login(p, 'director')
      const users = (await api(p, 'GET', '/api/v1/users?limit=500')).json.items
      const am = users.find((u) => u.login === 'am.east1')
      assert(am, 'the demo has am.east1')
      const acc = (await api(p, 'GET', `/api/v1/accounts?owner_id=${am.id}&limit=1`)).json.items[0]
      assert(acc, 'am.east1 owns an account')
      const when = iso(new Date(Date.now() + 2 * 86400_000))
      const plan = async (body) => {
        const r = await api(p, 'POST', `/api/v1/accounts/${acc.id}/visits`, { planned_at: when, ...body })
        assert(r.status === 201, `plan: ${r.status} ${JSON.stringify(r.json)}`)
        return r.json
      }
      const ofAm = await plan({ kind: 'onsite', owner_id: am.id })
      const phone = await plan({ kind: 'phone' })
      const mine = await plan({ kind: 'onsite' })
      const open = async (v) => {
        await p.goto(`/visits?focus=${v.id}`)
        const dlg = p.locator(`[data-test=visit-dialog][data-visit-id="${v.id}"]`)
        await dlg.waitFor()
        await ready(p)
        return dlg
      }
      for (const [v, what] of [[ofAm, "an account manager's visit"], [phone, 'a phone visit']]) {
        const dlg = await open(v)
        assert((await dlg.locator('[data-test=v-checkin]').count()) === 1, `${what}: the check-in row is shown`)
        assert((await dlg.locator('[data-test=v-checkin-btn]').count()) === 0, `${what}: no check-in button`)
        assert((await dlg.locator('[data-test=v-reschedule]').count()) === 1, `${what}: the director may still reschedule it`)
      }
      const dlg = await open(mine)
      const btn = dlg.locator('[data-test=v-checkin-btn]')
      assert((await btn.count()) === 1, 'own on-site visit: the check-in button')
      await btn.click()
      await dlg.locator('[data-test=v-checkin-state]').waitFor()
      await ready(p)
      assert((await btn.count()) === 0, 'after the check-in the button is gone (a second one would be refused)')
      const v = (await api(p, 'GET', `/api/v1/visits/${mine.id}`)).json
      assert(v.checkin_lat === 22.543096 && v.checkin_accuracy_m === 30, `stored: ${JSON.stringify(v)}`)
      const again = await api(p, 'PATCH', `/api/v1/visits/${mine.id}`, { checkin_lat: 1, checkin_lon: 1 })
      assert(again.status === 409 && again.json.error.key === 'visit.checkin_twice', `a second check-in: ${again.status} ${JSON.stringify(again.json)}`)
      const other = await api(p, 'PATCH', `/api/v1/visits/${ofAm.id}`, { checkin_lat: 1, checkin_lon: 1 })
      assert(other.status === 403 && other.json.error.key === 'visit.checkin_owner', `the director on am.east1's visit: ${other.status}`)
    } finally {
      await context.close()
    }
  })
}
