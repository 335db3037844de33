// Surveys (issue 14, F3.7): the list, the builder with its preview, sending, links and rates.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'surveys',
    name: 'surveys',
    component: () => import('./SurveysView.vue'),
    meta: { title: 'surveys.title', menu: '/surveys' },
  },
  {
    path: 'surveys/new',
    name: 'survey-new',
    component: () => import('./SurveyEditor.vue'),
    meta: { title: 'surveys.new', menu: '/surveys' },
  },
  {
    path: 'surveys/:id(\\d+)',
    name: 'survey',
    component: () => import('./SurveyEditor.vue'),
    meta: { title: 'surveys.survey', menu: '/surveys' },
  },
]
export default routes
