// Languages: messages live in src/locales/<locale>.json plus one file per feature in
// src/locales/<locale>/<feature>.json (merged over it), compiled at build time by
// @intlify/unplugin-vue-i18n, so the browser never compiles or evals a message.
//
// Only the language on screen is loaded: each language's files are one lazy chunk
// (locale-<code>, see vite.config.ts), fetched before the app mounts (loadLocale in main.ts) and
// on a language switch (setLocale loads, then switches). There is no fallback language: every
// key exists in all three (checked by tests/browser/t_weight.mjs). Only when the language on
// screen cannot be fetched at start-up (retried with backoff) is another one loaded instead
// (loadInitialLocale).
import { createI18n } from 'vue-i18n'
import { computed, ref } from 'vue'
import type zhCN from '@/locales/zh-CN.json'
import { whileLoading } from '@/composables/ready'

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

// Every language's base file and feature files, each a lazy import (one chunk per language).
const files = import.meta.glob<Tree>(['../locales/*.json', '../locales/*/*.json'], { import: 'default' })

function merge(into: Tree, from: Tree): Tree {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k]
    if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) merge(cur as Tree, v as Tree)
    else into[k] = v
  }
  return into
}

/** A language's messages: its base file with its feature files merged over it, in name order. */
async function fetchMessages(locale: Locale): Promise<Schema> {
  const base = files[`../locales/${locale}.json`]
  const parts = Object.keys(files)
    .filter((f) => f.startsWith(`../locales/${locale}/`))
    .sort((a, b) => a.localeCompare(b))
  const [tree, ...more] = await Promise.all([base(), ...parts.map((f) => files[f]())])
  for (const m of more) merge(tree, m)
  return tree as Schema
}

export const i18n = createI18n<[Schema], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  messages: {} as Record<Locale, Schema>,
  missingWarn: false,
  fallbackWarn: false,
})

const loading = new Map<Locale, Promise<void>>()

/** Loads a language's messages once (the page counts as busy meanwhile); later calls reuse it. */
export function loadLocale(l: Locale): Promise<void> {
  let p = loading.get(l)
  if (!p) {
    p = whileLoading(fetchMessages(l).then((m) => i18n.global.setLocaleMessage(l, m)))
    p.catch(() => loading.delete(l)) // a failed chunk load may be retried
    loading.set(l, p)
  }
  return p
}

/** The current locale as a plain ref-like computed, for Intl formatters. */
export const currentLocale = computed<Locale>(() => i18n.global.locale.value as Locale)

export const localeVersion = ref(0)

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Loads a language, retrying a flaky network with backoff (0.5 s, 1 s, 2 s ...). */
async function loadWithRetry(l: Locale, tries: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await loadLocale(l)
    } catch (e) {
      if (i + 1 >= tries) throw e
      console.warn(`locale ${l}: retrying`, e)
      await delay(500 * 2 ** i)
    }
  }
}

/** The messages the app mounts with: the language on screen, retried a few times; if it cannot
 *  be had, English (then Simplified Chinese) for this visit (the saved choice stays). Resolves
 *  to the language now on screen, or null when none could be loaded (the caller must not mount
 *  an app that would show raw keys). */
export function loadInitialLocale(): Promise<Locale | null> {
  const first = i18n.global.locale.value as Locale
  const order = [first, ...(['en', 'zh-CN'] as Locale[]).filter((l) => l !== first)]
  return whileLoading(
    (async () => {
      for (const [i, l] of order.entries()) {
        try {
          await loadWithRetry(l, i === 0 ? 4 : 2)
        } catch (e) {
          console.warn(`locale ${l} could not be loaded`, e)
          continue
        }
        if (l !== first) {
          i18n.global.locale.value = l
          document.documentElement.lang = l
          localeVersion.value++
        }
        return l
      }
      return null
    })(),
  )
}

let wanted: Locale | null = null

/** Switches the language once its messages are loaded (the last one asked for wins). */
export async function setLocale(l: Locale): Promise<void> {
  wanted = l
  await loadLocale(l)
  if (wanted !== l) return
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
