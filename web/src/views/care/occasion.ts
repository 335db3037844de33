// Names of care occasions. A festival or a birthday is worded by its key (occasion_key) in the
// language asked for: the UI's on screen, a template's in the send preview. A special date keeps
// the name its user wrote, spaces and all. (The server words occasion_name in the request's
// Accept-Language the same way; reminders made before that stored festival names bilingual,
// "中秋节 Mid-Autumn Festival", and are worded by their key too.)
import type { CareReminder } from '@/api/types'
import { i18n, type Locale } from '@/i18n'

type Occ = Pick<CareReminder, 'occasion_kind' | 'occasion_name' | 'occasion_key'>

/** The message key of an occasion worded by the UI, or null for a special date. */
function occasionKey(r: Occ): string | null {
  if (r.occasion_kind === 'birthday' || r.occasion_key === 'birthday') return 'care.kinds.birthday'
  if (r.occasion_kind === 'festival' && r.occasion_key) return `care.festivals.${r.occasion_key}`
  return null
}

/** The occasion's name in `locale` (default: the UI's); that language's messages must be loaded
 *  (loadLocale), else the server's occasion_name is kept. */
export function occasionName(r: Occ, locale?: Locale): string {
  const k = occasionKey(r)
  const l = locale ?? (i18n.global.locale.value as Locale)
  if (k && i18n.global.te(k, l)) return i18n.global.t(k, {}, { locale: l }) as string
  return r.occasion_name || r.occasion_key
}

/** The language of a message template's occasion: zh templates get the Simplified names (what the
 *  server fills in), en the English ones. */
export function templateLocale(l: string): Locale {
  return l === 'en' ? 'en' : 'zh-CN'
}

export function occasionLabel(r: Occ): string {
  return occasionName(r)
}

/** Client-side preview of a template; the server renders the real message. */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{\s*(contact_name|account_name|occasion|sender_name|company)\s*\}\}/g, (_m, k: string) => vars[k] ?? '')
}
