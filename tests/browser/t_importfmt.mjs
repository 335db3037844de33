// Imports as Chinese companies have their data (issue 13 section 5), through the UI:
//  - a GBK CSV with Chinese headers, 2026/3/5 dates and "1,234.50" amounts: the screen shows the
//    encoding it detected (GB18030) with the decoded first rows; choosing UTF-8 instead shows the
//    refusal naming the line in Chinese; back to automatic, the file loads and the lines are there;
//  - an .xlsx workbook (a second sheet chosen on the screen, date cells by style): it loads;
//  - a Latin-1 file: the encoding is unclear, the screen asks for it, windows-1252 reads it;
//  - the template links; on a phone (390 px) the history is a card list naming the file and the
//    user, and nothing overflows the page.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'

const ZH = ['订单号', '日期', '客户代码', '产品编码', '区域', '渠道', '数量', '金额', '币种']

function xlsx(file, sheets) {
  // python's zipfile writes the workbook (shared strings for the header, a date style)
  const py = `
import json, sys, zipfile
spec = json.load(sys.stdin)
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
def esc(s): return s.replace('&', '&amp;').replace('<', '&lt;')
def col(i): return chr(65 + i)
with zipfile.ZipFile(spec['file'], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('xl/workbook.xml', '<workbook %s %s><sheets>%s</sheets></workbook>' % (ns, rns, ''.join(
        '<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (esc(s['name']), i + 1, i + 1) for i, s in enumerate(spec['sheets']))))
    z.writestr('xl/_rels/workbook.xml.rels', '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>' % ''.join(
        '<Relationship Id="rId%d" Type="ws" Target="worksheets/sheet%d.xml"/>' % (i + 1, i + 1) for i in range(len(spec['sheets']))))
    z.writestr('xl/styles.xml', '<styleSheet %s><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>' % ns)
    for i, s in enumerate(spec['sheets']):
        rows = []
        for r, row in enumerate(s['rows']):
            cells = []
            for c, v in enumerate(row):
                ref = '%s%d' % (col(c), r + 1)
                if isinstance(v, dict):
                    cells.append('<c r="%s" s="1"><v>%s</v></c>' % (ref, v['date']))
                elif isinstance(v, (int, float)):
                    cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
                elif v != '':
                    cells.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, esc(v)))
            rows.append('<row r="%d">%s</row>' % (r + 1, ''.join(cells)))
        z.writestr('xl/worksheets/sheet%d.xml' % (i + 1), '<worksheet %s><sheetData>%s</sheetData></worksheet>' % (ns, ''.join(rows)))
`
  execFileSync('python3', ['-c', py], { input: JSON.stringify({ file, sheets }) })
}

