// Numbers of the volume screens: amounts in major units of the base currency (the API's `unit`)
// or quantities, formatted for the user's locale.
import { currentLocale } from '@/i18n'

function nf(opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  return new Intl.NumberFormat(currentLocale.value, opts)
}

/** 1234567.89 CNY -> "¥1,234,567.89"; a quantity -> "1,234.5"; compact -> "¥123.5万" / "¥1.2M". */
export function fmtValue(v: number | null | undefined, unit: string, compact = false): string {
  if (v == null || Number.isNaN(v)) return '—'
  const c: Intl.NumberFormatOptions = compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}
  if (/^[A-Z]{3}$/.test(unit)) {
    try {
      return nf({ style: 'currency', currency: unit, currencyDisplay: 'narrowSymbol', maximumFractionDigits: compact ? 1 : 0, ...c }).format(v)
    } catch {
      /* unknown currency code: plain number */
    }
  }
  return nf({ maximumFractionDigits: compact ? 1 : 3, ...c }).format(v)
}

/** A percentage 0..100 with one decimal and, for growth, a sign: "+4.5%". */
export function fmtPct(p: number | null | undefined, signed = false): string {
  if (p == null || Number.isNaN(p)) return '—'
  return nf({ style: 'percent', maximumFractionDigits: 1, signDisplay: signed ? 'exceptZero' : 'auto' }).format(p / 100)
}

/** "2026-03" -> "2026年3月" / "Mar 2026". */
export function fmtMonth(ym: string): string {
  const [y, m] = ym.split('-').map(Number)
  if (!y || !m) return ym
  return new Intl.DateTimeFormat(currentLocale.value, { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)))
}

/** Month 1..12 -> "3月" / "Mar". */
export function fmtMonthName(m: number): string {
  return new Intl.DateTimeFormat(currentLocale.value, { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, m - 1, 1)))
}

/** "YYYY-MM" of this month, local time. */
export function thisMonth(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}

/** Adds n months to "YYYY-MM". */
export function addMonths(ym: string, n: number): string {
  const [y, m] = ym.split('-').map(Number)
  const i = y * 12 + (m - 1) + n
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`
}

/** Months from a to b inclusive ("2026-01".."2026-03" -> 3). */
export function monthsBetween(a: string, b: string): number {
  const [ya, ma] = a.split('-').map(Number)
  const [yb, mb] = b.split('-').map(Number)
  return yb * 12 + mb - (ya * 12 + ma) + 1
}

export const STATUS_TYPE: Record<string, 'success' | 'warning' | 'danger' | 'info'> = {
  on_track: 'success',
  at_risk: 'warning',
  off_track: 'danger',
  no_target: 'info',
}

/** A month key of the API, "3" or "2026-03", as 1..12 (0 when it is not one). */
export function monthNum(key: string | number | null | undefined): number {
  const s = String(key ?? '')
  const m = /^\d{4}-(\d{2})$/.exec(s)
  const n = m ? Number(m[1]) : Number(s)
  return Number.isInteger(n) && n >= 1 && n <= 12 ? n : 0
}
