import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/theme-chalk/base.css'
import 'element-plus/theme-chalk/el-message.css'
import 'element-plus/theme-chalk/el-message-box.css'
import './styles/main.css'
import App from './App.vue'
import { router } from './router'
import { i18n, loadInitialLocale } from './i18n'
import { configureHttp, ApiError } from './api/http'
import { useSessionStore } from './stores/session'
import { useDirectoryStore } from './stores/directory'
import { errorText } from './composables/errors'
import { ElMessage } from 'element-plus'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)

const session = useSessionStore(pinia)
configureHttp({
  csrf: () => session.csrfToken,
  onUnauthenticated: () => {
    // The session ended (expired, logged out elsewhere): back to the login page.
    const wasLoggedIn = session.loggedIn
    session.expire()
    useDirectoryStore(pinia).reset()
    const cur = router.currentRoute.value
    if (cur.name !== 'login') {
      if (wasLoggedIn) ElMessage.warning(i18n.global.t('errors.code.unauthenticated'))
      router.replace({ name: 'login', query: { redirect: cur.fullPath } })
    }
  },
})

// Anything a screen did not handle is still shown, never a blank page.
app.config.errorHandler = (err) => {
  console.warn(err)
  if (err instanceof ApiError && err.status === 401) return
  ElMessage.error(errorText(err))
}
window.addEventListener('unhandledrejection', (ev) => {
  if (ev.reason instanceof ApiError) {
    ev.preventDefault()
    if (ev.reason.status !== 401) ElMessage.error(errorText(ev.reason))
  }
})

// The first navigation (and its screen's chunk) starts now, alongside the messages of the
// language on screen; the app mounts once those are in (only that language is fetched). A flaky
// network is retried, then another language is tried; with none, a plain notice is shown
// instead of an app full of raw message keys.
app.use(router)
loadInitialLocale()
  .catch((e) => {
    console.warn(e)
    return null
  })
  .then((l) => {
    if (l) app.mount('#app')
    else bootFailed()
  })

function bootFailed() {
  const root = document.getElementById('app')
  if (!root) return
  const box = document.createElement('div')
  box.setAttribute('role', 'alert')
  box.dataset.test = 'boot-error'
  box.style.cssText = 'max-width:480px;margin:15vh auto;padding:16px;font:15px/1.6 system-ui,sans-serif;color:#1f2d3d;text-align:center'
  for (const line of ['界面文字未能加载，请检查网络后刷新页面。', '介面文字未能載入，請檢查網路後重新整理頁面。', 'The page could not be loaded. Check the network and reload.']) {
    const p = document.createElement('p')
    p.textContent = line
    p.style.margin = '0 0 6px'
    box.appendChild(p)
  }
  const btn = document.createElement('button')
  btn.type = 'button'
  btn.textContent = '刷新 / Reload'
  btn.style.cssText = 'margin-top:10px;padding:8px 20px;font:inherit;cursor:pointer'
  btn.onclick = () => location.reload()
  box.appendChild(btn)
  root.replaceChildren(box)
}
