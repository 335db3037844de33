// Disputes (issue 17 item 4): the board by stage with a list view, and one dispute's page.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'disputes',
    name: 'disputes',
    component: () => import('./DisputesView.vue'),
    meta: { title: 'disputeUi.title' },
  },
  {
    path: 'disputes/:id(\\d+)',
    name: 'dispute',
    component: () => import('./DisputeDetail.vue'),
    meta: { title: 'disputeUi.title', menu: '/disputes' },
  },
]
export default routes
