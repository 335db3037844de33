import type { Tier } from '@/api/types'

export const TIER_COLORS: Record<Tier, string> = {
  strategic: '#8e44ad',
  key: '#e6a23c',
  growth: '#409eff',
  maintain: '#a0aec0',
}

/** attitude -2..+2 -> colour (red = against, green = for us). */
export const ATTITUDE_COLORS: Record<string, string> = {
  '-2': '#d03050',
  '-1': '#f08a24',
  '0': '#8a94a6',
  '1': '#52b35a',
  '2': '#1e8e3e',
}
