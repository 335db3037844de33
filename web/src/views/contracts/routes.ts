// Contracts (issue 17): the list and one contract's page.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'contracts',
    name: 'contracts',
    component: () => import('./ContractsView.vue'),
    meta: { title: 'contractUi.contracts.title' },
  },
  {
    path: 'contracts/:id(\\d+)',
    name: 'contract',
    component: () => import('./ContractDetail.vue'),
    meta: { title: 'contractUi.contracts.title', menu: '/contracts' },
  },
]
export default routes
