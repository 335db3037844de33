import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { sessionApi, ApiError } from '@/api'
import type { PermissionRow, Session, User } from '@/api/types'
import { can, type Capability } from '@/permissions'

/** The signed-in user and the CSRF token. The token lives only in memory; a reloaded page gets
 *  it back from GET /api/v1/session (the session cookie itself is HttpOnly). What the UI offers
 *  follows the caller's permission row from GET /api/v1/me (src/permissions.ts). */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null)
  const csrfToken = ref<string | null>(null)
  const expiresAt = ref<string | null>(null)
  const restored = ref(false)
  /** permissions and capabilities of GET /api/v1/me; null: not known, nothing is offered */
  const row = ref<PermissionRow | null>(null)

  const loggedIn = computed(() => user.value !== null)

  function set(s: Session | null) {
    user.value = s?.user ?? null
    csrfToken.value = s?.csrf_token ?? null
    expiresAt.value = s?.expires_at ?? null
    if (!s) row.value = null
  }

  /** Fetches the caller's permission row; without it the UI offers nothing (the safe side). */
  async function loadRow(): Promise<void> {
    try {
      const me = await sessionApi.me()
      row.value = { permissions: me.permissions, capabilities: me.capabilities }
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) console.warn('GET /me failed', e)
      row.value = null
    }
  }

  async function restore(): Promise<void> {
    if (restored.value) return
    try {
      set(await sessionApi.current())
      if (user.value) await loadRow()
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) console.warn('session check failed', e)
      set(null)
    } finally {
      restored.value = true
    }
  }

  async function login(login: string, password: string): Promise<void> {
    set(await sessionApi.login(login, password))
    await loadRow()
    restored.value = true
  }

  async function logout(): Promise<void> {
    try {
      await sessionApi.logout()
    } catch {
      /* the session may already be gone */
    }
    set(null)
  }

  /** Called when the API answers 401: the session has ended. */
  function expire() {
    set(null)
  }

  function allowed(cap: Capability): boolean {
    return can[cap](row.value)
  }

  return { user, csrfToken, expiresAt, restored, row, loggedIn, restore, login, logout, expire, allowed }
})
