// ECharts, trimmed to what the app draws. Add a chart type or component here when a screen
// needs it (see README.md); everything else stays out of the bundle. Charts only the volume
// screens draw are registered by charts/volume.ts, which those (lazy) screens import, so the
// first screen does not carry them.
import * as echarts from 'echarts/core'
import { BarChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export { echarts }
export type { EChartsCoreOption } from 'echarts/core'
