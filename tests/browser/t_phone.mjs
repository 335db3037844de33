// Phones (issue 12, item 1): an account manager between visits, on a 390x844 phone (touch,
// device scale 3), in zh-CN: signs in, opens the menu drawer, goes to the account list and an
// account, logs an interaction, plans a visit on today from the calendar agenda, completes it,
// and reads the month's agenda. Each step also checks that the page does not scroll sideways.
// Plus the shell at 360 px: the header fits, the hamburger and the avatar are touch-sized.

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }

async function noOverflow(k, page, where) {
  // the configured width: on a phone (isMobile) Chromium widens innerWidth to the content
  const o = await page.evaluate((w) => {
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
  }, page.viewportSize().width)
  k.assert(o.sw <= o.w + 1, `${where}: the page is ${o.sw}px wide on a ${o.w}px screen: ${o.wide.join('; ')}`)
}

async function phonePage(k, label, opts = PHONE) {
  const context = await k.browser.newContext({ baseURL: k.base, locale: 'zh-CN', ...opts })
  context.setDefaultTimeout(k.TIMEOUT)
  context.setDefaultNavigationTimeout(k.TIMEOUT)
  await context.addInitScript(() => localStorage.setItem('kam.locale', 'zh-CN'))
  const page = await context.newPage()
  page.on('pageerror', (e) => k.problems.push({ where: label, what: `pageerror: ${e.message.slice(0, 300)}` }))
  page.on('console', (m) => {
    if (m.type() === 'error' && !(/^Failed to load resource/.test(m.text()) && (m.location()?.url ?? '').includes('/api/v1/')))
      k.problems.push({ where: label, what: m.text().slice(0, 300) })
  })
  return { context, page }
}

/** Opens the drawer and taps a menu item; the drawer closes on navigation. */
async function navigate(k, page, item, url) {
  await page.locator('[data-test=nav-toggle]').tap()
  const drawer = page.locator('.nav-drawer')
  await drawer.waitFor()
  await drawer.locator(`[data-test=${item}]`).tap()
  await page.waitForURL(url)
  await drawer.waitFor({ state: 'hidden' })
  await k.ready(page)
}

/** A figure as shown ("¥1,234,568", "-¥12", "+3.1%", "0.93") -> a number. */
const num = (s) => Number(String(s).replace(/[^\d.-]/g, ''))

/** No el-table is visible on the page: every list is a card list (none scrolls sideways). */
async function noTables(k, page, where) {
  const tables = await page.locator('.el-table').evaluateAll((els) => els.filter((e) => e.checkVisibility()).map((e) => e.closest('[data-test]')?.getAttribute('data-test') ?? 'table'))
  k.assert(tables.length === 0, `${where}: tables on a phone: ${tables.join(', ')}`)
}

/** The cards of a card list as { key, text of each [data-test] figure inside }. */
async function cardFigures(page, list) {
  return page.locator(`[data-test=${list}] [data-test=card]`).evaluateAll((els) =>
    els.map((e) => {
      const f = { key: e.dataset.key, title: e.querySelector('.card-title')?.textContent.trim() ?? '' }
      for (const x of e.querySelectorAll('[data-test]')) f[x.dataset.test] = x.textContent.trim()
      return f
    }),
  )
}

