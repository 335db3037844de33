import { minorDigits } from '@/i18n/format'

/** "1234.5" in CNY -> 123450 (fen); null for empty; NaN when not a plain decimal number. */
export function toMinor(major: string, currency: string): number | null {
  const s = major.replace(/[,\s_]/g, '')
  if (!s) return null
  const digits = minorDigits(currency || 'CNY')
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s)
  if (!m || (m[2] && m[2].length > digits)) return NaN
  const frac = (m[2] ?? '').padEnd(digits, '0')
  const n = Number(m[1] + frac)
  return Number.isSafeInteger(n) ? n : NaN
}

/** 123450 fen -> "1234.50". */
export function toMajor(minor: number, currency: string): string {
  const digits = minorDigits(currency)
  if (!digits) return String(minor)
  const s = String(minor).padStart(digits + 1, '0')
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`
}
