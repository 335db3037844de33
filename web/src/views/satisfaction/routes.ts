// Satisfaction (issue 14 items 3-4): trends across the caller's accounts and each survey's
// results with its key drivers.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'satisfaction',
    name: 'satisfaction',
    component: () => import('./SatisfactionView.vue'),
    meta: { title: 'sat.title', can: 'readSatisfaction', menu: '/satisfaction' },
  },
  {
    path: 'satisfaction/surveys/:id?',
    name: 'satisfaction-survey',
    component: () => import('./SurveyResultsView.vue'),
    meta: { title: 'sat.surveys', can: 'readSatisfaction', menu: '/satisfaction' },
  },
]
export default routes
