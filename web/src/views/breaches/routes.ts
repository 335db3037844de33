// Contract breaches (issue 17): the inbox and one breach's page.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'breaches',
    name: 'breaches',
    component: () => import('./BreachesView.vue'),
    meta: { title: 'contractUi.breaches.title' },
  },
  {
    path: 'breaches/:id(\\d+)',
    name: 'breach',
    component: () => import('./BreachDetail.vue'),
    meta: { title: 'contractUi.breaches.title', menu: '/breaches' },
  },
]
export default routes
