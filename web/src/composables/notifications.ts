// One notifications list for the bell (components/NotificationBell.vue) and the notifications
// page (views/notifications/NotificationsView.vue): loading a page of them, the unread count,
// marking one or all read, following a notification's link, and the words of a row in the UI
// language (components/NotificationList.vue draws the rows for both).
import { ref } from 'vue'
import { useRouter } from 'vue-router'
import { notificationsApi, ApiError } from '@/api'
import type { AppNotification } from '@/api/types'
import { i18n } from '@/i18n'
import { errorText } from './errors'
import { notificationKindLabel, notificationTitle } from './labels'

/** The kinds the page filters by (the server's notification kinds). */
export const NOTIFICATION_KINDS = ['issue_assigned', 'issue_escalated', 'visit_overdue', 'kpi_off_track', 'care_due', 'follow_up'] as const

const te = (k: string) => i18n.global.te(k)

/** Worded by the UI from key + params (newer rows); older rows hold a stored title. */
function keyed(n: AppNotification): boolean {
  return !!n.key && te(`msgs.notify.${n.key.replace(/^notify\./, '')}`)
}

/** The notification's line in the UI language. An older row's stored "中文 English: subject"
 *  title gives the words after ": " (its kind is shown beside it in words). */
export function notificationSubject(n: AppNotification): string {
  if (keyed(n)) return notificationTitle(n)
  const i = n.title.indexOf(': ')
  return i >= 0 ? n.title.slice(i + 2) : n.title
}

/** The kind in words beside the line. `compact` (the bell): only where the line does not say it
 *  already (older rows) and only a known kind. */
export function notificationChip(n: AppNotification, compact = false): string {
  if (!compact) return notificationKindLabel(n.kind)
  if (keyed(n)) return ''
  return te(`msgs.kinds.${n.kind}`) || te(`notify.kinds.${n.kind}`) ? notificationKindLabel(n.kind) : ''
}

/** A link inside this application (never another site's). */
export function internalLink(link: string | null | undefined): string | null {
  return link && link.startsWith('/') && !link.startsWith('//') ? link : null
}

export interface NotificationsOptions {
  /** the list holds unread ones only: a row marked read leaves it */
  unreadOnly?: () => boolean
  /** keep the unread count (the bell): read again from the server after one is marked read */
  counted?: boolean
  /** before following a notification's link (the bell closes its popover) */
  onFollow?: () => void
}

export function useNotifications(opts: NotificationsOptions = {}) {
  const router = useRouter()
  const items = ref<AppNotification[]>([])
  const next = ref<string | null>(null)
  const loading = ref(false)
  const error = ref('')
  /** unread on the server (count()) */
  const unread = ref(0)
  let generation = 0

  /** The first page for the filters, or (append) the next one by cursor. A later call wins
   *  over an earlier one still on its way. */
  async function load(q: { limit: number; unread?: boolean; kind?: string }, append = false) {
    const gen = ++generation
    loading.value = true
    if (!append) error.value = ''
    try {
      const page = await notificationsApi.list({
        limit: q.limit,
        unread: q.unread ? 1 : undefined,
        kind: q.kind || undefined,
        cursor: append && next.value ? next.value : undefined,
      })
      if (gen !== generation) return
      items.value = append ? [...items.value, ...page.items] : page.items
      next.value = page.next_cursor ?? null
    } catch (e) {
      if (gen === generation) error.value = errorText(e)
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  async function count() {
    try {
      unread.value = (await notificationsApi.count()).unread
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) console.warn('notifications', e)
    }
  }

  async function markRead(n: AppNotification): Promise<void> {
    if (n.read_at) return
    try {
      await notificationsApi.read(n.id)
      n.read_at = new Date().toISOString()
      unread.value = Math.max(0, unread.value - 1)
      if (opts.unreadOnly?.()) items.value = items.value.filter((x) => x.id !== n.id)
      if (opts.counted) count()
    } catch (e) {
      error.value = errorText(e)
    }
  }

  async function readAll(): Promise<void> {
    try {
      await notificationsApi.readAll()
      const now = new Date().toISOString()
      for (const n of items.value) n.read_at ??= now
      if (opts.unreadOnly?.()) items.value = []
      unread.value = 0
    } catch (e) {
      error.value = errorText(e)
    }
  }

  async function follow(n: AppNotification) {
    await markRead(n)
    opts.onFollow?.()
    const to = internalLink(n.link)
    if (to) router.push(to)
  }

  return { items, next, loading, error, unread, load, count, markRead, readAll, follow }
}
