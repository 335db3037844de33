// The line chart of NPS beside retention and repeat-purchase rates (the satisfaction trends
// screen only: imported by that lazy view, bundled apart from the first screen).
import { LineChart } from 'echarts/charts'
import { echarts } from '@/charts/echarts'

echarts.use([LineChart])
