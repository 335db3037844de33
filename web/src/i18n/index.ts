// Languages: messages live in src/locales/<locale>.json (one file per locale, compiled at build
// time by @intlify/unplugin-vue-i18n, so the browser never compiles or evals a message).
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

export const i18n = createI18n<[Schema], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { 'zh-CN': zhCN, 'zh-TW': zhTW as Schema, en: en as Schema },
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
