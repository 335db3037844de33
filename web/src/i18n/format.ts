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

/** Local time of day "14:30" / "2:30 PM". */
export function fmtTime(s: string | Date | null | undefined): string {
  if (!s) return ''
  const d = typeof s === 'string' ? new Date(s) : s
  if (Number.isNaN(d.getTime())) return String(s)
  return df({ hour: 'numeric', minute: '2-digit' }).format(d)
}

/** A local Date as "Mon" / "周一" (style short) or "Monday" / "星期一" (long). */
export function fmtWeekday(d: Date, style: 'short' | 'long' = 'short'): string {
  return df({ weekday: style }).format(d)
}

/** "2026年11月" / "November 2026". */
export function fmtMonthYear(d: Date): string {
  return df({ year: 'numeric', month: 'long' }).format(d)
}

/** "11月28日" / "Nov 28" (a local Date). */
export function fmtDayMonth(d: Date): string {
  return df({ month: 'short', day: 'numeric' }).format(d)
}

/** "11月28日 周六" / "Sat, Nov 28". */
export function fmtDayLong(d: Date): string {
  return df({ month: 'short', day: 'numeric', weekday: 'short' }).format(d)
}

/** 87.5 -> "87.5%" (the API gives percentages 0..100). */
export function fmtPercent(p: number | null | undefined): string {
  if (p == null) return ''
  return nf({ style: 'percent', maximumFractionDigits: 1 }).format(p / 100)
}

/** Hours, one decimal: "3.5 小时" / "3.5 hr". */
export function fmtHours(h: number | null | undefined): string {
  if (h == null) return ''
  return nf({ style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 }).format(h)
}

/** A duration in milliseconds, two largest units: "2天 3小时" / "2 days 3 hr" / "45 min". */
export function fmtDuration(ms: number): string {
  const total = Math.max(0, Math.round(Math.abs(ms) / 60_000)) // minutes
  const d = Math.floor(total / 1440)
  const h = Math.floor((total % 1440) / 60)
  const m = total % 60
  const u = (n: number, unit: string) => nf({ style: 'unit', unit, unitDisplay: 'short' }).format(n)
  if (d) return h ? `${u(d, 'day')} ${u(h, 'hour')}` : u(d, 'day')
  if (h) return m ? `${u(h, 'hour')} ${u(m, 'minute')}` : u(h, 'hour')
  return u(m, 'minute')
}

/** A wait in seconds, minutes and seconds: "4分钟 5秒" / "4 min 5 sec" / "45 sec". */
export function fmtWait(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds))
  const m = Math.floor(total / 60)
  const s = total % 60
  const u = (n: number, unit: string) => nf({ style: 'unit', unit, unitDisplay: 'short' }).format(n)
  if (m) return s ? `${u(m, 'minute')} ${u(s, 'second')}` : u(m, 'minute')
  return u(s, 'second')
}

/** "5 分钟前" / "5 minutes ago" / "yesterday" for an ISO time; `past` reads a time ahead of
 *  this browser's clock (a skewed server clock) as "now". */
export function fmtTimeAgo(s: string | null | undefined, now = Date.now(), past = false): string {
  if (!s) return ''
  const t = past ? Math.min(new Date(s).getTime(), now) : new Date(s).getTime()
  if (Number.isNaN(t)) return s
  const key = `r|${currentLocale.value}`
  let f = cache.get(key) as Intl.RelativeTimeFormat | undefined
  if (!f) cache.set(key, (f = new Intl.RelativeTimeFormat(currentLocale.value, { numeric: 'auto' })))
  const sec = Math.round((t - now) / 1000)
  const abs = Math.abs(sec)
  if (abs < 60) return f.format(0, 'second')
  if (abs < 3600) return f.format(Math.round(sec / 60), 'minute')
  if (abs < 86400) return f.format(Math.round(sec / 3600), 'hour')
  if (abs < 86400 * 30) return f.format(Math.round(sec / 86400), 'day')
  return fmtDate(s)
}

/** A local Date -> the API's "YYYY-MM-DDTHH:MM:SSZ". */
export function toIso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** ["张伟", "李娜"] -> "张伟和李娜" / "Zhang Wei and Li Na". */
export function fmtList(items: string[]): string {
  return new Intl.ListFormat(currentLocale.value, { style: 'long', type: 'conjunction' }).format(items)
}
