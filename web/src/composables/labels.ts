// Words for stored codes (channel, industry, region ...). A code without a translation is shown
// as stored, so free text entered by users still reads fine.
import { i18n } from '@/i18n'

export function codeLabel(group: 'channel' | 'industry' | 'region', value: string | null | undefined): string {
  if (!value) return ''
  const k = `${group}.${value}`
  return i18n.global.te(k) ? (i18n.global.t(k) as string) : value
}

const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {}) as string
const te = (k: string) => i18n.global.te(k)

/** The behaviour tab's seasonality method (none | month_means | ratio_to_moving_average). */
export function seasonMethodLabel(m: string | null | undefined): string {
  if (!m) return ''
  return te(`msgs.season.${m}`) ? t(`msgs.season.${m}`) : t('msgs.fc.none')
}

/** One ETS model name ("MNN", "AAdA") in words; null when it is not one. */
function etsWords(code: string): string | null {
  const m = /^([AM])([NAM]d?)([NAM])$/.exec(code)
  if (!m) return null
  const trend = `msgs.fc.trend${m[2]}`
  return t('msgs.fc.ets', {
    error: t(`msgs.fc.err${m[1]}`),
    trend: te(trend) ? t(trend) : t('msgs.fc.trendA'),
    season: t(`msgs.fc.season${m[3]}`),
  })
}

function fcPart(p: string): string {
  const sa = p.endsWith('/sa')
  const core = sa ? p.slice(0, -3) : p
  const words = te(`msgs.fc.${core}`) ? t(`msgs.fc.${core}`) : (etsWords(core) ?? t('msgs.fc.ets', { error: '', trend: '', season: '' }))
  return sa ? t('msgs.fc.sa', { m: words }) : words
}

/** A forecast method as the server names it ("theta+MNN/sa", "AAdN", "naive") in words. */
export function forecastMethodLabel(m: string | null | undefined): string {
  if (!m) return ''
  const parts = m.split('+')
  if (parts.length === 2) return t('msgs.fc.avg', { a: fcPart(parts[0]), b: fcPart(parts[1]) })
  return fcPart(m)
}

/** A target plan's blend ("last_year:60,forecast:40") in words. */
export function blendLabel(blend: string | null | undefined): string {
  if (!blend) return ''
  return blend
    .split(',')
    .map((x) => x.split(':'))
    .filter((x) => x.length === 2)
    .map(([k, v]) => t('msgs.blend.part', { what: te(`msgs.blend.${k}`) ? t(`msgs.blend.${k}`) : t('msgs.genericField'), pct: v }))
    .join(i18n.global.locale.value === 'en' ? ', ' : '、')
}

/** An import file's field (external_id, account_code ...) in words. */
export function importFieldLabel(f: string | null | undefined): string {
  if (!f) return t('msgs.import.row')
  return te(`msgs.importFields.${f}`) ? t(`msgs.importFields.${f}`) : te(`msgs.fields.${f}`) ? t(`msgs.fields.${f}`) : t('msgs.genericField')
}

/** An import problem in the UI's language: its key and params with the column's words. */
export function importProblemText(p: { column: string; reason: string; key?: string; params?: Record<string, unknown> }): string {
  const col = importFieldLabel(p.column)
  const params: Record<string, unknown> = { ...(p.params ?? {}), col }
  const key = (p.key ?? '').replace(/^import\./, '')
  if (p.key?.startsWith('import.') && te(`msgs.import.${key}`)) {
    if (key === 'no_column' && typeof params.value === 'string') params.col = importFieldLabel(params.value)
    return t(`msgs.import.${key}`, params)
  }
  // a service's refusal (a validation key) or an older report without keys
  if (p.key && te(`msgs.err.${p.key}`)) return t(`msgs.err.${p.key}`, { ...params, label: col })
  if (i18n.global.locale.value === 'en') return p.column ? `${col}: ${p.reason}` : p.reason
  return t('msgs.import.generic', { col })
}

/** A notification's title in the UI's language from its key and params (the server's stored
 *  title for older rows, whose key is empty). */
export function notificationTitle(n: { key?: string; params?: Record<string, unknown>; title: string }): string {
  const key = (n.key ?? '').replace(/^notify\./, '')
  if (!n.key || !te(`msgs.notify.${key}`)) return n.title
  const params: Record<string, unknown> = { ...(n.params ?? {}) }
  if (key === 'care_due') params.name = careOccasionName(String(params.occasion ?? ''), String(params.name ?? ''))
  return t(`msgs.notify.${key}`, params)
}

/** A care occasion's name in the UI language: festivals and birthdays by their key; a special
 *  date's name as its user wrote it (never cut at a space: "Company day" is one name). */
export function careOccasionName(occasion: string, name: string): string {
  if (occasion === 'birthday' && te('care.kinds.birthday')) return t('care.kinds.birthday')
  if (occasion && te(`care.festivals.${occasion}`)) return t(`care.festivals.${occasion}`)
  return name.trim()
}

/** A notification kind in words. */
export function notificationKindLabel(kind: string): string {
  return te(`msgs.kinds.${kind}`) ? t(`msgs.kinds.${kind}`) : te(`notify.kinds.${kind}`) ? t(`notify.kinds.${kind}`) : t('msgs.genericField')
}

/** A valuation criterion's name in the UI language: zh-TW gets the server's Traditional form
 *  (name_zh_tw, OpenCC), never the simplified one. */
export function criterionName(c: { name_zh: string; name_en: string; name_zh_tw?: string }): string {
  const l = String(i18n.global.locale.value)
  if (l === 'zh-TW') return c.name_zh_tw || c.name_zh
  return l.startsWith('zh') ? c.name_zh : c.name_en
}