export default async (k) => {
  const { context, page } = await phonePage(k, 'phone-am')
  const st = {} // me, account, contact, visit

  await k.check('phone: sign in at 390x844; the menu is a drawer behind the header button; home fits the screen', async () => {
    await page.goto('/login')
    await k.ready(page)
    await noOverflow(k, page, 'login')
    await k.login(page, 'am.east1')
    await k.ready(page)
    st.me = (await k.api(page, 'GET', '/api/v1/me')).json
    k.assert((await page.locator('.aside').count()) === 0, 'no side menu on a phone')
    const toggle = page.locator('[data-test=nav-toggle]')
    await toggle.waitFor()
    const box = await toggle.boundingBox()
    k.assert(box.width >= 40 && box.height >= 40, `menu button is ${box.width}x${box.height}`)
    await noOverflow(k, page, 'home')
    await k.shot(page, 'phone-home-zh-CN')
    await toggle.tap()
    const drawer = page.locator('.nav-drawer')
    await drawer.waitFor()
    const items = await drawer.locator('.el-menu-item').count()
    k.assert(items >= 4, `the drawer holds the menu (${items} items)`)
    const h = (await drawer.locator('[data-test=nav-accounts]').boundingBox()).height
    k.assert(h >= 40, `menu items are touch-sized (${h}px)`)
    await k.shot(page, 'phone-drawer-zh-CN', { fullPage: false })
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
  })

  await k.check('phone: account list from the drawer, then an account; its tabs are a select', async () => {
    // an account of mine with contacts (demo data)
    const mine = await k.allPages(page, `/api/v1/accounts?owner_id=${st.me.id}`)
    for (const a of mine) {
      const cs = (await k.api(page, 'GET', `/api/v1/accounts/${a.id}/contacts?limit=5`)).json.items
      if (cs.length) {
        st.account = a
        st.contact = cs[0]
        break
      }
    }
    k.assert(st.account, `am.east1 has an account with contacts (${mine.length} accounts)`)
    await navigate(k, page, 'nav-accounts', /\/accounts$/)
    await noOverflow(k, page, 'account list')
    await k.shot(page, 'phone-accounts-zh-CN')
    // the list (a table or the list owner's cards) links to the account
    await page.goto(`/accounts/${st.account.id}`)
    await page.locator('[data-test=account-name]').waitFor()
    await k.ready(page)
    await noOverflow(k, page, 'account page')
    const sel = page.locator('[data-test=account-tab-select]')
    await sel.waitFor()
    k.assert(!(await page.locator('[data-test=account-tabs] .el-tabs__header').isVisible()), 'the tab bar is hidden on a phone')
    await k.shot(page, 'phone-account-zh-CN')
    await sel.tap()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '联系人' }).first().tap()
    await page.waitForURL(/tab=contacts/)
    await k.ready(page)
    await noOverflow(k, page, 'contacts tab')
    // contacts as cards, one per contact of the API, a phone number one tap from a call
    const all = (await k.api(page, 'GET', `/api/v1/accounts/${st.account.id}/contacts?limit=500`)).json.items
    const cards = page.locator('[data-test=contacts-cards] [data-test=card]')
    k.assert((await cards.count()) === all.length, `${await cards.count()} contact cards, the API has ${all.length}`)
    k.assert((await page.locator('[data-test=contacts-table]').count()) === 0, 'no contacts table on a phone')
    const withPhone = all.find((c) => c.phone)
    k.assert(withPhone, 'a demo contact with a phone number')
    const tel = await page.locator(`[data-test=contacts-cards] [data-test=card][data-key="${withPhone.id}"] [data-test=contact-tel]`).getAttribute('href')
    k.assert(tel === `tel:${withPhone.phone.replace(/[^\d+]/g, '')}`, `call link ${tel} for ${withPhone.phone}`)
    await sel.tap()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '决策链' }).first().tap()
    await page.waitForURL(/tab=map/)
    await page.locator('[data-test=map-scroll]').waitFor()
    await k.ready(page)
    await noOverflow(k, page, 'buying-centre map')
    // the chart pans inside its card: the card is no wider than the screen
    const mb = await page.locator('[data-test=map-scroll]').boundingBox()
    k.assert(mb.x >= 0 && mb.x + mb.width <= 391, `map card inside the screen (${mb.x}+${mb.width})`)
  })

  await k.check('phone: log an interaction on the account (full-width dialog); it shows on the timeline', async () => {
    k.assert(st.account, 'no account')
    await page.goto(`/accounts/${st.account.id}?tab=timeline`)
    await page.locator('[data-test=timeline]').waitFor()
    await k.ready(page)
    await page.locator('[data-test=log-interaction]').tap()
    const dlg = page.locator('.el-dialog', { has: page.locator('[data-test=i-save]') })
    await dlg.waitFor()
    await k.ready(page)
    const b = await dlg.boundingBox()
    k.assert(b.x >= 0 && b.x + b.width <= 391 && b.width >= 340, `dialog fits the screen (${Math.round(b.x)}+${Math.round(b.width)})`)
    const subject = `电话回访 ${Date.now() % 100000}`
    await k.field(page, 'i-subject').fill(subject)
    await k.shot(page, 'phone-interaction-zh-CN', { fullPage: false })
    await page.locator('[data-test=i-save]').tap()
    const err = dlg.locator('.el-form-item__error')
    await Promise.race([dlg.waitFor({ state: 'hidden' }), err.first().waitFor()])
    k.assert(!(await dlg.isVisible()), `saved without errors: ${await err.allInnerTexts().catch(() => [])}`)
    await page.locator('[data-test=interaction]', { hasText: subject }).first().waitFor()
    await noOverflow(k, page, 'timeline')
    const list = (await k.api(page, 'GET', `/api/v1/accounts/${st.account.id}/interactions?limit=5`)).json.items
    k.assert(list.some((x) => x.subject === subject), 'stored')
  })

  await k.check('phone: the calendar is an agenda; plan a visit on today from it, complete it, see it done', async () => {
    k.assert(st.account, 'no account')
    await navigate(k, page, 'nav-visits', /\/visits/)
    const agenda = page.locator('[data-test=visits-agenda]')
    await agenda.waitFor()
    k.assert((await page.locator('[data-test=calendar]').count()) === 0, 'no week grid on a phone')
    await noOverflow(k, page, 'visits')
    const today = k.localDay(new Date())
    const day = agenda.locator(`[data-test=agenda-day][data-date="${today}"]`)
    await day.waitFor()
    await day.locator('[data-test=agenda-add]').tap()
    const dlg = page.locator('.el-dialog', { has: page.locator('[data-test=p-save]') })
    await dlg.waitFor()
    await k.ready(page)
    const b = await dlg.boundingBox()
    k.assert(b.x >= 0 && b.x + b.width <= 391, `plan dialog fits the screen (${Math.round(b.x)}+${Math.round(b.width)})`)
    const preset = await k.field(page, 'p-time').inputValue()
    k.assert(preset.startsWith(today) || preset.startsWith(k.localDay(new Date(Date.now() + 3600_000))), `time preset from the day: ${preset}`)
    await k.field(page, 'p-account').fill(st.account.code)
    await page.locator('.el-select-dropdown__item:visible', { hasText: st.account.name }).first().tap()
    await k.chooseOption(page, 'p-contact', st.contact.name)
    await page.locator('[data-test=p-kind] label').first().tap()
    await k.shot(page, 'phone-visit-plan-zh-CN', { fullPage: false })
    // the account's visits before saving: the one planned here is the one not among them
    const before = new Set((await k.allPages(page, `/api/v1/visits?account_id=${st.account.id}`)).map((x) => x.id))
    await page.locator('[data-test=p-save]').tap()
    await dlg.waitFor({ state: 'hidden' })
    const added = (await k.allPages(page, `/api/v1/visits?account_id=${st.account.id}`)).filter((x) => !before.has(x.id))
    k.assert(added.length === 1, `one visit stored, found ${added.length} new`)
    const planned = added[0]
    k.assert(planned.status === 'planned' && planned.contact_id === st.contact.id, `planned visit stored: ${planned.status}, contact ${planned.contact_id}`)
    st.visit = planned.id
    const row = agenda.locator(`[data-test=cal-visit][data-id="${planned.id}"]`)
    await row.waitFor()
    k.assert((await row.getAttribute('data-status')) === 'planned', 'planned in the agenda')
    const rb = await row.boundingBox()
    k.assert(rb.height >= 40, `agenda rows are touch-sized (${rb.height}px)`)
    await k.shot(page, 'phone-agenda-week-zh-CN')
    await row.tap()
    const vd = page.locator(`[data-test=visit-dialog][data-visit-id="${planned.id}"]`)
    await vd.waitFor()
    await page.locator('[data-test=v-complete]').tap()
    await k.field(page, 'v-outcome-input').fill('客户确认下季度订单。')
    await k.shot(page, 'phone-visit-complete-zh-CN', { fullPage: false })
    await page.locator('[data-test=v-complete-save]').tap()
    const verr = vd.locator('.el-form-item__error, [data-test=form-error]')
    await Promise.race([vd.locator('[data-test=visit-status][data-status=done]').waitFor(), verr.first().waitFor()])
    k.assert(!(await verr.count()), `completed without errors: ${await verr.allInnerTexts()}`)
    await page.locator('[data-test=v-close]').tap()
    await vd.waitFor({ state: 'hidden' })
    await agenda.locator(`[data-test=cal-visit][data-id="${planned.id}"][data-status=done]`).waitFor()
    const v = (await k.api(page, 'GET', `/api/v1/visits/${planned.id}`)).json
    k.assert(v.status === 'done' && v.interaction_id, `visit after completion: ${v.status}`)
    await noOverflow(k, page, 'visits after completion')
  })

  await k.check("phone: the month's agenda lists the month's days with visits, each visit once", async () => {
    await page.goto('/visits')
    await page.locator('[data-test=visits-agenda]').waitFor()
    await page.locator('[data-test=cal-month]').tap()
    const agenda = page.locator('[data-test=visits-agenda][data-view=month]')
    await agenda.waitFor()
    await k.ready(page)
    const now = new Date()
    const from = new Date(now.getFullYear(), now.getMonth(), 1)
    const to = new Date(now.getFullYear(), now.getMonth() + 1, 1)
    const want = await k.allPages(page, `/api/v1/visits?owner_id=${st.me.id}&from=${k.iso(from)}&to=${k.iso(to)}`)
    const ids = await agenda.locator('[data-test=cal-visit]').evaluateAll((els) => els.map((e) => Number(e.dataset.id)))
    k.assert(ids.length === new Set(ids).size, 'each visit once')
    k.assert(ids.length === want.length && want.every((w) => ids.includes(w.id)), `agenda has ${ids.length} visits, the API ${want.length}`)
    const dates = await agenda.locator('[data-test=agenda-day]').evaluateAll((els) => els.map((e) => e.dataset.date))
    const ym = k.localDay(now).slice(0, 7)
    k.assert(dates.every((d) => d.startsWith(ym)), `only this month's days: ${dates.join(',')}`)
    k.assert(dates.join() === [...dates].sort().join(), 'days in order')
    await noOverflow(k, page, 'month agenda')
    await k.shot(page, 'phone-agenda-month-zh-CN')
  })

  await k.check("phone: the behaviour tab's cross-sell and share of wallet are cards, each figure the API's", async () => {
    // an account of mine with cross-sell suggestions (demo data has sales for all of them)
    const mine = await k.allPages(page, `/api/v1/accounts?owner_id=${st.me.id}`)
    let acc = null
    let bh = null
    for (const a of mine.slice(0, 30)) {
      const r = await k.api(page, 'GET', `/api/v1/accounts/${a.id}/behaviour`)
      if (r.status === 200 && r.json.cross_sell.length) {
        acc = a
        bh = r.json
        break
      }
    }
    k.assert(acc, `an account of am.east1 with cross-sell suggestions (${mine.length} accounts)`)
    // a wallet estimate for last year (a year with sales), unless one is there
    const year = new Date().getFullYear() - 1
    let wallet = (await k.api(page, 'GET', `/api/v1/accounts/${acc.id}/wallet`)).json.items
    if (!wallet.some((w) => w.year === year)) {
      const put = await k.api(page, 'PUT', `/api/v1/accounts/${acc.id}/wallet/${year}`, { amount: 987654321, note: '手机端测试估算' })
      k.assert(put.status === 200, `wallet estimate: ${put.status} ${JSON.stringify(put.json)}`)
      wallet = (await k.api(page, 'GET', `/api/v1/accounts/${acc.id}/wallet`)).json.items
    }
    await page.goto(`/accounts/${acc.id}?tab=behaviour`)
    await page.locator('[data-test=bh-wallet]').waitFor()
    await page.locator('[data-test=bh-cross-sell-cards] [data-test=card]').first().waitFor()
    await page.locator('[data-test=wallet-cards] [data-test=card]').first().waitFor()
    await k.ready(page)
    await noOverflow(k, page, 'behaviour tab')
    await noTables(k, page, 'behaviour tab')
    // cross-sell: a card a family, score (whole percent, as the desktop bar), neighbours, expected amount
    const cs = await cardFigures(page, 'bh-cross-sell-cards')
    k.assert(cs.length === bh.cross_sell.length, `${cs.length} cross-sell cards, the API has ${bh.cross_sell.length}`)
    for (const x of bh.cross_sell) {
      const c = cs.find((y) => y.key === x.family)
      k.assert(c, `no card for ${x.family}`)
      k.assert(num(c['cs-score']) === Math.round(Math.min(1, x.score) * 100), `${x.family} score ${c['cs-score']} vs ${x.score}`)
      k.assert(num(c['cs-neighbours']) === x.neighbours, `${x.family} neighbours ${c['cs-neighbours']} vs ${x.neighbours}`)
      k.assert(c['cs-expected'].includes('¥') && num(c['cs-expected']) === Math.round(x.expected_amount), `${x.family} expected ${c['cs-expected']} vs ${x.expected_amount}`)
    }
    // wallet: a card a year; amount (fen -> yuan, with the currency), our sales that year (the
    // sales series the tab reads), share = ours / wallet
    const cur = new Date().getFullYear()
    const m = new Date().getMonth() + 1
    const series = (await k.api(page, 'GET', `/api/v1/sales/series?measure=amount&from=${cur - 3}-01&to=${cur}-${String(m).padStart(2, '0')}&by=none&account_id=${acc.id}`)).json
    const ours = {}
    series.months.forEach((mm, i) => (ours[Number(mm.slice(0, 4))] = (ours[Number(mm.slice(0, 4))] ?? 0) + (series.series[0]?.actual[i] ?? 0)))
    const wc = await cardFigures(page, 'wallet-cards')
    k.assert(wc.length === wallet.length, `${wc.length} wallet cards, the API has ${wallet.length}`)
    k.assert(wc.map((c) => Number(c.key)).join() === wallet.map((w) => w.year).sort((a, b) => b - a).join(), `wallet years newest first: ${wc.map((c) => c.key)}`)
    for (const w of wallet) {
      const c = wc.find((y) => Number(y.key) === w.year)
      k.assert(c['wallet-amount-value'].includes('¥') && num(c['wallet-amount-value']) === Math.round(w.amount / 100), `${w.year} wallet ${c['wallet-amount-value']} vs ${w.amount} fen`)
      const o = ours[w.year]
      if (o == null) k.assert(c['wallet-ours'] === '—' && c['wallet-share'] === '—', `${w.year}: no sales, no share (${c['wallet-ours']}, ${c['wallet-share']})`)
      else {
        k.assert(num(c['wallet-ours']) === Math.round(o), `${w.year} our sales ${c['wallet-ours']} vs ${o}`)
        const share = (o / (w.amount / 100)) * 100
        k.assert(Math.abs(num(c['wallet-share']) - Math.round(share * 10) / 10) < 0.051, `${w.year} share ${c['wallet-share']} vs ${share}`)
      }
    }
    const y = wc.find((c) => Number(c.key) === year)
    k.assert(y && /%/.test(y['wallet-share']), `last year's share of wallet shown: ${y?.['wallet-share']}`)
    // the edit and delete buttons are touch-sized
    const eb = await page.locator(`[data-test=wallet-cards] [data-test=card][data-key="${year}"] [data-test=wallet-edit]`).boundingBox()
    k.assert(eb && eb.height >= 40, `wallet edit button ${eb?.height}px high`)
    await k.shot(page, 'phone-behaviour-zh-CN')
  })

  await k.check('phone: the volume screen is cards (drill-down and families bought together), each figure the API\'s', async () => {
    await page.goto('/volume')
    await page.locator('[data-test=vol-kpis]').waitFor()
    await page.locator('[data-test=vol-breakdown-cards] [data-test=card]').first().waitFor()
    await k.ready(page)
    await noOverflow(k, page, 'volume')
    await noTables(k, page, 'volume')
    const measure = new URL(page.url()).searchParams.get('measure') ?? 'amount'
    const Y = new Date().getFullYear()
    const bd = (await k.api(page, 'GET', `/api/v1/sales/breakdown?measure=${measure}&by=family&from=${Y}-01&to=${Y}-12&limit=500`)).json
    const cards = await cardFigures(page, 'vol-breakdown-cards')
    k.assert(cards.length === Math.min(20, bd.items.length), `${cards.length} family cards, the API has ${bd.items.length}`)
    for (const c of cards) {
      const it = bd.items.find((x) => x.key === c.key)
      k.assert(it, `card ${c.key} not in the API's breakdown`)
      // figures by their label: actual, previous year, share; growth on the title line
      const fields = await page.locator(`[data-test=vol-breakdown-cards] [data-test=card][data-key="${c.key}"] .card-field`).evaluateAll((els) =>
        Object.fromEntries(els.map((e) => [e.querySelector('.cf-label').textContent.trim(), e.querySelector('.cf-value').textContent.trim()])),
      )
      const money = (s) => (measure === 'amount' ? s.includes('¥') : true) && num(s)
      k.assert(money(fields['实际']) === Math.round(it.actual), `${c.key} actual ${fields['实际']} vs ${it.actual}`)
      k.assert(it.previous == null ? fields['去年同期'] === '—' : money(fields['去年同期']) === Math.round(it.previous), `${c.key} previous ${fields['去年同期']} vs ${it.previous}`)
      k.assert(Math.abs(num(fields['占比']) - Math.round(it.share_pct * 10) / 10) < 0.051, `${c.key} share ${fields['占比']} vs ${it.share_pct}`)
      const extra = await page.locator(`[data-test=vol-breakdown-cards] [data-test=card][data-key="${c.key}"] .card-extra`).innerText()
      k.assert(it.growth_pct == null ? extra.trim() === '—' : Math.abs(num(extra) - Math.round(it.growth_pct * 10) / 10) < 0.051, `${c.key} growth ${extra} vs ${it.growth_pct}`)
    }
    // families bought together: the 8 of highest confidence, each with confidence, lift, accounts
    const aff = (await k.api(page, 'GET', '/api/v1/sales/affinity')).json.items
    if (aff.length) {
      await page.locator('[data-test=vol-affinity-cards] [data-test=card]').first().waitFor()
      const top = [...aff].sort((x, y) => y.confidence - x.confidence).slice(0, 8)
      const ac = await cardFigures(page, 'vol-affinity-cards')
      k.assert(ac.length === top.length, `${ac.length} affinity cards, want ${top.length}`)
      for (const r of top) {
        const c = ac.find((x) => x.key === `${r.a}>${r.b}`)
        k.assert(c && c['aff-pair'].includes(r.a) && c['aff-pair'].includes(r.b), `no card for ${r.a} -> ${r.b}`)
        k.assert(Math.abs(num(c['aff-confidence']) - Math.round(r.confidence * 1000) / 10) < 0.051, `${r.a}->${r.b} confidence ${c['aff-confidence']} vs ${r.confidence}`)
        k.assert(c['aff-lift'] === r.lift.toFixed(2), `${r.a}->${r.b} lift ${c['aff-lift']} vs ${r.lift}`)
        k.assert(num(c['aff-count']) === r.count, `${r.a}->${r.b} accounts ${c['aff-count']} vs ${r.count}`)
      }
    }
    // a tap on a card drills by it: the chart is filtered by the family
    const first = cards[0]
    await page.locator(`[data-test=vol-breakdown-cards] [data-test=card][data-key="${first.key}"]`).tap()
    await page.waitForURL((u) => u.searchParams.get('family') === first.key)
    await page.locator('[data-test=vol-active]').waitFor()
    await k.ready(page)
    await noOverflow(k, page, 'volume, one family')
    await k.shot(page, 'phone-volume-zh-CN')
  })

  await k.check('phone: navigating from the drawer closes it; the header fits 360 px with touch-sized controls', async () => {
    await page.goto('/visits')
    await k.ready(page)
    await navigate(k, page, 'nav-home', (u) => u.pathname === '/')
    k.assert(!(await page.locator('.nav-drawer').isVisible()), 'drawer closed after navigation')
    await page.setViewportSize({ width: 360, height: 740 })
    await k.ready(page)
    await noOverflow(k, page, 'home at 360')
    const hdr = await page.locator('.header').boundingBox()
    const right = await page.locator('.header-right').boundingBox()
    k.assert(right.x + right.width <= 360 && hdr.width <= 360, `header fits (${Math.round(right.x + right.width)})`)
    const chip = await page.locator('[data-test=user-menu]').boundingBox()
    k.assert(chip.width >= 40 && chip.height >= 40, `user menu is ${chip.width}x${chip.height}`)
    await page.locator('[data-test=user-menu]').tap()
    await page.locator('[data-test=logout]').waitFor()
    await page.keyboard.press('Escape')
  })

  await context.close()

  await k.check('tablet 768x1024: the side menu is back; 767 px: the drawer', async () => {
    const { context: c, page: p } = await phonePage(k, 'tablet', { viewport: { width: 768, height: 1024 }, hasTouch: true })
    await k.login(p, 'am.east1')
    await k.ready(p)
    await p.locator('.aside [data-test=nav-accounts]').waitFor()
    k.assert((await p.locator('[data-test=nav-toggle]').count()) === 0, 'no menu button at 768')
    await noOverflow(k, p, 'home at 768')
    await p.setViewportSize({ width: 767, height: 1024 })
    await p.locator('[data-test=nav-toggle]').waitFor()
    k.assert((await p.locator('.aside').count()) === 0, 'no side menu at 767')
    await c.close()
  })
}
