import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'

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
        // Long-lived vendor chunks: the app changes more often than its libraries.
        manualChunks(id: string) {
          // the line chart and mark lines are drawn by the (lazy) volume screens only
          if (/node_modules\/echarts\/lib\/(chart\/line\/|component\/(markLine|marker)\b|component\/marker\/)/.test(id)) return 'echarts-volume'
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element-plus'
          if (id.includes('node_modules/')) return 'vendor'
          return undefined
        },
      },
    },
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy, headers: { 'Content-Security-Policy': csp } },
})
