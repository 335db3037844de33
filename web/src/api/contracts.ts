// Contracts, their obligations, compliance and versions, contract breaches and the documents
// attached to a contract, breach, dispute or lesson (issue 17; docs/API.md "Contracts",
// "Contract breaches", "Documents"). The record types are aliases of the OpenAPI document's.
import type { components } from './schema'
import { ApiError, buildQuery, csrfToken, errorFrom, http } from './http'
import { allOf, type BodyOf, type Page } from './types'
import { busy } from '@/composables/ready'

type S = components['schemas']

export type Contract = S['Contract']
export type Obligation = S['Obligation']
export type ObligationDone = S['ObligationDone']
export type ObligationStatus = S['ObligationStatus']
export type ContractVersion = S['ContractVersion']
export type Breach = S['Breach']
export type BreachScan = S['BreachScan']
export type Document = S['Document']

export type ContractKind = Contract['kind']
export const CONTRACT_KINDS = allOf<ContractKind>({ framework: true, supply: true, service: true, distribution: true })
export type ContractStatus = Contract['status']
export const CONTRACT_STATUSES = allOf<ContractStatus>({ draft: true, active: true, expiring: true, expired: true, terminated: true, renewed: true })
export type ObligationKind = Obligation['kind']
export const OBLIGATION_KINDS = allOf<ObligationKind>({
  volume: true,
  price: true,
  payment: true,
  service_level: true,
  delivery: true,
  support: true,
  training: true,
  forecast: true,
  other: true,
})
/** The kinds that have a due date and may recur. */
export const DATED_KINDS: ObligationKind[] = ['delivery', 'support', 'training', 'forecast', 'other']
export type Side = Obligation['side']
export const SIDES = allOf<Side>({ ours: true, theirs: true })
export type Measure = NonNullable<Obligation['measure']>
export const MEASURES = allOf<Measure>({ quantity: true, amount: true })
export type Period = NonNullable<Obligation['period']>
export const PERIODS = allOf<Period>({ month: true, quarter: true, year: true })
export type Recurrence = Obligation['recurrence']
export const RECURRENCES = allOf<Recurrence>({ none: true, month: true, quarter: true, year: true })
export type BreachStatus = Breach['status']
export const BREACH_STATUSES = allOf<BreachStatus>({ detected: true, confirmed: true, waived: true, action: true, cured: true })
export type Severity = Breach['severity']
export const SEVERITIES = allOf<Severity>({ low: true, medium: true, high: true, critical: true })
export type ComplianceState = ObligationStatus['state']
export type DocumentOwnerKind = Document['owner_kind']

export type ContractInput = BodyOf<'/api/v1/contracts', 'post'>
export type ContractPatch = BodyOf<'/api/v1/contracts/{id}', 'patch'>
export type ObligationInput = BodyOf<'/api/v1/contracts/{id}/obligations', 'post'>
export type ContractAmend = BodyOf<'/api/v1/contracts/{id}/amend', 'post'>
export type ObligationDoneInput = BodyOf<'/api/v1/contracts/{id}/obligations/{oid}/done', 'post'>

export interface ContractQuery {
  account_id?: number
  subsidiaries?: 0 | 1
  status?: ContractStatus
  kind?: ContractKind
  owner_id?: number | 'me'
  expiring_within?: number
  q?: string
  sort?: string
  limit?: number
  cursor?: string
}

export interface BreachQuery {
  account_id?: number
  contract_id?: number
  status?: BreachStatus | 'open'
  side?: Side
  kind?: string
  severity?: Severity
  mine?: 0 | 1
  sort?: string
  limit?: number
  cursor?: string
}

type Q = Record<string, string | number | undefined>

