// API errors -> words on the screen. A field error goes next to its form item; anything else
// becomes a form-level alert. Well-known codes are translated; the server's message (English)
// is kept as detail in the Chinese locales.
import { reactive, ref } from 'vue'
import { ApiError } from '@/api/http'
import { i18n } from '@/i18n'

const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {}) as string
const te = (k: string) => i18n.global.te(k)

/** Specific wording for (code, field) pairs that users meet. */
function specific(e: ApiError): string | null {
  const k = `errors.specific.${e.code}.${e.field ? e.field.replace(/[.-]/g, '_') : '_'}`
  return te(k) ? t(k) : null
}

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s
}

export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('errors.unexpected')
  const s = specific(e)
  if (s) return s
  const lang = String(i18n.global.locale.value)
  const codeKey = `errors.code.${e.code}`
  if (e.status === 403) return t('errors.code.forbidden')
  if (e.code === 'network') return t('errors.code.network')
  if (lang === 'en') return capitalize(e.message) || (te(codeKey) ? t(codeKey) : e.code)
  if (te(codeKey)) return e.message ? `${t(codeKey)}（${e.message}）` : t(codeKey)
  return e.message || e.code
}

export function isApiError(e: unknown, status?: number): e is ApiError {
  return e instanceof ApiError && (status === undefined || e.status === status)
}

/** Per-form server error state. `fields` are the form item props errors may be attached to;
 *  nested API fields such as `revenue.currency` map with a dot. */
export function useFormErrors(fields: string[], alias: Record<string, string> = {}) {
  const fieldErrors = reactive<Record<string, string>>({})
  const formError = ref('')
  function clear() {
    for (const k of Object.keys(fieldErrors)) delete fieldErrors[k]
    formError.value = ''
  }
  function clearField(f: string) {
    delete fieldErrors[f]
  }
  /** Shows an API error; returns the form prop it was attached to, or null. */
  function apply(e: unknown): string | null {
    clear()
    const text = errorText(e)
    if (e instanceof ApiError && e.field) {
      const prop = alias[e.field] ?? e.field
      if (fields.includes(prop)) {
        fieldErrors[prop] = text
        return prop
      }
    }
    formError.value = text
    return null
  }
  return { fieldErrors, formError, clear, clearField, apply }
}
