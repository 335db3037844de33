// Contracts and breaches in the browser (issue 17 item 6, part 1 of the flow): legal
// creates a contract through the UI with a volume commitment on a demo account for the quarter
// that ended before the test clock, activates it; `kam jobs run --now <a day after the quarter>`
// finds the shortfall; the contract page shows the breach, the breach page its evidence (the
// figures and the order lines); legal confirms it. The list and the breach page on a desktop and
// a 390 px phone (no sideways scrolling), the contract page in zh-CN, zh-TW and en, no raw
// identifiers on screen.
import { execFileSync } from 'node:child_process'

const PHONE = { width: 390, height: 844 }
const RAW = /\b[a-z]+(_[a-z0-9]+)+\b/

export default async (k) => {
  const { check, assert, login, api, ready, browser, base, field, dsn, KAM } = k
  const tag = String(Date.now() % 100000)
  const jobs = (iso) => execFileSync(KAM, ['jobs', 'run', '--db', dsn, '--now', iso], { stdio: 'pipe' }).toString()
  // the quarter that ended before today (China's day)
  const cn = new Date(Date.now() + 8 * 3600000)
  let qy = cn.getUTCFullYear()
  let qi = Math.floor(cn.getUTCMonth() / 3) - 1
  if (qi < 0) {
    qi = 3
    qy -= 1
  }
  const p2 = (n) => String(n).padStart(2, '0')
  const qStart = `${qy}-${p2(qi * 3 + 1)}-01`
  const qEndDate = new Date(Date.UTC(qy, qi * 3 + 3, 0))
  const qEnd = qEndDate.toISOString().slice(0, 10)
  const ends = `${qy + 1}-${p2(qi * 3 + 1)}-01`
  // a day after the quarter's end, noon in China
  const after = new Date(qEndDate.getTime() + 86400000 + 4 * 3600000).toISOString().slice(0, 19) + 'Z'
  const occurrence = `${qy}-Q${qi + 1}`
  let contractId = 0
  let breachId = 0
  let accountName = ''

  await check('contracts: legal creates a contract with a volume commitment, activates it; the scan finds the shortfall; the breach page shows its evidence; confirm', async () => {
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'contracts-flow' })
    try {
      await login(p, 'legal')
      // a demo account with order lines in the quarter: one of the demo contracts' accounts
      const demo = (await api(p, 'GET', '/api/v1/contracts?limit=50')).json.items
      assert(demo.length > 0, 'the demo has contracts')
      const acc = (await api(p, 'GET', `/api/v1/accounts/${demo[0].account_id}`)).json
      accountName = acc.name
      assert(accountName, 'an account to contract with')
      const number = `HT-W1-${tag}`

      await p.goto('/contracts')
      await p.locator('[data-test=contracts-view]').waitFor()
      await ready(p)
      await p.locator('[data-test=contract-new]').click()
      const dlg = p.locator('[data-test=contract-dialog]')
      await dlg.waitFor()
      await p.locator('[data-test=contract-account]').click()
      await field(p, 'contract-account').fill(accountName.slice(0, 4))
      await p.locator('.el-select-dropdown__item:visible', { hasText: accountName }).first().click()
      await field(p, 'contract-number').fill(number)
      await field(p, 'contract-title').fill('年度采购框架协议（浏览器测试）')
      for (const [id, v] of [['contract-starts', qStart], ['contract-ends', ends]]) {
        await field(p, id).click()
        await field(p, id).fill(v)
        await field(p, id).press('Enter')
      }
      await p.locator('[data-test=ob-add]').click()
      await p.locator('[data-test=ob-form]').waitFor()
      // volume by amount per quarter (the defaults): a target no demo account reaches
      await field(p, 'ob-title').fill('季度采购额承诺')
      await field(p, 'ob-target').fill('900000000')
      await p.locator('[data-test=contract-save]').click()
      await p.locator('[data-test=contract-detail]').waitFor()
      await p.locator('[data-test=contract-status]', { hasText: '草稿' }).waitFor()
      contractId = Number(new URL(p.url()).pathname.split('/').pop())
      assert(contractId > 0, `on the new contract's page: ${p.url()}`)
      let c = (await api(p, 'GET', `/api/v1/contracts/${contractId}`)).json
      assert(c.number === number && c.starts_on === qStart && c.account_id === acc.id && c.obligations.length === 1, `stored: ${JSON.stringify(c).slice(0, 300)}`)
      const ob = c.obligations[0]
      assert(ob.kind === 'volume' && ob.measure === 'amount' && ob.period === 'quarter' && ob.target === 90000000000 && ob.side === 'theirs', `the obligation: ${JSON.stringify(ob)}`)

      await p.locator('[data-test=contract-activate]').click()
      await p.locator('[data-test=contract-status]', { hasText: '生效' }).or(p.locator('[data-test=contract-status]', { hasText: '执行中' })).first().waitFor().catch(() => {})
      c = (await api(p, 'GET', `/api/v1/contracts/${contractId}`)).json
      assert(c.status === 'active' || c.status === 'expiring', `activated: ${c.status}`)

      // the test clock: a day after the quarter's end
      jobs(after)
      const br = (await api(p, 'GET', `/api/v1/breaches?contract_id=${contractId}`)).json.items
      assert(br.length === 1 && br[0].occurrence === occurrence && br[0].status === 'detected', `one breach for ${occurrence}: ${JSON.stringify(br).slice(0, 300)}`)
      breachId = br[0].id

      await p.reload()
      await p.locator('[data-test=contract-detail]').waitFor()
      const row = p.locator('[data-test=breach-row]').first()
      await row.waitFor()
      await ready(p)
      assert((await p.locator('[data-test=obligation-state]').innerText()).includes('已违约'), 'the obligation shows as breached')
      const cText = await p.locator('[data-test=contract-detail]').innerText()
      assert(!RAW.test(cText), `no raw identifiers on the contract page: ${cText.match(RAW)}`)
      await k.shot(p, 'contract-detail-breach-zh-CN')

      await row.click()
      await p.locator('[data-test=breach-detail]').waitFor()
      await p.locator('[data-test=breach-figures]').waitFor()
      await ready(p)
      const b = (await api(p, 'GET', `/api/v1/breaches/${breachId}`)).json
      const figs = await p.locator('[data-test=breach-figures]').innerText()
      const big = (n) => new Intl.NumberFormat('zh-CN').format(Math.trunc(n / 100))
      assert(figs.includes(big(b.evidence.expected)) && figs.includes(big(b.evidence.actual)), `the figures (expected ${b.evidence.expected}, actual ${b.evidence.actual}) in: ${figs}`)
      const lines = b.evidence.records.length
      if (lines) {
        const recs = await p.locator('[data-test=breach-records] .el-table__row').count()
        assert(recs === lines, `the order lines: ${recs} of ${lines}`)
        const sku = b.evidence.records[0].sku
        assert((await p.locator('[data-test=breach-records]').innerText()).includes(sku), `the order line ${sku} shown`)
      }
      const bText = await p.locator('[data-test=breach-detail]').innerText()
      assert(!RAW.test(bText), `no raw identifiers on the breach page: ${bText.match(RAW)}`)
      await k.shot(p, 'breach-detail-zh-CN')
      await p.locator('[data-test=breach-confirm]').click()
      await p.locator('[data-test=breach-status]', { hasText: '已确认' }).waitFor()
      const after2 = (await api(p, 'GET', `/api/v1/breaches/${breachId}`)).json
      assert(after2.status === 'confirmed', `confirmed: ${after2.status}`)
      await p.locator('[data-test=breach-history]', { hasText: '确认' }).waitFor()
      assert((await p.locator('[data-test=nav-contracts]').count()) === 1 && (await p.locator('[data-test=nav-breaches]').count()) === 1, 'contracts and breaches in the menu')

      // documents on the contract: a text file uploads and is listed with a download link; an
      // HTML file is refused in words
      await p.goto(`/contracts/${contractId}`)
      await p.locator('[data-test=documents]').waitFor()
      await ready(p)
      await p.locator('[data-test=doc-file]').setInputFiles({ name: '会议纪要.txt', mimeType: 'text/plain', buffer: Buffer.from('双方确认第三季度采购量不足。\n') })
      const link = p.locator('[data-test=doc-link]', { hasText: '会议纪要.txt' })
      await link.waitFor()
      const docs = (await api(p, 'GET', `/api/v1/contracts/${contractId}/documents`)).json.items
      assert(docs.length === 1 && (await link.getAttribute('href')) === `/api/v1/documents/${docs[0].id}`, `the document listed: ${JSON.stringify(docs).slice(0, 200)}`)
      await p.locator('[data-test=doc-file]').setInputFiles({ name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<html><body>x</body></html>') })
      const msg = p.locator('.el-message--error')
      await msg.first().waitFor()
      const said = await msg.first().innerText()
      assert(!RAW.test(said) && !/document\./.test(said) && said.length > 4, `the refusal in words: ${said}`)
      assert((await api(p, 'GET', `/api/v1/contracts/${contractId}/documents`)).json.items.length === 1, 'the HTML file was not stored')
    } finally {
      await context.close()
    }
  })

  await check('contracts: amend a contract in force (a new revision in its versions); record a dated obligation done (its next occurrence moves on)', async () => {
    assert(contractId, 'no contract from the flow above')
    const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: 'contracts-amend' })
    try {
      await login(p, 'legal')
      const before = (await api(p, 'GET', `/api/v1/contracts/${contractId}`)).json
      // a quarterly training of ours from the contract's first day, added by an amendment (the
      // set-up of the done check below)
      const added = await api(p, 'POST', `/api/v1/contracts/${contractId}/amend`, {
        effective_on: qStart, note: '增加季度培训义务', version: before.version,
        obligations: [...before.obligations.filter((o) => o.active).map((o) => ({ id: o.id, side: o.side, kind: o.kind })),
          { side: 'ours', kind: 'training', title: '季度培训', due_on: qStart, recurrence: 'quarter' }],
      })
      assert(added.status === 200, `amend: ${added.status} ${JSON.stringify(added.json).slice(0, 300)}`)
      // an amendment through the page: the title from the quarter's start, with its reason
      await p.goto(`/contracts/${contractId}`)
      await p.locator('[data-test=contract-detail]').waitFor()
      await ready(p)
      await p.locator('[data-test=contract-amend]').click()
      const dlg = p.locator('[data-test=contract-dialog]')
      await dlg.waitFor()
      await ready(p)
      await field(p, 'amend-effective').click()
      await field(p, 'amend-effective').fill(qStart)
      await field(p, 'amend-effective').press('Enter')
      await field(p, 'amend-note').fill(`更名 ${tag}`)
      await field(p, 'contract-title').fill(`框架协议（修订）${tag}`)
      await field(p, 'contract-their-signatory').fill('王总')
      // the account's own price lists are offered as the contract's prices (one made by the
      // admin: legal reads prices, it does not write them)
      const adm = await k.newPage(browser, base, { locale: 'zh-CN', label: 'contracts-prices' })
      await login(adm.page, 'admin')
      const made = await api(adm.page, 'POST', '/api/v1/price-lists', { name: `合同价 ${tag}`, currency: before.currency, scope: 'account', account_id: before.account_id })
      await adm.context.close()
      assert(made.status === 201, `price list: ${made.status} ${JSON.stringify(made.json).slice(0, 200)}`)
      await p.locator('[data-test=contract-price-list]').click()
      const lists = (await api(p, 'GET', `/api/v1/price-lists?scope=account&account_id=${before.account_id}&limit=100`)).json.items
        .filter((x) => x.currency === before.currency)
      if (lists.length) await p.locator('.el-select-dropdown__item:visible', { hasText: lists[0].name }).first().click()
      else await p.keyboard.press('Escape')
      await dlg.locator('[data-test=contract-save]').click()
      await dlg.waitFor({ state: 'hidden' })
      await ready(p)
      const vers = (await api(p, 'GET', `/api/v1/contracts/${contractId}/versions`)).json.items
      assert(vers[0].revision === before.revision + 2 && vers[0].note.includes(tag) && vers[0].effective_on === qStart,
        `a new revision: ${JSON.stringify(vers[0]).slice(0, 200)}`)
      const now = (await api(p, 'GET', `/api/v1/contracts/${contractId}`)).json
      assert(now.title === `框架协议（修订）${tag}` && now.their_signatory === '王总', `the new title and signatory: ${now.title} ${now.their_signatory}`)
      assert(lists.length && now.price_list_id === lists[0].id, `the contract's price list: ${now.price_list_id} (offered ${lists.map((x) => x.id)})`)
      const ob = p.locator('[data-test=obligation]', { hasText: '季度培训' })
      await ob.waitFor()
      await ob.locator('[data-test=obligation-done-open]').click()
      await ob.locator('[data-test=obligation-done-form]').waitFor()
      await ob.locator('input[data-test=obligation-done-note], [data-test=obligation-done-note] input').first().fill('已完成首次培训')
      await ob.locator('[data-test=obligation-done-save]').click()
      await ob.locator('[data-test=obligation-done]').waitFor()
      await ready(p)
      const after = (await api(p, 'GET', `/api/v1/contracts/${contractId}`)).json
      const tr = after.obligations.find((o) => o.kind === 'training' && o.active)
      assert(tr && tr.done.length === 1 && tr.done[0].due_on === qStart && tr.done[0].note === '已完成首次培训', `done stored: ${JSON.stringify(tr).slice(0, 300)}`)
      assert(tr.next_due && tr.next_due > qStart, `the next occurrence moved on: ${tr.next_due}`)
      const text = await p.locator('[data-test=contract-detail]').innerText()
      assert(!RAW.test(text), `no raw identifiers: ${text.match(RAW)}`)
    } finally {
      await context.close()
    }
  })

  await check('contracts: the list and the breach page on a desktop and a 390 px phone', async () => {
    assert(breachId && contractId, 'the flow made a contract and a breach')
    for (const [vp, label] of [[null, 'desktop'], [PHONE, 'phone']]) {
      const { context, page: p } = await k.newPage(browser, base, { locale: 'zh-CN', label: `contracts-${label}` })
      try {
        if (vp) await p.setViewportSize(vp)
        await login(p, 'legal')
        for (const [url, root, list] of [
          ['/contracts', 'contracts-view', vp ? 'contracts-cards' : 'contracts-table'],
          ['/breaches', 'breaches-view', vp ? 'breaches-cards' : 'breaches-table'],
          [`/breaches/${breachId}`, 'breach-detail', 'breach-figures'],
        ]) {
          await p.goto(url)
          await p.locator(`[data-test=${root}]`).waitFor()
          await p.locator(`[data-test=${list}]`).first().waitFor()
          await ready(p)
          if (vp) {
            const over = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
            assert(over <= 0, `${url}: no sideways scrolling at 390 px (${over})`)
          }
          const text = await p.locator(`[data-test=${root}]`).innerText()
          assert(!RAW.test(text), `${url}: no raw identifiers: ${text.match(RAW)}`)
          await k.shot(p, `${root}-${label}-zh-CN`, { fullPage: !vp })
        }
        if (vp) assert((await p.locator('[data-test=breach-records] [data-test=card]').count()) >= 0, 'the order lines as cards')
      } finally {
        await context.close()
      }
    }
  })

  await check('contracts: the contract page in zh-CN, zh-TW and en', async () => {
    assert(contractId, 'the flow made a contract')
    for (const locale of ['zh-CN', 'zh-TW', 'en']) {
      const { context, page: p } = await k.newPage(browser, base, { locale, label: `contract-${locale}` })
      try {
        await login(p, 'legal')
        await p.goto(`/contracts/${contractId}`)
        await p.locator('[data-test=contract-detail]').waitFor()
        await p.locator('[data-test=obligation]').first().waitFor()
        await p.locator('[data-test=documents]').waitFor()
        await ready(p)
        const text = await p.locator('[data-test=contract-detail]').innerText()
        assert(!RAW.test(text), `${locale}: no raw identifiers: ${text.match(RAW)}`)
        await k.shot(p, `contract-detail-${locale}`)
      } finally {
        await context.close()
      }
    }
  })
}
