// Receivables (issue 16 item 2): finance's list of accounts with their limit, exposure, ageing and
// DSO; invoices, payments and credit holds; the over-limit setting.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'receivables',
    name: 'receivables',
    component: () => import('./ReceivablesView.vue'),
    meta: { title: 'credit.title' },
  },
]
export default routes
