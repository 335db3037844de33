// The risk register (issue 16 item 1): the register with its heat map, and one risk's page.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'risks',
    name: 'risks',
    component: () => import('./RisksView.vue'),
    meta: { title: 'risks.title' },
  },
  {
    path: 'risks/:id(\\d+)',
    name: 'risk',
    component: () => import('./RiskDetail.vue'),
    meta: { title: 'risks.title' },
  },
]
export default routes
