// One clock for every countdown on screen (SLA deadlines, "overdue"): ticks every 30 s while
// something uses it.
import { onBeforeUnmount, onMounted, ref } from 'vue'

const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | undefined

export function useNow() {
  onMounted(() => {
    now.value = Date.now()
    if (users++ === 0) timer = setInterval(() => (now.value = Date.now()), 30_000)
  })
  onBeforeUnmount(() => {
    if (--users === 0 && timer) {
      clearInterval(timer)
      timer = undefined
    }
  })
  return now
}
