// ECharts, tree-shaken to what shardlens's charts use (compare, sweep, crossover, sharding,
// timeline: the last two draw with custom series). The Node SVG renderer, the CLI and both
// webviews import ECharts through this module, so they register the same chart types and components.

import * as echarts from 'echarts/core';
import { BarChart, CustomChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent } from 'echarts/components';
// LegacyGridContainLabel keeps `grid.containLabel` working in ECharts 6 without a warning.
import { LabelLayout, LegacyGridContainLabel } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, CustomChart, LineChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent, LabelLayout, LegacyGridContainLabel, SVGRenderer]);

export { echarts };
