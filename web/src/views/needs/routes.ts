// Needs capture (issue 14): the needs across the caller's accounts.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'needs',
    name: 'needs',
    component: () => import('./NeedsView.vue'),
    meta: { title: 'needs.title' },
  },
]
export default routes
