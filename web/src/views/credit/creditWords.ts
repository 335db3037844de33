// Words and colours shared by the credit screens (issue 16 item 2).
import type { AccountCredit, HoldStatus } from '@/api/credit'

type T = (key: string) => string

/** The ageing buckets in order, worded, with their amounts (base currency). */
export function ageingBars(a: AccountCredit['ageing'], t: T) {
  return [
    { key: 'not_due', label: t('credit.bucket.not_due'), value: a.not_due },
    { key: 'd1_30', label: t('credit.bucket.1_30'), value: a.d1_30 },
    { key: 'd31_60', label: t('credit.bucket.31_60'), value: a.d31_60 },
    { key: 'd61_90', label: t('credit.bucket.61_90'), value: a.d61_90 },
    { key: 'over_90', label: t('credit.bucket.over_90'), value: a.over_90 },
  ]
}

export function holdStatusType(s: HoldStatus): 'warning' | 'danger' | 'success' | 'info' {
  return s === 'held' ? 'danger' : s === 'flagged' ? 'warning' : s === 'released' ? 'success' : 'info'
}
