// API errors -> words on the screen. A field error goes next to its form item; anything else
// becomes a form-level alert. The server sends a message key and parameters (error.key/params,
// see src/svc/core/msg.c); the UI words them in its own language with the form's label of the
// field (never the raw field name, never the server's English text in Chinese mode), and the
// words re-render when the language changes.
import { getCurrentInstance, nextTick, reactive, ref, watch, type ComponentInternalInstance, type VNode } from 'vue'
import { ApiError } from '@/api/http'
import { i18n } from '@/i18n'

const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {}) as string
const te = (k: string) => i18n.global.te(k)

/** Specific wording for (code, field) pairs that users meet. */
function specific(e: ApiError): string | null {
  const k = `errors.specific.${e.code}.${e.field ? e.field.replace(/[.-]/g, '_') : '_'}`
  return te(k) ? t(k) : null
}

const isEnglish = (l: string) => /^en(-|$)/i.test(l.trim())

function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s
}

/** Words for an API field name: the caller's label, a known field's words, or a generic phrase.
 *  Never the raw name. */
export function fieldLabel(field: string, labels?: Record<string, string> | ((f: string) => string | undefined)): string {
  if (!field) return t('msgs.genericField')
  const given = typeof labels === 'function' ? labels(field) : labels?.[field]
  if (given) return given
  const leaf = field.split('.').pop() ?? field
  for (const f of [field.replace(/[.-]/g, '_'), leaf]) if (te(`msgs.fields.${f}`)) return t(`msgs.fields.${f}`)
  return t('msgs.genericField')
}

/** The words of a message key with its parameters, or null when the UI has none for it.
 *  inField: the text sits next to the field (no label in it). */
export function keyText(key: string, params: Record<string, string>, label: string, inField = false): string | null {
  if (!key) return null
  const base = inField ? 'msgs.inField' : 'msgs.err'
  const k = `${base}.${key}`
  if (te(k)) return t(k, { ...params, label })
  if (inField && te(`msgs.err.${key}`)) return t(`msgs.err.${key}`, { ...params, label })
  return null
}

export interface ErrorTextOpts {
  /** Labels of the form's fields (API field name -> label). */
  labels?: Record<string, string> | ((f: string) => string | undefined)
  /** The text is shown next to its field. */
  inField?: boolean
}

export function errorText(e: unknown, opts: ErrorTextOpts = {}): string {
  if (!(e instanceof ApiError)) return t('errors.unexpected')
  const s = specific(e)
  if (s) return s
  if (e.status === 403) return t('errors.code.forbidden')
  if (e.code === 'network') return t('errors.code.network')
  const keyed = keyText(e.key, e.params, fieldLabel(e.field, opts.labels), opts.inField)
  if (keyed) return keyed
  const lang = String(i18n.global.locale.value)
  const codeKey = `errors.code.${e.code}`
  // The server's text only when it was rendered in English (the request's language, which may
  // have been another one than the UI's now) and the UI is English.
  if (lang === 'en' && isEnglish(e.lang) && e.message) return capitalize(e.message)
  // Otherwise the code's words (and the field's), never a text in another language.
  const generic = te(codeKey) ? t(codeKey) : t('errors.unexpected')
  return e.field && e.status === 400 ? t('msgs.withField', { label: fieldLabel(e.field, opts.labels), text: generic }) : generic
}

export function isApiError(e: unknown, status?: number): e is ApiError {
  return e instanceof ApiError && (status === undefined || e.status === status)
}

interface Exposed {
  fields?: { validateState?: string; propString?: string; validate?: (trigger: string) => Promise<unknown> }[]
}

/** The Element Plus forms rendered by a component (their exposed field contexts). */
function formsOf(inst: ComponentInternalInstance | null): Exposed[] {
  const out: Exposed[] = []
  const walk = (v: VNode | null | undefined, depth: number) => {
    if (!v || depth > 60) return
    const c = v.component
    if (c) {
      const ex = c.exposed as Exposed | null
      if (ex && Array.isArray(ex.fields)) out.push(ex)
      walk(c.subTree, depth + 1)
      return
    }
    if (Array.isArray(v.children)) for (const ch of v.children) walk(ch as VNode, depth + 1)
    const sus = (v as { suspense?: { activeBranch?: VNode } }).suspense
    if (sus?.activeBranch) walk(sus.activeBranch, depth + 1)
  }
  walk(inst?.subTree, 0)
  return out
}

/** Re-runs the client-side rules of the fields showing a rule's message, so the message is
 *  worded in the new language (rules.ts words it when it runs). Fields showing a server error
 *  (skip) re-render from their error prop. */
export function revalidateShown(inst: ComponentInternalInstance | null, skip: (prop: string) => boolean = () => false) {
  for (const f of formsOf(inst))
    for (const fld of f.fields ?? [])
      if (fld.validateState === 'error' && fld.propString && !skip(fld.propString)) fld.validate?.('').catch(() => undefined)
}

/** Per-form server error state. `fields` are the form item props errors may be attached to;
 *  nested API fields such as `revenue.currency` map with a dot. `labels` words API field names
 *  in form-level messages (default: the shared field words, else a generic phrase). The texts
 *  re-render when the language changes, as do the client-side rules' messages of the forms of
 *  the component that calls this. */
export function useFormErrors(
  fields: string[],
  alias: Record<string, string> = {},
  labels?: Record<string, string> | ((f: string) => string | undefined),
) {
  const fieldErrors = reactive<Record<string, string>>({})
  const formError = ref('')
  let last: unknown = null
  function clear() {
    for (const k of Object.keys(fieldErrors)) delete fieldErrors[k]
    formError.value = ''
    last = null
  }
  function clearField(f: string) {
    delete fieldErrors[f]
  }
  /** Shows an API error; returns the form prop it was attached to, or null. */
  function apply(e: unknown): string | null {
    clear()
    last = e
    if (e instanceof ApiError && e.field) {
      const prop = alias[e.field] ?? e.field
      if (fields.includes(prop)) {
        fieldErrors[prop] = errorText(e, { labels, inField: true })
        return prop
      }
    }
    formError.value = errorText(e, { labels })
    return null
  }
  const inst = getCurrentInstance()
  if (inst) {
    watch(
      () => i18n.global.locale.value,
      async () => {
        if (last) {
          const e = last
          const kept = { ...fieldErrors }
          apply(e)
          // a field error cleared by the user stays cleared
          for (const k of Object.keys(fieldErrors)) if (!(k in kept)) delete fieldErrors[k]
        }
        await nextTick()
        revalidateShown(inst, (p) => p in fieldErrors)
      },
    )
  }
  return { fieldErrors, formError, clear, clearField, apply }
}
