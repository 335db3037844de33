// Locale-aware formatting with Intl; every date, number and amount on screen goes through here.
import { currentLocale } from './index'
import type { Money } from '@/api/types'

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>()

function nf(opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${currentLocale.value}|${JSON.stringify(opts)}`
  let f = cache.get(key) as Intl.NumberFormat | undefined
  if (!f) cache.set(key, (f = new Intl.NumberFormat(currentLocale.value, opts)))
  return f
}
function df(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${currentLocale.value}|${JSON.stringify(opts)}`
  let f = cache.get(key) as Intl.DateTimeFormat | undefined
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(currentLocale.value, opts)))
  return f
}

export function fmtNumber(n: number | null | undefined): string {
  return n == null ? '' : nf({}).format(n)
}

/** Money in minor units -> "¥4,103,044,000.00" / "€28,248,877,800.00" in the user's locale. */
export function fmtMoney(m: Money | null | undefined, compact = false): string {
  if (!m) return ''
  const digits = minorDigits(m.currency)
  const value = m.amount / 10 ** digits
  try {
    return nf({
      style: 'currency',
      currency: m.currency,
      currencyDisplay: 'narrowSymbol',
      ...(compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}),
    }).format(value)
  } catch {
    return `${nf({}).format(value)} ${m.currency}`
  }
}

export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

/** A date "YYYY-MM-DD" (calendar date, no time zone shift), or the local date of an ISO time. */
export function fmtDate(s: string | null | undefined): string {
  if (!s) return ''
  if (s.length > 10) {
    const t = new Date(s)
    return Number.isNaN(t.getTime()) ? s : df({ year: 'numeric', month: 'short', day: 'numeric' }).format(t)
  }
  const [y, m, d] = s.slice(0, 10).split('-').map(Number)
  if (!y || !m || !d) return s
  return df({ year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  )
}

/** An ISO time "…Z" in the user's time zone. */
export function fmtDateTime(s: string | null | undefined): string {
  if (!s) return ''
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) return s
  return df({ dateStyle: 'medium', timeStyle: 'short' }).format(d)
}

/** Whole days between an ISO time and now (0 = today), or null. */
export function daysSince(s: string | null | undefined, now = Date.now()): number | null {
  if (!s) return null
  const t = new Date(s).getTime()
  if (Number.isNaN(t)) return null
  return Math.max(0, Math.floor((now - t) / 86_400_000))
}

/** "3 days ago" / "3 天前" / "今天". */
export function fmtDaysAgo(days: number): string {
  const key = `r|${currentLocale.value}`
  let f = cache.get(key) as Intl.RelativeTimeFormat | undefined
  if (!f) cache.set(key, (f = new Intl.RelativeTimeFormat(currentLocale.value, { numeric: 'auto' })))
  return f.format(-days, 'day')
}
