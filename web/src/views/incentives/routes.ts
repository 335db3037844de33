// Incentives (issue 18 item 4, F6.4): payout statements (the list, compute, the payroll
// workbook), one statement explained line by line, and the commission plans with the simulator,
// bonus pools and recognition.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'payouts',
    name: 'payouts',
    component: () => import('./PayoutsView.vue'),
    meta: { title: 'teamPay.payouts.title', can: 'readPayouts' },
  },
  {
    path: 'payouts/:id(\\d+)',
    name: 'payout',
    component: () => import('./PayoutDetail.vue'),
    meta: { title: 'teamPay.payouts.title', can: 'readPayouts', menu: '/payouts' },
  },
  {
    path: 'commission-plans',
    name: 'commission-plans',
    component: () => import('./PlansView.vue'),
    meta: { title: 'teamPay.plans.title', can: 'readCommission' },
  },
]
export default routes
