// Exports (issue 12, item 4): on an account's contacts tab, the export menu downloads a CSV and
// an .xlsx through a plain link (the session cookie carries the login) holding the tab's
// contacts, with the visible columns labelled in the UI language (zh-CN) and the decision-role
// filter applied. The .xlsx is read by Python's zipfile (no new packages).
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'

function csvRows(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const rows = []
  let row = [], cell = '', q = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (q) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++
      else if (ch === '"') q = false
      else cell += ch
    } else if (ch === '"') q = true
    else if (ch === ',') row.push(cell), (cell = '')
    else if (ch === '\r') continue
    else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '')
    else cell += ch
  }
  if (cell || row.length) row.push(cell), rows.push(row)
  return rows
}

const XLSX_PY = `
import io, json, sys, zipfile, xml.etree.ElementTree as ET
N = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
z = zipfile.ZipFile(sys.argv[1])
rows = []
for r in ET.fromstring(z.read("xl/worksheets/sheet1.xml")).iter(N + "row"):
    out = {}
    for c in r.findall(N + "c"):
        ref = "".join(ch for ch in c.get("r") if ch.isalpha())
        i = 0
        for ch in ref:
            i = i * 26 + ord(ch) - 64
        v = c.find(N + "v")
        out[i - 1] = "".join(t.text or "" for t in c.iter(N + "t")) if c.get("t") == "inlineStr" else (v.text if v is not None else "")
    rows.append([out.get(i, "") for i in range(max(out) + 1)] if out else [])
print(json.dumps(rows))
`

export default async (k) => {
  const { check, assert, newPage, login, ready, api, allPages, browser, base } = k
  const zh = JSON.parse(fs.readFileSync(path.join(k.ROOT, 'web/src/locales/zh-CN.json'), 'utf8'))
  let ctx = null
  let account = null
  let contacts = []

  async function download(page, which) {
    await page.locator('[data-test=export-menu]').first().click()
    const link = page.locator(`[data-test=export-${which}]:visible`).first()
    await link.waitFor()
    const [dl] = await Promise.all([page.waitForEvent('download'), link.click()])
    const file = await dl.path()
    assert(file, `the ${which} download has no file (${await dl.failure()})`)
    return { name: dl.suggestedFilename(), file }
  }

  await check('exports: the contacts tab downloads a CSV of its contacts with zh-CN column labels', async () => {
    ctx = await newPage(k.browser ?? browser, base, { label: 'exports' })
    const page = ctx.page
    await login(page, 'director')
    const accounts = await allPages(page, '/api/v1/accounts')
    for (const a of accounts) {
      const cs = await allPages(page, `/api/v1/accounts/${a.id}/contacts`)
      if (cs.length >= 2) {
        account = a
        contacts = cs
        break
      }
    }
    assert(account, 'no account with two contacts in the demo data')
    await page.goto(`/accounts/${account.id}?tab=contacts`)
    await page.locator('[data-test=contacts-table]').waitFor()
    await ready(page)
    const { name, file } = await download(page, 'csv')
    assert(name.endsWith('.csv') && name.includes('contacts'), `file name ${name}`)
    const rows = csvRows(fs.readFileSync(file, 'utf8'))
    assert(rows[0][0] === zh.contact.name && rows[0].includes(zh.contact.email), `header ${rows[0].join('|')}`)
    const names = rows.slice(1).map((r) => r[0].replace(/^'/, ''))
    assert(rows.length - 1 === contacts.length, `${rows.length - 1} rows for ${contacts.length} contacts`)
    assert(contacts.every((c) => names.includes(c.name)), `names ${names.join(', ')}`)
  })

  await check('exports: the contacts tab downloads an .xlsx with the same rows; the role filter applies', async () => {
    assert(ctx && account, 'no set-up')
    const page = ctx.page
    const { name, file } = await download(page, 'xlsx')
    assert(name.endsWith('.xlsx'), `file name ${name}`)
    const rows = JSON.parse(execFileSync('python3', ['-c', XLSX_PY, file], { encoding: 'utf8' }))
    assert(rows[0][0] === zh.contact.name, `header ${rows[0].join('|')}`)
    assert(rows.length - 1 === contacts.length, `${rows.length - 1} rows for ${contacts.length} contacts`)
    assert(contacts.every((c) => rows.some((r) => r[0] === c.name)), 'every contact in the workbook')
    // the tab's decision-role filter goes into the export link
    const role = contacts[0].decision_role
    const want = contacts.filter((c) => c.decision_role === role).length
    const href = await page.locator('[data-test=export-csv]').first().getAttribute('href')
    const u = new URL(href, base)
    u.searchParams.set('decision_role', role)
    const r = await api(page, 'GET', `${u.pathname}?${u.searchParams}`)
    assert(r.status === 200, `filtered export ${r.status}`)
    // api() parses JSON; the CSV text is in r.text when present, else fetch it again
    const text = r.text ?? (await page.evaluate(async (url) => (await fetch(url)).text(), `${u.pathname}?${u.searchParams}`))
    assert(csvRows(text).length - 1 === want, `filtered export rows ${csvRows(text).length - 1}, want ${want}`)
    await ctx.context.close()
  })
}
