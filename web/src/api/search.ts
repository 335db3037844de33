// The global search and the duplicate check (查重): GET /search and /search/duplicates.
import { http, type RequestOptions } from './http'
import type { components } from './schema'

/** The kinds searched today; later chapters add theirs on the server (kind is an open string). */
export type SearchKind = 'account' | 'contact' | 'issue' | 'product'
export type SearchHit = components['schemas']['SearchHit']
export type SearchMatched = SearchHit['matched']
export type DuplicateCandidate = components['schemas']['DuplicateCandidate']

export interface SearchResult {
  items: SearchHit[]
}

export interface DuplicateQuery {
  kind: 'account' | 'contact'
  name?: string
  code?: string
  phone?: string
  email?: string
  account_id?: number
  exclude_id?: number
}

export interface DuplicateResult {
  items: DuplicateCandidate[]
  /** Candidates the caller may not open: counted, never named. */
  hidden: number
}

export const searchApi = {
  search: (q: string, kinds?: string, limit?: number, opts: RequestOptions = {}) =>
    http.get<SearchResult>('/search', { q, kinds, limit }, opts),
  duplicates: (q: DuplicateQuery, opts: RequestOptions = {}) =>
    http.get<DuplicateResult>('/search/duplicates', { ...q }, opts),
}

/** The screen that shows a hit: account page, a contact on its account page, issue, products. */
export function searchHitRoute(h: { kind: string; id: number; account_id: number | null; label: string }) {
  switch (h.kind) {
    case 'account':
      return { path: `/accounts/${h.id}` }
    case 'contact':
      return { path: `/accounts/${h.account_id}`, query: { tab: 'contacts', contact: String(h.id) } }
    case 'issue':
      return { path: `/issues/${h.id}` }
    case 'product':
      return { path: '/products', query: { q: h.label } }
    default:
      return { path: '/' }
  }
}
