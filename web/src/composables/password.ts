// Password rules and wording shared by the own-password form (layouts/PasswordForm.vue) and the
// user dialog: 10–200 characters, not a commonly used password, not containing the login
// (docs/API.md, "Passwords"). The common-password list lives only on the server; its answer
// (400 invalid naming the field) is worded here.
import type { FormItemRule } from 'element-plus'
import { ApiError } from '@/api/http'
import { i18n } from '@/i18n'
import { charLength } from './rules'

const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {}) as string

export const PASSWORD_MIN = 10
export const PASSWORD_MAX = 200
const LOGIN_MIN = 3 // shorter logins are not looked for in the password

/** Whether the password contains the login, ignoring case, as the server checks it. */
export function containsLogin(pw: string, login: string): boolean {
  return login.length >= LOGIN_MIN && pw.toLowerCase().includes(login.toLowerCase())
}

/** The rules of a new password; `required` false lets it stay empty (keep the current one). */
export function passwordRules(login: () => string, required = true): FormItemRule[] {
  return [
    {
      required, // shows the asterisk; the validator below gives the message
      trigger: 'blur',
      validator: (_r, v: unknown, cb) => {
        const s = v == null ? '' : String(v)
        const n = charLength(s)
        if (n === 0) return required ? cb(new Error(t('validation.required'))) : cb()
        if (n < PASSWORD_MIN) return cb(new Error(t('validation.minChars', { n: PASSWORD_MIN })))
        if (n > PASSWORD_MAX) return cb(new Error(t('validation.maxChars', { n: PASSWORD_MAX })))
        if (containsLogin(s, login())) return cb(new Error(t('password.containsLogin')))
        cb()
      },
    },
  ]
}

/** The server's refusal of a new password in the user's language, or null for other errors.
 *  The reason is read from the server's message (src/svc/password.c, check.c); an unknown
 *  wording falls back to the generic text of composables/errors.ts. */
export function passwordErrorText(e: unknown): string | null {
  if (!(e instanceof ApiError) || e.code !== 'invalid') return null
  if (/commonly used/i.test(e.message)) return t('password.common')
  if (/contain the login/i.test(e.message)) return t('password.containsLogin')
  if (/too short/i.test(e.message)) return t('validation.minChars', { n: PASSWORD_MIN })
  if (/longer than/i.test(e.message)) return t('validation.maxChars', { n: PASSWORD_MAX })
  return null
}
