// Names of care occasions: the server sends "中文 English" (e.g. "中秋节 Mid-Autumn Festival");
// the UI and the preview take the half of the language they need.
import type { CareReminder } from '@/api/types'

export function occasionPart(name: string, lang: 'zh' | 'en'): string {
  const n = name.trim()
  const i = n.search(/\s[A-Za-z]/)
  if (i < 0) return n
  return lang === 'zh' ? n.slice(0, i).trim() : n.slice(i + 1).trim()
}

export function occasionLabel(r: Pick<CareReminder, 'occasion_name' | 'occasion_key'>, uiLocale: string): string {
  return occasionPart(r.occasion_name || r.occasion_key, uiLocale.startsWith('zh') ? 'zh' : 'en')
}

/** Client-side preview of a template; the server renders the real message. */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{\s*(contact_name|account_name|occasion|sender_name|company)\s*\}\}/g, (_m, k: string) => vars[k] ?? '')
}
