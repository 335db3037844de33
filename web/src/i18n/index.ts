// Languages: messages live in src/locales/<locale>.json plus one file per feature in
// src/locales/<locale>/<feature>.json (merged over it), compiled at build time by
// @intlify/unplugin-vue-i18n, so the browser never compiles or evals a message.
import { createI18n } from 'vue-i18n'
import { computed, ref } from 'vue'
import zhCN from '@/locales/zh-CN.json'
import zhTW from '@/locales/zh-TW.json'
import en from '@/locales/en.json'

export type Locale = 'zh-CN' | 'zh-TW' | 'en'
export const LOCALES: { code: Locale; label: string }[] = [
  { code: 'zh-CN', label: '简体中文' },
  { code: 'zh-TW', label: '繁體中文' },
  { code: 'en', label: 'English' },
]

const STORAGE_KEY = 'kam.locale'

/** Maps a BCP 47 tag from the browser to one of ours. */
export function matchLocale(tag: string | undefined | null): Locale | null {
  if (!tag) return null
  const t = tag.toLowerCase()
  if (t.startsWith('zh')) {
    if (/^zh-(tw|hk|mo)\b|hant/.test(t)) return 'zh-TW'
    return 'zh-CN'
  }
  if (t.startsWith('en')) return 'en'
  return null
}

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY) as Locale | null
    if (saved && LOCALES.some((l) => l.code === saved)) return saved
  } catch {
    /* storage may be disabled */
  }
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language]
  for (const l of langs) {
    const m = matchLocale(l)
    if (m) return m
  }
  return 'en'
}

type Schema = typeof zhCN
type Tree = { [k: string]: unknown }

// src/locales/<locale>/<feature>.json: each feature's messages, merged into the locale's tree.
const parts = import.meta.glob<Tree>('../locales/*/*.json', { eager: true, import: 'default' })

function merge(into: Tree, from: Tree): Tree {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k]
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) merge(cur as Tree, v as Tree)
    else into[k] = v
  }
  return into
}

function withParts(locale: Locale, base: Tree): Schema {
  for (const [file, msgs] of Object.entries(parts).sort(([a], [b]) => a.localeCompare(b)))
    if (file.split('/').at(-2) === locale) merge(base, msgs)
  return base as Schema
}

export const i18n = createI18n<[Schema], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { 'zh-CN': withParts('zh-CN', zhCN), 'zh-TW': withParts('zh-TW', zhTW), en: withParts('en', en) },
  missingWarn: false,
  fallbackWarn: false,
})

/** The current locale as a plain ref-like computed, for Intl formatters. */
export const currentLocale = computed<Locale>(() => i18n.global.locale.value as Locale)

export const localeVersion = ref(0)

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l
  try {
    localStorage.setItem(STORAGE_KEY, l)
  } catch {
    /* ignore */
  }
  document.documentElement.lang = l
  localeVersion.value++
}

document.documentElement.lang = i18n.global.locale.value
