import { defineStore } from 'pinia'
import { ref } from 'vue'
import { teamsApi, usersApi } from '@/api'
import type { Team, User } from '@/api/types'

/** Users and teams, loaded once per session and shared by every screen that shows a name for an
 *  id (owners, managers, team members). `refresh()` after an edit. */
export const useDirectoryStore = defineStore('directory', () => {
  const users = ref<User[]>([])
  const teams = ref<Team[]>([])
  const loaded = ref(false)
  let pending: Promise<void> | null = null

  async function load(force = false): Promise<void> {
    if (loaded.value && !force) return
    if (pending && !force) return pending
    pending = (async () => {
      const [u, t] = await Promise.all([usersApi.all(), teamsApi.list()])
      users.value = u
      teams.value = t.items
      loaded.value = true
    })()
    try {
      await pending
    } finally {
      pending = null
    }
  }

  function user(id: number | null | undefined): User | undefined {
    return id == null ? undefined : users.value.find((u) => u.id === id)
  }
  function userName(id: number | null | undefined): string {
    const u = user(id)
    return u ? u.name || u.login : id == null ? '' : `#${id}`
  }
  function team(id: number | null | undefined): Team | undefined {
    return id == null ? undefined : teams.value.find((t) => t.id === id)
  }
  function reset() {
    users.value = []
    teams.value = []
    loaded.value = false
  }

  return { users, teams, loaded, load, user, userName, team, reset }
})
