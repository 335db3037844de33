// Routes. Every screen is lazy-loaded; `meta.can` names the capability (src/permissions.ts)
// a user needs, and a user without it sees the 403 screen instead.
import { createRouter, createWebHistory, isNavigationFailure, NavigationFailureType, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from '@/stores/session'
import type { Capability } from '@/permissions'
import { navigationEnded, navigationStarted } from '@/composables/ready'

declare module 'vue-router' {
  interface RouteMeta {
    /** translation key of the page title */
    title?: string
    /** capability the user needs (src/permissions.ts) */
    can?: Capability
    /** the login page and friends */
    public?: boolean
    /** menu item to highlight */
    menu?: string
  }
}

// Screens added by a feature folder: src/views/<feature>/routes.ts default-exports the children
// of the signed-in layout it adds (lazy components, meta as below).
const featureRoutes = Object.values(import.meta.glob<RouteRecordRaw[]>('../views/*/routes.ts', { eager: true, import: 'default' })).flat()

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/auth/LoginView.vue'),
    meta: { public: true, title: 'login.title' },
  },
  {
    // the public survey answer page (issue 14): /s#<token>, signed in nowhere
    path: '/s',
    name: 'survey-answer',
    component: () => import('@/views/survey-answer/PublicSurvey.vue'),
    meta: { public: true, title: 'surveyAnswer.pageTitle' },
  },
  {
    path: '/',
    // lazy too: the login page does not carry the signed-in shell (menu, search, bell)
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      {
        path: '',
        name: 'home',
        component: () => import('@/views/home/HomeView.vue'),
        meta: { title: 'nav.home', menu: '/' },
      },
      {
        path: 'accounts',
        name: 'accounts',
        component: () => import('@/views/accounts/AccountList.vue'),
        meta: { title: 'nav.accounts', can: 'readAccounts', menu: '/accounts' },
      },
      {
        path: 'accounts/new',
        name: 'account-new',
        component: () => import('@/views/accounts/AccountForm.vue'),
        meta: { title: 'account.new', can: 'createAccount', menu: '/accounts' },
      },
      {
        path: 'accounts/:id(\\d+)',
        name: 'account',
        component: () => import('@/views/accounts/AccountDetail.vue'),
        props: (r) => ({ id: Number(r.params.id) }),
        meta: { title: 'account.title', can: 'readAccounts', menu: '/accounts' },
      },
      {
        path: 'accounts/:id(\\d+)/edit',
        name: 'account-edit',
        component: () => import('@/views/accounts/AccountForm.vue'),
        props: (r) => ({ id: Number(r.params.id) }),
        meta: { title: 'account.edit', can: 'editAccount', menu: '/accounts' },
      },
      {
        path: 'visits',
        name: 'visits',
        component: () => import('@/views/visits/VisitsView.vue'),
        meta: { title: 'nav.visits', can: 'readRelationships', menu: '/visits' },
      },
      {
        path: 'issues',
        name: 'issues',
        component: () => import('@/views/issues/IssuesView.vue'),
        meta: { title: 'nav.issues', can: 'readRelationships', menu: '/issues' },
      },
      {
        path: 'issues/:id(\\d+)',
        name: 'issue',
        component: () => import('@/views/issues/IssueView.vue'),
        props: (r) => ({ id: Number(r.params.id) }),
        meta: { title: 'issue.one', can: 'readRelationships', menu: '/issues' },
      },
      {
        path: 'care',
        name: 'care',
        component: () => import('@/views/care/CareView.vue'),
        meta: { title: 'nav.care', can: 'readRelationships', menu: '/care' },
      },
      {
        path: 'volume',
        name: 'volume',
        component: () => import('@/views/volume/VolumeView.vue'),
        meta: { title: 'nav.volume', can: 'readSales', menu: '/volume' },
      },
      {
        path: 'targets',
        name: 'targets',
        component: () => import('@/views/targets/TargetsView.vue'),
        meta: { title: 'nav.targets', can: 'readTargets', menu: '/targets' },
      },
      {
        path: 'targets/:id(\\d+)',
        name: 'target',
        component: () => import('@/views/targets/TargetDetail.vue'),
        props: (r) => ({ id: Number(r.params.id) }),
        meta: { title: 'targets.one', can: 'readTargets', menu: '/targets' },
      },
      {
        path: 'kpis',
        name: 'kpis',
        component: () => import('@/views/targets/KpiView.vue'),
        meta: { title: 'nav.kpis', can: 'readTargets', menu: '/kpis' },
      },
      {
        path: 'measures',
        name: 'measures',
        component: () => import('@/views/measures/MeasuresView.vue'),
        meta: { title: 'nav.measures', can: 'readMeasures', menu: '/measures' },
      },
      {
        path: 'imports',
        name: 'imports',
        component: () => import('@/views/imports/ImportsView.vue'),
        meta: { title: 'nav.imports', can: 'imports', menu: '/imports' },
      },
      {
        path: 'products',
        name: 'products',
        component: () => import('@/views/products/ProductsView.vue'),
        meta: { title: 'nav.products', can: 'readProducts', menu: '/products' },
      },
      {
        path: 'settings',
        name: 'settings',
        component: () => import('@/views/settings/SettingsView.vue'),
        meta: { title: 'nav.settings', can: 'editConfig', menu: '/settings' },
      },
      {
        path: 'admin/users',
        name: 'users',
        component: () => import('@/views/admin/UsersView.vue'),
        meta: { title: 'nav.users', can: 'administer', menu: '/admin/users' },
      },
      {
        path: 'admin/teams',
        name: 'teams',
        component: () => import('@/views/admin/TeamsView.vue'),
        meta: { title: 'nav.teams', can: 'administer', menu: '/admin/teams' },
      },
      ...featureRoutes,
      {
        path: '403',
        name: 'forbidden',
        component: () => import('@/views/errors/ForbiddenView.vue'),
        meta: { title: 'errors.forbiddenTitle' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/errors/NotFoundView.vue'),
        meta: { title: 'errors.notFoundTitle' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

router.beforeEach(async (to) => {
  navigationStarted()
  const session = useSessionStore()
  await session.restore()
  if (to.meta.public) {
    if (to.name === 'login' && session.loggedIn) return { name: 'home' }
    return true
  }
  if (!session.loggedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (to.meta.can && !session.allowed(to.meta.can)) {
    // Say why instead of showing a screen whose buttons would all be refused.
    return { name: 'forbidden', query: { from: to.fullPath }, replace: true }
  }
  return true
})

// The page is not ready while a navigation runs (guards, the lazy screen's chunk). A navigation
// cancelled by a newer one leaves the signal to that one; errors end it too.
router.afterEach((_to, _from, failure) => {
  if (!isNavigationFailure(failure, NavigationFailureType.cancelled)) navigationEnded()
})
router.onError((err) => {
  navigationEnded()
  console.error(err) // what the router prints when nobody listens
})
