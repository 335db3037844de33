// A breach's occurrence in words: "2026-Q3" -> "2026年第3季度" / "Q3 2026", "invoice:12" ->
// "Invoice", "issue:5:response" -> "Issue response", "price:2026-07:CNY" -> "2026-07", a day.
import { i18n } from '@/i18n'
import { fmtDate } from '@/i18n/format'
import { fmtMonth } from '../volume/fmt'
import type { Breach } from '@/api/contracts'

const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {}) as string

export function period(key: string): string {
  let m = /^(\d{4})-Q([1-4])$/.exec(key)
  if (m) return t('contractUi.occ.quarter', { y: m[1], q: m[2] })
  m = /^(\d{4})-(\d{2})$/.exec(key)
  if (m) return fmtMonth(key)
  m = /^(\d{4})$/.exec(key)
  if (m) return t('contractUi.occ.year', { y: m[1] })
  if (/^\d{4}-\d{2}-\d{2}$/.test(key)) return fmtDate(key)
  return key
}

export function occurrence(b: Pick<Breach, 'occurrence' | 'evidence'>): string {
  const o = b.occurrence
  let m = /^price:(\d{4}-\d{2})/.exec(o)
  if (m) return t('contractUi.occ.priceMonth', { month: fmtMonth(m[1]) })
  m = /^invoice:(\d+)/.exec(o)
  if (m) {
    const rec = ((b.evidence as { records?: { invoice_no?: string }[] }).records ?? [])[0]
    return t('contractUi.occ.invoice', { no: rec?.invoice_no || `#${m[1]}` })
  }
  m = /^issue:(\d+):(response|resolution)/.exec(o)
  if (m) return t(m[2] === 'response' ? 'contractUi.occ.issueResponse' : 'contractUi.occ.issueResolution', { id: m[1] })
  return period(o)
}