export const contractsApi = {
  list: (q: ContractQuery = {}) => http.get<Page<Contract>>('/contracts', q as Q),
  get: (id: number) => http.get<Contract>(`/contracts/${id}`),
  create: (b: ContractInput) => http.post<Contract>('/contracts', b),
  update: (id: number, b: ContractPatch) => http.patch<Contract>(`/contracts/${id}`, b),
  remove: (id: number) => http.del<void>(`/contracts/${id}`),
  activate: (id: number, version?: number) => http.post<Contract>(`/contracts/${id}/activate`, { version }),
  terminate: (id: number, reason: string, on?: string) => http.post<Contract>(`/contracts/${id}/terminate`, { reason, on: on || undefined }),
  renew: (id: number, number: string) => http.post<Contract>(`/contracts/${id}/renew`, { number }),
  amend: (id: number, b: ContractAmend) => http.post<Contract>(`/contracts/${id}/amend`, b),
  done: (id: number, oid: number, b: ObligationDoneInput) => http.post<unknown>(`/contracts/${id}/obligations/${oid}/done`, b),
  compliance: (id: number) => http.get<{ items: ObligationStatus[] }>(`/contracts/${id}/compliance`),
  versions: (id: number) => http.get<{ items: ContractVersion[] }>(`/contracts/${id}/versions`),
  scan: (id: number) => http.post<BreachScan>(`/contracts/${id}/scan`),
  exportUrl: (q: ContractQuery = {}) => `/api/v1/contracts/export${buildQuery(q as Q)}`,
}

export const breachesApi = {
  list: (q: BreachQuery = {}) => http.get<Page<Breach>>('/breaches', q as Q),
  get: (id: number) => http.get<Breach>(`/breaches/${id}`),
  confirm: (id: number, version?: number) => http.post<Breach>(`/breaches/${id}/confirm`, { version }),
  waive: (id: number, reason: string, version?: number) => http.post<Breach>(`/breaches/${id}/waive`, { reason, version }),
  action: (id: number, action: string, version?: number) => http.post<Breach>(`/breaches/${id}/action`, { action, version }),
  cure: (id: number, note: string, version?: number) => http.post<Breach>(`/breaches/${id}/cure`, { note: note || undefined, version }),
  scanAll: () => http.post<BreachScan>('/breaches/scan'),
}

const ownerPath = (kind: DocumentOwnerKind, id: number) =>
  `/${kind === 'breach' ? 'breaches' : `${kind}s`}/${id}/documents`

export const documentsApi = {
  list: (kind: DocumentOwnerKind, id: number, q: { limit?: number; cursor?: string } = {}) =>
    http.get<Page<Document>>(ownerPath(kind, id), q as Q),
  /** The download link (the server answers with Content-Disposition: attachment). */
  url: (docId: number) => `/api/v1/documents/${docId}`,
  remove: (docId: number) => http.del<void>(`/documents/${docId}`),
  /** Uploads the raw bytes (application/octet-stream) with XMLHttpRequest for the progress. */
  upload(
    kind: DocumentOwnerKind,
    id: number,
    file: Blob,
    name: string,
    onProgress: (loaded: number, total: number) => void = () => {},
    note = '',
  ): { promise: Promise<Document>; abort: () => void } {
    const xhr = new XMLHttpRequest()
    const lang = (typeof document !== 'undefined' && document.documentElement.lang) || 'en'
    const release = busy()
    const promise = new Promise<Document>((resolve, reject) => {
      xhr.open('POST', `/api/v1${ownerPath(kind, id)}${buildQuery({ name, note: note || undefined })}`)
      xhr.setRequestHeader('Content-Type', 'application/octet-stream')
      xhr.setRequestHeader('Accept', 'application/json')
      xhr.setRequestHeader('Accept-Language', lang)
      const tok = csrfToken()
      if (tok) xhr.setRequestHeader('X-CSRF-Token', tok)
      xhr.withCredentials = true
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size)
      xhr.onload = () => {
        if (xhr.status === 201 || xhr.status === 200) {
          try {
            return resolve(JSON.parse(xhr.responseText) as Document)
          } catch {
            /* fall through */
          }
        }
        reject(errorFrom(xhr.status, xhr.statusText, xhr.responseText, lang))
      }
      xhr.onerror = () => reject(new ApiError(0, 'network', 'network error', ''))
      xhr.onabort = () => reject(new ApiError(0, 'aborted', 'aborted', ''))
      xhr.send(file)
    }).finally(release)
    return { promise, abort: () => xhr.abort() }
  },
}
