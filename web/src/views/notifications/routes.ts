// The notifications page behind the bell (issue 12 item 6): everyone has one.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'notifications',
    name: 'notifications',
    component: () => import('./NotificationsView.vue'),
    meta: { title: 'msgs.page.title' },
  },
]
export default routes
