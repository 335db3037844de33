// Competitors (issue 16 item 3): the company-wide list and one competitor with the accounts where
// it is present and its moves. The account's own tab is AccountCompetitorsTab.vue.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'competitors',
    name: 'competitors',
    component: () => import('./CompetitorsView.vue'),
    meta: { title: 'competitors.title' },
  },
  {
    path: 'competitors/:id(\\d+)',
    name: 'competitor',
    component: () => import('./CompetitorDetail.vue'),
    meta: { title: 'competitors.title' },
  },
]
export default routes
