// The churn model (issue 16 item 5): accounts by the chance that their volume falls sharply.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'churn',
    name: 'churn',
    component: () => import('./ChurnView.vue'),
    meta: { title: 'churn.title' },
  },
]
export default routes
