// Client-side form rules that mirror the limits in docs/API.md, so most mistakes are caught
// before a request; the server's answer is still shown per field (composables/errors.ts).
import type { FormItemRule } from 'element-plus'
import { getCurrentInstance, nextTick, watch } from 'vue'
import { i18n } from '@/i18n'
import { revalidateShown } from '@/composables/errors'

const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {}) as string

// eslint-disable-next-line no-control-regex
const CONTROL_ONE_LINE = /[\u0000-\u001f\u007f-\u009f]/
// eslint-disable-next-line no-control-regex
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

/** Length in characters (code points), as the server counts. */
export function charLength(s: string): number {
  return [...s].length
}

export function text(opts: { required?: boolean; max: number; min?: number; multiline?: boolean }): FormItemRule[] {
  return [
    {
      required: !!opts.required, // shows the asterisk; the validator below gives the message
      trigger: ['blur', 'change'],
      validator: (_r, v: unknown, cb) => {
        const s = v == null ? '' : String(v)
        if (opts.required && !s.trim()) return cb(new Error(t('validation.required')))
        const n = charLength(s)
        if (opts.min && n > 0 && n < opts.min) return cb(new Error(t('validation.minChars', { n: opts.min })))
        if (n > opts.max) return cb(new Error(t('validation.maxChars', { n: opts.max })))
        if ((opts.multiline ? CONTROL_MULTI_LINE : CONTROL_ONE_LINE).test(s))
          return cb(new Error(t(opts.multiline ? 'validation.control' : 'validation.oneLine')))
        cb()
      },
    },
  ]
}

export function email(): FormItemRule[] {
  return [
    ...text({ max: 254 }),
    {
      trigger: 'blur',
      validator: (_r, v: unknown, cb) => {
        const s = v == null ? '' : String(v)
        if (!s) return cb()
        const at = s.indexOf('@')
        if (at <= 0 || at === s.length - 1 || s.indexOf('@', at + 1) >= 0 || s.includes(' '))
          return cb(new Error(t('validation.email')))
        cb()
      },
    },
  ]
}

export function intRange(min: number, max: number, required = false): FormItemRule[] {
  return [
    {
      trigger: ['blur', 'change'],
      validator: (_r, v: unknown, cb) => {
        if (v === null || v === undefined || v === '') return required ? cb(new Error(t('validation.required'))) : cb()
        const n = Number(v)
        if (!Number.isInteger(n)) return cb(new Error(t('validation.integer')))
        if (n < min || n > max) return cb(new Error(t('validation.range', { min, max })))
        cb()
      },
    },
  ]
}

export function required(): FormItemRule[] {
  return [
    {
      required: true, // shows the asterisk; the validator below gives the message
      trigger: ['blur', 'change'],
      validator: (_r, v: unknown, cb) =>
        v === null || v === undefined || v === '' ? cb(new Error(t('validation.required'))) : cb(),
    },
  ]
}

/** A real calendar date YYYY-MM-DD (or empty). */
export function isoDate(): FormItemRule[] {
  return [
    {
      trigger: ['blur', 'change'],
      validator: (_r, v: unknown, cb) => {
        if (!v) return cb()
        const s = String(v)
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
        const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null
        if (!m || !d || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3])
          return cb(new Error(t('validation.date')))
        cb()
      },
    },
  ]
}

/** Re-words the messages of the client-side rules showing in the calling component's forms when
 *  the language changes (the rules word them when they run). Forms using useFormErrors
 *  (composables/errors.ts) get this already. */
export function useRulesLanguage() {
  const inst = getCurrentInstance()
  watch(
    () => i18n.global.locale.value,
    async () => {
      await nextTick()
      revalidateShown(inst)
    },
  )
}
