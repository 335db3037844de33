// The discount approval inbox (issue 15 item 2).
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'approvals',
    name: 'approvals',
    component: () => import('./ApprovalsView.vue'),
    meta: { title: 'approvals.title' },
  },
]
export default routes
