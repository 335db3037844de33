// Lessons learned (issue 17 item 5): the search and list, and one lesson's page.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'lessons',
    name: 'lessons',
    component: () => import('./LessonsView.vue'),
    meta: { title: 'disputeUi.lessons.title' },
  },
  {
    path: 'lessons/:id(\\d+)',
    name: 'lesson',
    component: () => import('./LessonDetail.vue'),
    meta: { title: 'disputeUi.lessons.title', menu: '/lessons' },
  },
]
export default routes
