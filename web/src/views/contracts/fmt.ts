// Figures of the contract screens: money in minor units with its currency, quantities in
// thousandths of the unit, a volume target by its measure.
import { fmtMoney, fmtNumber } from '@/i18n/format'

export function money(minor: number | null | undefined, currency: string): string {
  if (minor == null) return '—'
  return fmtMoney({ amount: minor, currency })
}

/** A quantity in thousandths of the unit. */
export function qty(milli: number | null | undefined): string {
  if (milli == null) return '—'
  return fmtNumber(milli / 1000)
}

/** A volume figure: money for `amount`, a quantity for `quantity`. */
export function figure(v: number | null | undefined, measure: string | null | undefined, currency: string): string {
  return measure === 'amount' ? money(v, currency) : qty(v)
}

/** Days to the notice deadline -> the tag's colour. */
export function noticeType(days: number, status: string): 'danger' | 'warning' | 'info' | 'success' {
  if (status !== 'active' && status !== 'expiring') return 'info'
  if (days < 0) return 'danger'
  if (days <= 30) return 'danger'
  if (days <= 90) return 'warning'
  return 'success'
}

export const severityType: Record<string, 'success' | 'warning' | 'danger' | 'info'> = {
  low: 'info',
  medium: 'warning',
  high: 'danger',
  critical: 'danger',
}

export const statusType: Record<string, 'success' | 'warning' | 'danger' | 'info' | 'primary'> = {
  draft: 'info',
  active: 'success',
  expiring: 'warning',
  expired: 'info',
  terminated: 'danger',
  renewed: 'info',
  detected: 'danger',
  confirmed: 'warning',
  waived: 'info',
  action: 'primary',
  cured: 'success',
}
