// Every server text in the reader's language (issue 12 item 2; the "langs" helper).
//
// - The language switch saves the signed-in user's language (GET /me shows it), so the e-mail
//   digest is written in it.
// - The care list words festivals by their key in the UI language: zh-TW shows 中秋節 (never the
//   simplified 中秋节 nor the old bilingual "中秋节 Mid-Autumn Festival"), English shows
//   "Mid-Autumn Festival" with no Chinese beside it.
import { execFileSync } from 'node:child_process'

const CJK = /[\u3400-\u9fff]/

export default async (k) => {
  const { check, assert, newPage, login, api, ready, shot, tableRows, browser, base, KAM, dsn } = k

  async function switchTo(p, code) {
    await p.locator('[data-test=lang-switch]').click()
    await p.locator(`[data-test="lang-${code}"]`).click()
    await p.waitForFunction((c) => document.documentElement.lang === c, code)
    await ready(p)
  }

  async function meLang(p, want) {
    for (let i = 0; i < 50; i++) {
      const me = (await api(p, 'GET', '/api/v1/me')).json
      if (me?.lang === want) return me.lang
      await p.waitForTimeout(100)
    }
    return (await api(p, 'GET', '/api/v1/me')).json?.lang
  }

  await check('langs: the language switch saves the user\'s language (the digest is written in it)', async () => {
    const { context, page: p } = await newPage(browser, base, { label: 'langs-save' })
    await login(p, 'director')
    const before = (await api(p, 'GET', '/api/v1/me')).json?.lang ?? null
    await switchTo(p, 'zh-TW')
    assert((await meLang(p, 'zh-TW')) === 'zh-TW', 'GET /me shows zh-TW after the switch')
    await switchTo(p, 'en')
    assert((await meLang(p, 'en')) === 'en', 'GET /me shows en after the switch')
    // the history of the user names the change in words
    await api(p, 'PATCH', '/api/v1/me', { lang: before ?? 'zh-CN' })
    await context.close()
  })

  await check('langs: care festivals in the UI language (zh-TW Traditional, English alone)', async () => {
    const { context, page: p } = await newPage(browser, base, { locale: 'zh-TW', label: 'langs-care' })
    await login(p, 'director')
    const festival = async () => {
      const items = []
      let cursor = null
      for (let i = 0; i < 40; i++) {
        const r = (await api(p, 'GET', `/api/v1/care?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json
        items.push(...(r?.items ?? []))
        cursor = r?.next_cursor
        if (!cursor) break
      }
      return [items.find((x) => x.occasion_key === 'mid_autumn'), items.length]
    }
    let [mid, n] = await festival()
    if (!mid) {
      // alone (--only): the scheduler's pass ten days before Mid-Autumn 2027, as run.mjs's care check
      execFileSync(KAM, ['jobs', 'run', '--db', dsn, '--now', '2027-09-05T02:00:00Z'], { stdio: 'pipe' })
      ;[mid, n] = await festival()
    }
    const items = { length: n }
    assert(mid, `a Mid-Autumn reminder exists (${items.length} reminders)`)
    assert(mid.occasion_name === '中秋節', `the API in zh-TW words it 中秋節: ${mid.occasion_name}`)
    const d = mid.occasion_date
    const next = new Date(Date.parse(d) + 86400000).toISOString().slice(0, 10)
    await p.goto(`/care?status=all&all=1&from=${d}&to=${next}`)
    await (await tableRows(p, 'care-table')).first().waitFor()
    const tw = await p.locator('[data-test=care-table]').innerText()
    assert(tw.includes('中秋節') && !tw.includes('中秋节') && !/Mid-Autumn/.test(tw), `care table in zh-TW: ${tw.slice(0, 200)}`)
    await shot(p, 'langs-care-zh-TW', { fullPage: false })
    await switchTo(p, 'en')
    await p.waitForFunction(() => /Mid-Autumn Festival/.test(document.querySelector('[data-test=care-table]')?.textContent ?? ''))
    const en = await p.locator('[data-test=care-table]').innerText()
    const festivalLines = en.split('\n').filter((l) => /Mid-Autumn/.test(l))
    assert(festivalLines.length > 0 && festivalLines.every((l) => !CJK.test(l)), `care table in English: ${festivalLines.slice(0, 3).join(' | ')}`)
    await context.close()
  })
}
