// The account manager's own page (issue 18 item 6): "my performance" — their scorecards, payout
// statements, training and competencies, each linking to the record's own screen.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'me/performance',
    name: 'my-performance',
    component: () => import('./MyPerformance.vue'),
    meta: { title: 'teamNav.mine', can: 'readOwnPerformance' },
  },
]
export default routes
