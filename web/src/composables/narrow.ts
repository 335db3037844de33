// A phone-sized window: forms put their labels above the fields (one column) and dialogs take
// the screen's width.
import { onBeforeUnmount, ref, type Ref } from 'vue'

export const NARROW_QUERY = '(max-width: 640px)'
/** below this the side menu is a drawer opened from the header (tablets in portrait, phones) */
export const SHELL_QUERY = '(max-width: 767px)'
/** tablets: two columns instead of three or four */
export const TABLET_QUERY = '(max-width: 1024px)'

export function useNarrow(query = NARROW_QUERY): Ref<boolean> {
  const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : null
  const narrow = ref(!!mq?.matches)
  const on = (e: MediaQueryListEvent) => (narrow.value = e.matches)
  mq?.addEventListener('change', on)
  onBeforeUnmount(() => mq?.removeEventListener('change', on))
  return narrow
}
