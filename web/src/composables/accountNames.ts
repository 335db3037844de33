// Names of accounts by id, for lists whose items carry only account_id (issues). Fetched once
// per id and session; an account the user may not read shows as "#id".
import { reactive } from 'vue'
import { accountsApi } from '@/api'

const names = reactive(new Map<number, string>())
const pending = new Map<number, Promise<void>>()

export function useAccountNames() {
  async function ensure(ids: number[]): Promise<void> {
    const todo = [...new Set(ids)].filter((id) => !names.has(id) && !pending.has(id))
    const running = [...new Set(ids)].map((id) => pending.get(id)).filter(Boolean)
    // a few at a time: a page of issues names at most 50 accounts
    for (let i = 0; i < todo.length; i += 8) {
      await Promise.all(
        todo.slice(i, i + 8).map((id) => {
          const p = accountsApi
            .get(id)
            .then((a) => void names.set(id, a.name))
            .catch(() => void names.set(id, `#${id}`))
            .finally(() => pending.delete(id))
          pending.set(id, p)
          return p
        }),
      )
    }
    await Promise.all(running)
  }
  const name = (id: number) => names.get(id) ?? ''
  const remember = (id: number, n: string) => names.set(id, n)
  return { ensure, name, remember }
}
