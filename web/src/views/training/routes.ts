// Training and its measured effect (issue 18 F6.2): the catalogue, sessions and training needs
// in tabs; one course with its sessions and the effect report; one session with its enrolments.
import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: 'training',
    name: 'training',
    component: () => import('./TrainingView.vue'),
    meta: { title: 'teamTraining.title', can: 'readCourses' },
  },
  {
    path: 'training/courses/:id(\\d+)',
    name: 'training-course',
    component: () => import('./CourseDetail.vue'),
    meta: { title: 'teamTraining.title', can: 'readCourses', menu: '/training' },
  },
  {
    path: 'training/sessions/:id(\\d+)',
    name: 'training-session',
    component: () => import('./SessionDetail.vue'),
    meta: { title: 'teamTraining.title', can: 'readCourses', menu: '/training' },
  },
]
export default routes
