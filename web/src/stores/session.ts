import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { sessionApi, ApiError } from '@/api'
import type { User } from '@/api/types'
import { can, type Capability } from '@/permissions'

/** The signed-in user and the CSRF token. The token lives only in memory; a reloaded page gets
 *  it back from GET /api/v1/session (the session cookie itself is HttpOnly). */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null)
  const csrfToken = ref<string | null>(null)
  const expiresAt = ref<string | null>(null)
  const restored = ref(false)

  const loggedIn = computed(() => user.value !== null)

  function set(s: { user: User; csrf_token: string; expires_at: string } | null) {
    user.value = s?.user ?? null
    csrfToken.value = s?.csrf_token ?? null
    expiresAt.value = s?.expires_at ?? null
  }

  async function restore(): Promise<void> {
    if (restored.value) return
    try {
      set(await sessionApi.current())
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) console.warn('session check failed', e)
      set(null)
    } finally {
      restored.value = true
    }
  }

  async function login(login: string, password: string): Promise<void> {
    set(await sessionApi.login(login, password))
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
    return can[cap](user.value)
  }

  return { user, csrfToken, expiresAt, restored, loggedIn, restore, login, logout, expire, allowed }
})
