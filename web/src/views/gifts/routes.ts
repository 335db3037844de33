// Compliance (issue 16 item 1): gifts and hospitality.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'gifts',
    name: 'gifts',
    component: () => import('./GiftsView.vue'),
    meta: { title: 'gifts.title' },
  },
]
export default routes
