// Words for stored codes (channel, industry, region ...). A code without a translation is shown
// as stored, so free text entered by users still reads fine.
import { i18n } from '@/i18n'

export function codeLabel(group: 'channel' | 'industry' | 'region', value: string | null | undefined): string {
  if (!value) return ''
  const k = `${group}.${value}`
  return i18n.global.te(k) ? (i18n.global.t(k) as string) : value
}
