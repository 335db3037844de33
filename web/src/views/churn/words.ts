// The churn model's factors in words (locales/<lang>/churn.json, "churn.feature.<name>"): the
// value as the reader reads it (money, percent, tier) and whether it raises or lowers the risk.
// A feature the web does not know is shown by its direction only, never by its key.
import type { ChurnFactor } from '@/api/churn'
import { fmtMoney, fmtNumber } from '@/i18n/format'

type T = (key: string, named?: Record<string, unknown>) => string
type Te = (key: string) => boolean

const MONEY = new Set(['vol_3m', 'vol_6m', 'vol_12m'])
const CHANGE = new Set(['chg_3m', 'chg_yoy'])

/** The sentence of one factor, e.g. "Volume of the last 3 months fell 42 % against the 3 before". */
export function factorText(t: T, te: Te, f: ChurnFactor): string {
  const key = `churn.feature.${f.feature}`
  if (!te(`${key}.label`)) return f.contribution > 0 ? t('churn.raises') : t('churn.lowers')
  const v = f.value
  if (v === null || v === '') return te(`${key}.none`) ? t(`${key}.none`) : t(`${key}.label`)
  const n = Number(v)
  if (CHANGE.has(f.feature)) return t(`${key}.${n < 0 ? 'down' : 'up'}`, { v: fmtNumber(Math.abs(n)) })
  if (MONEY.has(f.feature)) return t(`${key}.text`, { v: fmtMoney({ amount: n, currency: 'CNY' }, true) })
  if (f.feature === 'tier') return t(`${key}.text`, { v: te(`tier.${v}`) ? t(`tier.${v}`) : '—' })
  return t(`${key}.text`, { v: Number.isFinite(n) ? fmtNumber(n) : '—' })
}

/** high from 40 %, medium from 20 %. */
export function level(bp: number): 'high' | 'medium' | 'low' {
  return bp >= 4000 ? 'high' : bp >= 2000 ? 'medium' : 'low'
}

export const LEVEL_COLOR = { high: '#e5484d', medium: '#f5a524', low: '#30a46c' } as const

export function pct(bp: number): string {
  return `${fmtNumber(Math.round(bp / 10) / 10)} %`
}
