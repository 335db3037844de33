// The scatter chart and mark lines of the driver quadrant (importance x performance), for the
// satisfaction screens only: imported by those lazy views, bundled apart from the first screen.
import { ScatterChart } from 'echarts/charts'
import { MarkLineComponent } from 'echarts/components'
import { echarts } from './echarts'

echarts.use([ScatterChart, MarkLineComponent])
