// Imports as Chinese companies have their data (issue 13): previews of how a file reads
// (format, encoding detected or chosen, sheets, header, first rows), uploads with an encoding
// or a sheet, templates per kind, the caller's saved column mappings.
import { http, csrfToken, errorFrom, ApiError, buildQuery } from './http'
import type { components } from './schema'
import type { ImportKind, ImportReport } from './volume'
import { whileLoading } from '@/composables/ready'

// The answers are aliases of the OpenAPI document's schemas (see types.ts).
type S = components['schemas']
export type ImportPreview = S['ImportPreview']
export type ImportMapping = S['ImportMapping']

export interface ImportReadOptions {
  /** '' = detect */
  encoding?: string
  /** '' = the first sheet */
  sheet?: string
  filename?: string
  /** field=Header,... */
  mapping?: string
}

export interface ImportUploadOptions extends ImportReadOptions {
  dry_run?: boolean
  skip_bad_rows?: boolean
}

/** The encodings a user may choose (the server's names). */
export const IMPORT_ENCODINGS = ['utf-8', 'gbk', 'gb18030', 'big5', 'utf-16le', 'utf-16be', 'windows-1252'] as const

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

function contentType(file: Blob & { name?: string }): string {
  return /\.xlsx$/i.test(file.name ?? '') ? XLSX_TYPE : 'text/csv'
}

/** field -> header as the API's mapping parameter ("" when none). */
export function mappingText(m: Record<string, string>): string {
  return Object.entries(m)
    .filter(([k, v]) => v && v.trim() && v.trim() !== k)
    .map(([k, v]) => `${k}=${v.trim()}`)
    .join(',')
}

/** The API's mapping parameter as field -> header. */
export function mappingOf(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of text.split(',')) {
    const i = part.indexOf('=')
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1)
  }
  return out
}

export const importFmtApi = {
  async preview(kind: ImportKind, file: Blob & { name?: string }, o: ImportReadOptions = {}): Promise<ImportPreview> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': contentType(file) }
    if (typeof document !== 'undefined' && document.documentElement.lang) headers['Accept-Language'] = document.documentElement.lang
    const tok = csrfToken()
    if (tok) headers['X-CSRF-Token'] = tok
    const qs = buildQuery({ kind, encoding: o.encoding || undefined, sheet: o.sheet || undefined, filename: o.filename, mapping: o.mapping || undefined })
    const res = await whileLoading(
      fetch(`/api/v1/imports/preview${qs}`, { method: 'POST', headers, body: file, credentials: 'same-origin' }).catch((e: Error) => {
        throw new ApiError(0, 'network', e.message || 'network error', '')
      }),
    )
    const text = await res.text()
    if (!res.ok) throw errorFrom(res.status, res.statusText, text, headers['Accept-Language'] ?? 'en')
    return JSON.parse(text) as ImportPreview
  },
  /**
   * Uploads a file with XMLHttpRequest so the upload progress can be shown (fetch has no
   * upload progress), with the encoding and the sheet. Resolves with the report for 200 (dry
   * run), 201 (loaded) and 422 (rejected: the report says why); anything else rejects with an
   * ApiError.
   */
  upload(
    kind: ImportKind,
    file: Blob & { name?: string },
    o: ImportUploadOptions,
    onProgress: (loaded: number, total: number) => void,
  ): { promise: Promise<{ status: number; report: ImportReport }>; abort: () => void } {
    const xhr = new XMLHttpRequest()
    const qs = buildQuery({
      dry_run: o.dry_run ? 1 : 0,
      skip_bad_rows: o.skip_bad_rows ? 1 : 0,
      mapping: o.mapping || undefined,
      filename: o.filename,
      encoding: o.encoding || undefined,
      sheet: o.sheet || undefined,
    })
    const promise = new Promise<{ status: number; report: ImportReport }>((resolve, reject) => {
      xhr.open('POST', `/api/v1/imports/${kind}${qs}`)
      xhr.setRequestHeader('Content-Type', contentType(file))
      xhr.setRequestHeader('Accept', 'application/json')
      if (typeof document !== 'undefined' && document.documentElement.lang) xhr.setRequestHeader('Accept-Language', document.documentElement.lang)
      const tok = csrfToken()
      if (tok) xhr.setRequestHeader('X-CSRF-Token', tok)
      xhr.withCredentials = true
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size)
      xhr.onload = () => {
        const text = xhr.responseText
        if (xhr.status === 200 || xhr.status === 201 || xhr.status === 422) {
          try {
            const report = JSON.parse(text) as ImportReport
            if (report && typeof report.rows_total === 'number') return resolve({ status: xhr.status, report })
          } catch {
            /* not a report: fall through */
          }
        }
        reject(errorFrom(xhr.status, xhr.statusText, text, document.documentElement.lang || 'en'))
      }
      xhr.onerror = () => reject(new ApiError(0, 'network', 'network error', ''))
      xhr.onabort = () => reject(new ApiError(0, 'aborted', 'aborted', ''))
      xhr.send(file)
    })
    return { promise: whileLoading(promise), abort: () => xhr.abort() }
  },
  templateUrl: (kind: ImportKind, format: 'csv' | 'xlsx') => `/api/v1/imports/template${buildQuery({ kind, format })}`,
  mapping: (kind: ImportKind) => http.get<ImportMapping>('/imports/mappings', { kind }),
  saveMapping: (kind: ImportKind, mapping: string) => http.put<ImportMapping>('/imports/mappings', { kind, mapping }),
}
