// The early-warning alerts (issue 16 item 4): the inbox and one alert's page.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'alerts',
    name: 'alerts',
    component: () => import('./AlertsView.vue'),
    meta: { title: 'health.alerts.title' },
  },
  {
    path: 'alerts/:id(\\d+)',
    name: 'alert',
    component: () => import('./AlertDetail.vue'),
    meta: { title: 'health.alerts.title' },
  },
]
export default routes
