// The import report names the rows below the engine's price and without one (docs/PRICING.md
// "Prices on order lines"; review item 8): an orders file with a row at the price, one below it
// and one of a product without a price shows both in a "prices" table under the counts, in
// Chinese, with what was paid and the price; on a phone (390 px) as cards, without overflow.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export default async (k) => {
  const { check, assert, newPage, login, ready, api, browser, base, shot } = k
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kam-import-prices-'))
  const stamp = Date.now() % 1e8
  const { context, page: p } = await newPage(browser, base, { locale: 'zh-CN', label: 'import-prices' })

  let file = null
  await check('import prices: the report lists the rows below the price and without one', async () => {
    await login(p, 'finance')
    const acc = (await api(p, 'GET', '/api/v1/accounts?limit=1&sort=code')).json.items[0]
    const fam = `IPF${stamp}`
    const priced = await api(p, 'POST', '/api/v1/products', { sku: `IPP${stamp}`, name: '导入查价产品', family: fam, list_price: { amount: 10000, currency: 'CNY' } })
    const bare = await api(p, 'POST', '/api/v1/products', { sku: `IPQ${stamp}`, name: '导入无价产品', family: fam })
    assert(priced.status === 201 && bare.status === 201, `products ${priced.status} ${bare.status}`)
    const rows = [
      'external_id,date,account_code,sku,region,channel,quantity,amount,currency',
      `IP-${stamp}-1,2026-06-16,${acc.code},IPP${stamp},,,3,300.00,CNY`,
      `IP-${stamp}-2,2026-06-16,${acc.code},IPP${stamp},,,3,240.00,CNY`,
      `IP-${stamp}-3,2026-06-16,${acc.code},IPQ${stamp},,,1,5.00,CNY`,
      '',
    ]
    file = path.join(tmp, `prices-${stamp}.csv`)
    fs.writeFileSync(file, rows.join('\n'))
    await p.goto('/imports')
    await ready(p)
    await p.locator('[data-test=import-kind-orders]').click()
    await p.locator('[data-test=import-file]').setInputFiles(file)
    await p.locator('[data-test=import-upload]').click()
    await p.waitForFunction(() => ['loaded', 'rejected'].includes(document.querySelector('[data-test=import-report]')?.getAttribute('data-status') ?? ''))
    assert((await p.locator('[data-test=import-report]').getAttribute('data-status')) === 'loaded', 'loaded')
    const title = await p.locator('[data-test=import-prices-title]').innerText()
    assert(title.includes('价格') && title.includes('1'), `the title counts the rows in Chinese: ${title}`)
    const texts = await p.locator('[data-test=import-prices] [data-test=import-price-text]').allInnerTexts()
    assert(texts.length === 2, `two rows named: ${texts}`)
    assert(texts[0].includes('低于价格') && texts[0].includes('240') && texts[0].includes('300'), `row 3: below, paid 240, price 300: ${texts[0]}`)
    assert(texts[1].includes('没有价格') && texts[1].includes('5'), `row 4: no price: ${texts[1]}`)
    const cells = await p.locator('[data-test=import-prices] .el-table__body tr td:first-child').allInnerTexts()
    assert(cells.map((c) => c.trim()).join(',') === '3,4', `the row numbers: ${cells}`)
    await shot(p, 'import-prices-zh-CN', { fullPage: false })
  })

  await check('import prices: on a phone the rows are cards and nothing overflows', async () => {
    await p.setViewportSize({ width: 390, height: 844 })
    await p.reload()
    await ready(p)
    await p.locator('[data-test=import-kind-orders]').click()
    await p.locator('[data-test=import-file]').setInputFiles(file)
    await p.locator('[data-test=import-dry-run]').click() // a dry run of the same file: the same rows named
    await p.locator('[data-test=import-upload]').click()
    await p.waitForFunction(() => ['loaded', 'rejected', 'checked'].includes(document.querySelector('[data-test=import-report]')?.getAttribute('data-status') ?? ''))
    const cards = p.locator('[data-test=import-prices-cards] [data-test=import-price-text]')
    assert((await cards.count()) === 2, `two cards: ${await cards.count()}`)
    const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert(over <= 0, `no horizontal overflow (${over} px)`)
    await shot(p, 'import-prices-phone-zh-CN', { fullPage: false })
  })
  await context.close()
}
