// Words and figures of the incentives screens: basis points as percentages and multipliers,
// period labels, the China day, a refused move (payout.*, commission_plan.*) in words.
import { i18n } from '@/i18n'
import { ApiError } from '@/api/http'
import { errorText, type ErrorTextOpts } from '@/composables/errors'
import { fmtMoney } from '@/i18n/format'
import { fmtMonth } from '../volume/fmt'
import type { PeriodKind } from '@/api/incentives'

const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {}) as string
const te = (k: string) => i18n.global.te(k)

/** 12500 bp -> "125%" (up to 2 decimals). */
export function bpPercent(bp: number | null | undefined): string {
  if (bp == null) return ''
  const v = bp / 100
  return `${Number.isInteger(v) ? v : v.toFixed(2).replace(/0+$/, '').replace(/\.$/, '')}%`
}
/** 15000 bp -> "×1.5". */
export function bpMultiplier(bp: number): string {
  const v = bp / 10000
  return `×${Number.isInteger(v) ? v : v.toFixed(4).replace(/0+$/, '').replace(/\.$/, '')}`
}
export const money = (amount: number | null | undefined, currency = 'CNY') =>
  amount == null ? '—' : fmtMoney({ amount, currency })

/** Today in China (UTC+8), "YYYY-MM-DD". */
export function chinaDay(ms = Date.now()): string {
  return new Date(ms + 8 * 3600000).toISOString().slice(0, 10)
}
/** The periods of last calendar year of a plan's kind: the simulator's default. */
export function lastYear(kind: PeriodKind, today = chinaDay()): { from: string; to: string } {
  const y = Number(today.slice(0, 4)) - 1
  if (kind === 'month') return { from: `${y}-01`, to: `${y}-12` }
  if (kind === 'year') return { from: `${y}`, to: `${y}` }
  return { from: `${y}-Q1`, to: `${y}-Q4` }
}
/** The last complete period of a kind before today (the one to compute statements for). */
export function lastPeriod(kind: PeriodKind, today = chinaDay()): string {
  const y = Number(today.slice(0, 4))
  const m = Number(today.slice(5, 7))
  if (kind === 'year') return `${y - 1}`
  if (kind === 'month') return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
  const q = Math.floor((m - 1) / 3) + 1
  return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`
}
/** A period label in words: "2026-Q3" -> "2026 年第 3 季度" / "Q3 2026"; a month; a year. */
export function periodWords(p: string | null | undefined): string {
  if (!p) return ''
  let m = /^(\d{4})-Q([1-4])$/.exec(p)
  if (m) return t('teamPay.periodQ', { y: m[1], q: m[2] })
  m = /^(\d{4})-(\d{2})$/.exec(p)
  if (m) return fmtMonth(p)
  m = /^(\d{4})$/.exec(p)
  if (m) return t('teamPay.periodY', { y: m[1] })
  return p
}
/** A period label as the API takes it: 2026-Q3, 2026-07, 2026. */
export const PERIOD_RE = /^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/
export function periodKindOf(p: string): PeriodKind | null {
  if (!PERIOD_RE.test(p)) return null
  return p.includes('Q') ? 'quarter' : p.length === 7 ? 'month' : 'year'
}

/** A refused request in words: the incentives' own keys first, then the common ones. */
export function payError(e: unknown, opts: ErrorTextOpts = {}): string {
  if (e instanceof ApiError && e.key) {
    const k = `teamPay.err.${e.key.replace(/\./g, '_')}`
    if (te(k)) return t(k)
  }
  return errorText(e, opts)
}
