// The one place that talks HTTP to the KAM API: JSON in and out, the CSRF header on unsafe
// methods, typed errors. Callers use the resource modules (accounts.ts, users.ts, ...).
import type { ApiErrorBody } from './types'
import { busy } from '@/composables/ready'

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly field: string
  /** Seconds the server asks to wait (the Retry-After of a 429 rate_limited); 0 when none. */
  readonly retryAfter: number
  /** The message key and its parameters (error.key/params): the UI words them itself. */
  readonly key: string
  readonly params: Record<string, string>
  /** The language the request asked the server's texts in (its Accept-Language; 'en' when it
   *  sent none, the server's default): `message` is in that language, not necessarily the UI's. */
  readonly lang: string
  constructor(
    status: number,
    code: string,
    message: string,
    field: string,
    retryAfter = 0,
    key = '',
    params: Record<string, string> = {},
    lang = 'en',
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
    this.retryAfter = retryAfter
    this.key = key || code
    this.params = params
    this.lang = lang
  }
}

/** A Retry-After header (delay-seconds or an HTTP date) in whole seconds; 0 when absent. */
export function retryAfterSeconds(h: string | null, now = Date.now()): number {
  if (!h) return 0
  const v = h.trim()
  if (/^\d+$/.test(v)) return Number(v)
  const at = Date.parse(v)
  return Number.isNaN(at) ? 0 : Math.max(0, Math.ceil((at - now) / 1000))
}

type Query = Record<string, string | number | boolean | null | undefined>

interface Hooks {
  csrf: () => string | null
  onUnauthenticated: (path: string) => void
}

let hooks: Hooks = { csrf: () => null, onUnauthenticated: () => {} }

/** Wired once at start-up by main.ts (the session store owns the token). */
export function configureHttp(h: Hooks): void {
  hooks = h
}

export function buildQuery(q?: Query): string {
  if (!q) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue
    p.set(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

const UNSAFE = new Set(['POST', 'PATCH', 'PUT', 'DELETE'])

export interface RequestOptions {
  query?: Query
  body?: unknown
  /** Do not redirect to the login page on 401 (the session probe and the login form). */
  quiet401?: boolean
  signal?: AbortSignal
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  // Busy until the answer is parsed: the caller's continuation runs in the same microtask
  // checkpoint, so the page is never seen "ready" between a response and its rendering.
  const release = busy()
  try {
    return await send<T>(method, path, opts)
  } finally {
    release()
  }
}

async function send<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  // API texts (error messages, notification titles) in the language on screen.
  if (typeof document !== 'undefined' && document.documentElement.lang)
    headers['Accept-Language'] = document.documentElement.lang
  const lang = headers['Accept-Language'] ?? 'en'
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  if (UNSAFE.has(method)) {
    const t = hooks.csrf()
    if (t) headers['X-CSRF-Token'] = t
  }
  let res: Response
  try {
    res = await fetch(`/api/v1${path}${buildQuery(opts.query)}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
      signal: opts.signal,
    })
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e
    throw new ApiError(0, 'network', (e as Error).message || 'network error', '', 0, '', {}, lang)
  }
  if (res.status === 204) return undefined as T
  let data: unknown = null
  const text = await res.text()
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (!res.ok) {
    const err = (data as ApiErrorBody | null)?.error
    const e = new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? res.statusText,
      err?.field ?? '',
      retryAfterSeconds(res.headers.get('Retry-After')),
      keyOf(err),
      paramsOf(err),
      lang,
    )
    if (res.status === 401 && !opts.quiet401) hooks.onUnauthenticated(path)
    throw e
  }
  return data as T
}

export const http = {
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) =>
    request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) =>
    request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown, opts: RequestOptions = {}) =>
    request<T>('PATCH', path, { ...opts, body }),
  put: <T>(path: string, body: unknown, opts: RequestOptions = {}) =>
    request<T>('PUT', path, { ...opts, body }),
  del: <T = void>(path: string, opts: RequestOptions = {}) => request<T>('DELETE', path, opts),
}

/** The session's CSRF token, for requests that do not go through request() (uploads). */
export function csrfToken(): string | null {
  return hooks.csrf()
}

/** Turns a failed response's status and body text into an ApiError (uploads use it too).
 *  lang: the Accept-Language the request was sent with ('en', the server's default, when none). */
export function errorFrom(status: number, statusText: string, text: string, lang = 'en'): ApiError {
  let data: ApiErrorBody | null = null
  try {
    data = text ? (JSON.parse(text) as ApiErrorBody) : null
  } catch {
    data = null
  }
  const err = data?.error
  return new ApiError(
    status,
    err?.code ?? `http_${status}`,
    err?.message ?? statusText,
    err?.field ?? '',
    0,
    keyOf(err),
    paramsOf(err),
    lang,
  )
}

function keyOf(err: unknown): string {
  const k = (err as { key?: unknown } | null | undefined)?.key
  return typeof k === 'string' ? k : ''
}

function paramsOf(err: unknown): Record<string, string> {
  const p = (err as { params?: unknown } | null | undefined)?.params
  if (!p || typeof p !== 'object') return {}
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(p as Record<string, unknown>)) if (typeof v === 'string') out[k] = v
  return out
}

/** Follows next_cursor until the list ends or `max` items were read. */
export async function fetchAll<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>,
  max = 100_000,
): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = []
  let cursor: string | undefined
  for (;;) {
    const p = await page(cursor)
    items.push(...p.items)
    if (!p.next_cursor) return { items, complete: true }
    if (items.length >= max) return { items, complete: false }
    cursor = p.next_cursor
  }
}
