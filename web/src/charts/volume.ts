// The line chart (actual vs target vs forecast, with the forecast fan) and mark lines, for the
// volume screens only: imported by those lazy views, bundled apart from the first screen
// (vite.config.ts puts them in the echarts-volume chunk).
import { LineChart } from 'echarts/charts'
import { MarkLineComponent } from 'echarts/components'
import { echarts } from './echarts'

echarts.use([LineChart, MarkLineComponent])
