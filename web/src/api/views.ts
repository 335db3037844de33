// Saved list views (issue 12): GET/POST /views, PATCH/DELETE /views/{id}. The state is the
// screen's own JSON (filters, sort, columns), kept as text by the server.
import { http } from './http'
import type { components } from './schema'

export type SavedView = components['schemas']['SavedView']
export type ViewScreen = SavedView['screen']

export const VIEW_NAME_MAX = 60

export const viewsApi = {
  list: (screen: ViewScreen) => http.get<{ items: SavedView[]; next_cursor: string | null }>('/views', { screen }),
  create: (screen: ViewScreen, name: string, state: unknown) =>
    http.post<SavedView>('/views', { screen, name, state: JSON.stringify(state) }),
  update: (id: number, body: { name?: string; state?: unknown }) =>
    http.patch<SavedView>(`/views/${id}`, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.state !== undefined ? { state: JSON.stringify(body.state) } : {}),
    }),
  remove: (id: number) => http.del(`/views/${id}`),
}

/** The state of a view, or null when it is not a JSON object (a view saved by a newer UI). */
export function viewState<T extends object>(v: SavedView): Partial<T> | null {
  try {
    const s = JSON.parse(v.state)
    return s && typeof s === 'object' && !Array.isArray(s) ? (s as Partial<T>) : null
  } catch {
    return null
  }
}
