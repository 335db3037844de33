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
const ECHARTS_VOLUME =
  /node_modules\/echarts\/lib\/(chart\/line\/|chart\/scatter\/|component\/(markLine|marker)\b|component\/marker\/)/
const isEcharts = (id: string) =>
  id.includes('node_modules/echarts') || id.includes('node_modules/zrender') || id.includes('/src/charts/echarts.ts')
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
      // index.html: the app; s.html: the public survey answer page (/s): Vue and the page only
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        s: fileURLToPath(new URL('./s.html', import.meta.url)),
      },
      output: {
        // Long-lived vendor chunks: the app changes more often than its libraries. Element Plus
        // is not one chunk: its core and the light components nearly every screen shows go in
        // 'ui' (one request, not twenty); the rest (table, select, date picker, tabs...) go
        // with the screens that use them, Rolldown putting what several share in common chunks.
        // Groups, not manualChunks: a group takes the modules its modules import, so Vue (imported
        // by Element Plus) would land in 'ui' and s.html would download Element Plus. Vue has its
        // own chunk, taken first (the highest priority): s.html loads Vue and its page only.
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](vue|@vue)[\\/]/, priority: 60 },
            { name: 'vendor', test: /node_modules[\\/](pinia|vue-router|vue-i18n|@intlify)[\\/]/, priority: 50 },
            // one chunk per language: its base file and its feature files (src/i18n/index.ts)
            {
              name: (id: string) => {
                const lang = /[\\/]src[\\/]locales[\\/](zh-CN|zh-TW|en)(\.json|[\\/])/.exec(id)
                return lang ? `locale-${lang[1]}` : null
              },
              priority: 45,
            },
            { name: 'echarts', test: (id: string) => isEcharts(id) && !ECHARTS_VOLUME.test(id), priority: 40 },
            // the line chart and mark lines (volume screens) and the scatter (satisfaction), all lazy
            { name: 'echarts-volume', test: ECHARTS_VOLUME, priority: 35 },
            { name: 'ui', test: UI_CORE, priority: 10 },
          ],
        },
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy, headers: { 'Content-Security-Policy': csp } },
})