const serial = (y, m, d) => Math.round((Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86400000)

export default async (k) => {
  const { check, assert, newPage, login, ready, api, browser, base, shot, digits } = k
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kam-importfmt-'))
  const stamp = Date.now() % 1e8
  const gbkName = `订单-GBK-${stamp}.csv`
  const xlsxName = `订单-${stamp}.xlsx`
  const { page: p } = await newPage(browser, base, { label: 'importfmt' })
  let acc = null

  await check('imports: a GBK CSV with Chinese headers is detected, previewed, and loads', async () => {
    await login(p, 'director')
    acc = (await api(p, 'GET', '/api/v1/accounts?limit=1&sort=code')).json.items[0]
    const prod = (await api(p, 'GET', '/api/v1/products?limit=1')).json.items[0]
    const text = [ZH.join(','), `GF-${stamp}-1,2026/10/5,${acc.code},${prod.sku},,,2,"1,234.50",人民币`, `GF-${stamp}-2,2026年10月6日,${acc.code},${prod.sku},,,1,￥88,RMB`, ',,,,,,,,', ''].join('\r\n')
    const file = path.join(tmp, gbkName)
    fs.writeFileSync(file, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text }))
    await p.goto('/imports')
    await ready(p)
    await p.locator('[data-test=import-kind-orders]').click()
    await p.locator('[data-test=import-file]').setInputFiles(file)
    const det = p.locator('[data-test=import-detected]')
    await det.waitFor()
    assert((await det.getAttribute('data-encoding')) === 'GB18030', `encoding ${await det.getAttribute('data-encoding')}`)
    assert((await det.getAttribute('data-format')) === 'csv', 'format csv')
    const heads = await p.locator('[data-test=import-preview-header]').allInnerTexts()
    assert(heads[0].includes('订单号') && heads[7].includes('金额'), `decoded headers: ${heads}`)
    assert((await p.locator('[data-test=import-preview]').innerText()).includes('1,234.50'), 'the first rows are shown')
    assert(!(await p.locator('[data-test=import-missing]').count()), 'every required column is found under its Chinese name')
    await shot(p, 'import-gbk-detected-zh-CN', { fullPage: false })
    // the user overrides the encoding: UTF-8 is refused naming the line, in Chinese
    await p.locator('[data-test=import-encoding]').click()
    await p.locator('[data-test=import-encoding-utf-8]:visible').click()
    const err = p.locator('[data-test=import-error]')
    await err.waitFor()
    const et = await err.innerText()
    assert(et.includes('第 1 行') && et.includes('UTF-8'), `the refusal names the line: ${et}`)
    // back to automatic
    await p.locator('[data-test=import-encoding]').click()
    assert(await p.locator('[data-test=import-upload]').isDisabled(), 'no upload while the file does not read')
    await p.locator('[data-test=import-encoding-auto]:visible').click()
    await p.waitForFunction(() => !document.querySelector('[data-test=import-error]') && document.querySelector('[data-test=import-preview]'))
    await p.locator('[data-test=import-upload]').click()
    await p.waitForFunction(() => ['loaded', 'rejected'].includes(document.querySelector('[data-test=import-report]')?.getAttribute('data-status') ?? ''))
    assert((await p.locator('[data-test=import-report]').getAttribute('data-status')) === 'loaded', 'loaded')
    assert(digits(await p.locator('[data-test=import-inserted]').innerText()) === 2, `inserted ${await p.locator('[data-test=import-inserted]').innerText()}`)
    assert((await p.locator('[data-test=import-report-format]').innerText()).includes('GB18030'), 'the report says how the file was read')
    const lines = (await api(p, 'GET', `/api/v1/orders?account_id=${acc.id}&from=2026-10-05&to=2026-10-06&limit=500`)).json.items
    const l1 = lines.find((o) => o.external_id === `GF-${stamp}-1`)
    const l2 = lines.find((o) => o.external_id === `GF-${stamp}-2`)
    assert(l1 && l1.amount.amount === 123450 && l1.date === '2026-10-05', `line 1: ${JSON.stringify(l1)}`)
    assert(l2 && l2.amount.amount === 8800 && l2.date === '2026-10-06', `line 2: ${JSON.stringify(l2)}`)
  })

  await check('imports: an .xlsx workbook, its second sheet chosen on the screen, loads', async () => {
    const prod = (await api(p, 'GET', '/api/v1/products?limit=1')).json.items[0]
    const file = path.join(tmp, xlsxName)
    xlsx(file, [
      { name: '说明', rows: [['请在“订单”工作表填写']] },
      { name: '订单', rows: [ZH, [`GX-${stamp}-1`, { date: serial(2026, 10, 7) }, acc.code, prod.sku, '', '', 3, 1234.5, 'CNY'], [`GX-${stamp}-2`, '2026/10/8', acc.code, prod.sku, '', '', 1, -12, '人民币']] },
    ])
    await p.locator('[data-test=import-file]').setInputFiles(file)
    const det = p.locator('[data-test=import-detected][data-format=xlsx]')
    await det.waitFor()
    await p.locator('[data-test=import-missing]').waitFor() // the first sheet holds no columns
    await p.locator('[data-test=import-sheet]').click()
    await p.locator('.el-select-dropdown__item:visible', { hasText: '订单' }).first().click()
    await p.waitForFunction(() => !document.querySelector('[data-test=import-missing]') && (document.querySelector('[data-test=import-preview]')?.textContent ?? '').includes('2026-10-07'))
    await shot(p, 'import-xlsx-sheet-zh-CN', { fullPage: false })
    await p.locator('[data-test=import-upload]').click()
    await p.waitForFunction((n) => (document.querySelector('[data-test=import-report-file]')?.textContent ?? '') === n && document.querySelector('[data-test=import-report]')?.getAttribute('data-status') !== null, xlsxName)
    assert((await p.locator('[data-test=import-report]').getAttribute('data-status')) === 'loaded', `status ${await p.locator('[data-test=import-report]').getAttribute('data-status')}`)
    assert(digits(await p.locator('[data-test=import-inserted]').innerText()) === 2, 'two lines')
    const lines = (await api(p, 'GET', `/api/v1/orders?account_id=${acc.id}&from=2026-10-07&to=2026-10-08&limit=500`)).json.items
    const l1 = lines.find((o) => o.external_id === `GX-${stamp}-1`)
    const l2 = lines.find((o) => o.external_id === `GX-${stamp}-2`)
    assert(l1 && l1.amount.amount === 123450 && l1.quantity === 3, `line 1: ${JSON.stringify(l1)}`)
    assert(l2 && l2.amount.amount === -1200 && l2.date === '2026-10-08', `line 2: ${JSON.stringify(l2)}`)
    // the template links download files of the right kinds
    const href = await p.locator('[data-test=import-template-xlsx]').getAttribute('href')
    const r = await p.evaluate(async (u) => {
      const res = await fetch(u)
      const b = new Uint8Array(await res.arrayBuffer())
      return { status: res.status, type: res.headers.get('Content-Type'), pk: b[0] === 0x50 && b[1] === 0x4b }
    }, href)
    assert(r.status === 200 && r.pk && /spreadsheetml/.test(r.type ?? ''), `template: ${JSON.stringify(r)}`)
  })

  await check('imports: a file of unclear encoding (Latin-1) asks for it; windows-1252 reads it', async () => {
    const sku = `L1-${stamp}`
    const file = path.join(tmp, `latin1-${stamp}.csv`)
    fs.writeFileSync(file, Buffer.from(`sku,name,family\r\n${sku},M\u00fcller Lager,bearing\r\n`, 'latin1'))
    await p.setViewportSize({ width: 1440, height: 900 })
    await p.goto('/imports')
    await ready(p)
    await p.locator('[data-test=import-kind-products]').click()
    await p.locator('[data-test=import-file]').setInputFiles(file)
    const err = p.locator('[data-test=import-error]')
    await err.waitFor()
    const et = await err.innerText()
    assert(et.includes('windows-1252') && /编码/.test(et), `the refusal asks for the encoding, in Chinese: ${et}`)
    await p.locator('[data-test=import-ask-encoding] [data-test=import-encoding]').click()
    await p.locator('[data-test=import-encoding-windows-1252]:visible').click()
    const det = p.locator('[data-test=import-detected]')
    await det.waitFor()
    assert((await det.getAttribute('data-encoding')) === 'WINDOWS-1252', `encoding ${await det.getAttribute('data-encoding')}`)
    assert((await p.locator('[data-test=import-preview]').innerText()).includes('Müller'), 'Müller is previewed as written')
  })

  await check('imports on a phone: the history is a card list naming file and user; nothing overflows', async () => {
    await p.setViewportSize({ width: 390, height: 844 })
    await p.goto('/imports')
    await ready(p)
    const card = p.locator('[data-test=import-past-cards] [data-test=card]', { hasText: xlsxName }).first()
    await card.waitFor()
    const me = (await api(p, 'GET', '/api/v1/me')).json
    assert((await card.innerText()).includes(me.name), `the card names the user: ${await card.innerText()}`)
    assert(await p.locator('[data-test=import-past-cards] [data-test=card]', { hasText: gbkName }).count(), 'the GBK import is listed too')
    await p.locator('[data-test=import-kind-orders]').click()
    await p.locator('[data-test=import-file]').setInputFiles(path.join(tmp, gbkName))
    await p.locator('[data-test=import-detected]').waitFor()
    for (const w of [390, 360]) {
      await p.setViewportSize({ width: w, height: 844 })
      const o = await p.evaluate(() => [document.scrollingElement.scrollWidth, window.innerWidth])
      assert(o[0] <= o[1] + 1, `no horizontal overflow at ${w}: ${o}`)
    }
    await shot(p, 'import-phone-zh-CN', { fullPage: true })
    await p.setViewportSize({ width: 1440, height: 900 })
  })
  fs.rmSync(tmp, { recursive: true, force: true })
}
