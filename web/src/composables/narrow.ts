// A phone-sized window: forms put their labels above the fields (one column) and dialogs take
// the screen's width.
import { onBeforeUnmount, ref, type Ref } from 'vue'

export const NARROW_QUERY = '(max-width: 640px)'

export function useNarrow(query = NARROW_QUERY): Ref<boolean> {
  const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : null
  const narrow = ref(!!mq?.matches)
  const on = (e: MediaQueryListEvent) => (narrow.value = e.matches)
  mq?.addEventListener('change', on)
  onBeforeUnmount(() => mq?.removeEventListener('change', on))
  return narrow
}
