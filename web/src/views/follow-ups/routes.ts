// Department follow-ups (issue 14): the list per department; /follow-ups/:id opens one (the
// link of the notification its owner gets).
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'follow-ups',
    name: 'follow-ups',
    component: () => import('./FollowUpsView.vue'),
    meta: { title: 'followUps.title', can: 'readFollowUps', menu: '/follow-ups' },
  },
  {
    path: 'follow-ups/:id(\\d+)',
    name: 'follow-up',
    component: () => import('./FollowUpsView.vue'),
    meta: { title: 'followUps.title', can: 'readFollowUps', menu: '/follow-ups' },
  },
]
export default routes
