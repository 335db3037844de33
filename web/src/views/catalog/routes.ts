// The catalogue (issue 15 item 4): bundles and service items.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'catalog',
    name: 'catalog',
    component: () => import('./CatalogView.vue'),
    meta: { title: 'catalog.title' },
  },
]
export default routes
