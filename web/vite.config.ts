import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'

// Element Plus's core (utils, hooks, locale, icons, the libraries it builds on) and the light
// components of the login page and the shell, with their CSS: the 'ui' chunk (vite.config.ts).
const UI_LIGHT =
  'config-provider|button|input|form|icon|alert|dropdown|popper|tooltip|scrollbar|message|message-box|' +
  'focus-trap|roving-focus-group|collection|slot|teleport|overlay|dialog|badge|tag|link|divider|loading|' +
  'space|text|empty|avatar|card|popover'
const UI_CORE = new RegExp(
  'node_modules/(' +
    '@element-plus/|@vueuse/|lodash-es/|@floating-ui/|@popperjs/|async-validator/|@ctrl/|' +
    'element-plus/es/(?!components/)|' +
    `element-plus/es/components/(${UI_LIGHT})/|` +
    `element-plus/theme-chalk/(base|el-(${UI_LIGHT}))\\.css` +
    ')',
)

// The API server used by `npm run dev` / `npm run preview` (see README.md).
const api = process.env.KAM_API ?? 'http://127.0.0.1:18090'

// The same policy `kam serve` sends with index.html; preview uses it so a production build can
// be checked for CSP violations before it is embedded.
const csp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

const proxy = {
  '/api': { target: api, changeOrigin: false },
  '/healthz': { target: api, changeOrigin: false },
}

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // Messages in src/locales/*.json are compiled at build time; the runtime-only vue-i18n
    // build is used, so nothing is compiled (or eval'd) in the browser.
    VueI18nPlugin({
      include: [fileURLToPath(new URL('./src/locales/**', import.meta.url))],
      runtimeOnly: true,
      // every message is precompiled: the runtime's message compiler is dead weight
      dropMessageCompiler: true,
      compositionOnly: true,
      fullInstall: false,
      strictMessage: false,
      escapeHtml: false,
    }),
    AutoImport({
      resolvers: [ElementPlusResolver()],
      dts: 'src/auto-imports.d.ts',
    }),
    Components({
      resolvers: [ElementPlusResolver()],
      dts: 'src/components.d.ts',
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // Long-lived vendor chunks: the app changes more often than its libraries. Element Plus
        // is not one chunk: its core and the light components nearly every screen shows go in
        // 'ui' (one request, not twenty); the rest (table, select, date picker, tabs...) go
        // with the screens that use them, Rollup putting what several share in common chunks.
        manualChunks(id: string) {
          // one chunk per language: its base file and its feature files (src/i18n/index.ts)
          const lang = /\/src\/locales\/(zh-CN|zh-TW|en)(\.json|\/)/.exec(id)
          if (lang) return `locale-${lang[1]}`
          // the line chart and mark lines are drawn by the (lazy) volume screens only
          if (/node_modules\/echarts\/lib\/(chart\/line\/|component\/(markLine|marker)\b|component\/marker\/)/.test(id)) return 'echarts-volume'
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender') || id.includes('/src/charts/echarts.ts')) return 'echarts'
          if (/node_modules\/(vue|@vue|pinia|vue-router|vue-i18n|@intlify)\//.test(id)) return 'vendor'
          if (UI_CORE.test(id)) return 'ui'
          return undefined
        },
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy, headers: { 'Content-Security-Policy': csp } },
})
