// Forecast outliers on the volume dashboard (issue 13, section 1): an account whose months run
// about ¥1,000 and one month ¥5,000,000 (a typing slip in the ERP). The forecast replaces that
// month before fitting and the dashboard says which months it replaced, as the API does; the
// forecast itself stays near the ordinary months.

export default async (k) => {
  const { check, assert, newPage, login, ready, api, browser, base, shot } = k

  await check('volume dashboard: the forecast names its outlier months (replaced before fitting), as the API does', async () => {
    const { context, page } = await newPage(browser, base, { label: 'outliers' })
    try {
      await login(page, 'admin')
      const tag = `OUT${Date.now() % 1000000}`
      const me = (await api(page, 'GET', '/api/v1/me')).json
      const acc = await api(page, 'POST', '/api/v1/accounts', { code: tag, name: `异常月份测试 ${tag}`, owner_id: me.id })
      assert(acc.status === 201, `POST /accounts -> ${acc.status}`)
      const prod = (await api(page, 'GET', '/api/v1/products?limit=1')).json.items[0]
      const now = new Date()
      const months = []
      for (let i = 30; i >= 1; i--) {
        const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 15))
        months.push(d.toISOString().slice(0, 10))
      }
      const slip = months[20]
      for (const [i, day] of months.entries()) {
        const amount = day === slip ? 500000000 : 100000 + (i % 3) * 5000 // minor units
        const r = await api(page, 'POST', '/api/v1/orders', { external_id: `${tag}-${i}`, date: day, account_id: acc.json.id, sku: prod.sku, quantity: 1, amount: { amount, currency: 'CNY' } })
        assert(r.status === 201, `POST /orders ${day} -> ${r.status} ${JSON.stringify(r.json)}`)
      }
      const y = now.getUTCFullYear()
      const s = (await api(page, 'GET', `/api/v1/sales/series?account_id=${acc.json.id}&measure=amount&from=${y}-01&to=${y}-12&forecast=6`)).json
      assert(s.forecast && s.forecast.outliers.includes(slip.slice(0, 7)), `the API flags ${slip.slice(0, 7)}: ${JSON.stringify(s.forecast && s.forecast.outliers)}`)
      assert(Math.max(...s.forecast.mean) < 10000, `the forecast stays near the ordinary months: ${s.forecast.mean.slice(0, 3)}`)
      await page.goto(`/volume?account_id=${acc.json.id}`)
      await page.locator('[data-test=vol-chart][data-ready="1"]').waitFor()
      await ready(page)
      const note = (await page.locator('[data-test=vol-outliers]').innerText()).trim()
      for (const m of s.forecast.outliers) assert(note.includes(m), `the note names ${m}: "${note}"`)
      assert(/异常月份/.test(note), `the note is in Chinese: "${note}"`)
      await shot(page, 'volume-outliers-zh-CN', { fullPage: false })
    } finally {
      await context.close()
    }
  })
}
