// Issue 12, lists that scale: the account list's count and the bulk owner transfer.
import { http } from './http'
import type { AccountQuery } from './types'

export const ACCOUNT_TRANSFER_MAX = 50

export const listsApi = {
  /** The number of accounts the list returns over all pages for these filters. */
  accountCount: (q: Omit<AccountQuery, 'cursor' | 'limit' | 'sort'>) =>
    http.get<{ total: number }>('/accounts/count', { ...q }),
  /** Gives the accounts to owner_id, all or nothing (the error names the account that failed). */
  transferAccounts: (ids: number[], owner_id: number, versions?: number[]) =>
    http.post<{ transferred: number; changed: number; owner_id: number }>('/accounts/transfer', {
      ids,
      owner_id,
      ...(versions ? { versions } : {}),
    }),
}
