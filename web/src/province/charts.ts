/**
 * The dashboard's charts, drawn with Chart.js. Only the pieces used here are registered so
 * that the bundle stays small; callers destroy each chart they draw.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);

const COLORS = {
  meets: '#0b5cad',
  below: '#d97706',
  standard: '#b42318',
  frequency: '#0b5cad',
};

type MixedType = 'bar' | 'line';
/** What a caller keeps of a drawn chart: it must destroy it before drawing on the canvas again. */
export type DrawnChart = Pick<Chart, 'destroy'>;
type Point = number | null;

/** Text in the page's font (Chart.js defaults to Helvetica, which lacks Chinese glyphs). */
const matchPageText = (canvas: HTMLCanvasElement) => {
  const style = getComputedStyle(canvas);
  Chart.defaults.font.family = style.fontFamily;
  Chart.defaults.color = style.color;
};

const animation = () =>
  matchMedia('(prefers-reduced-motion: reduce)').matches ? false : { duration: 300 };

export interface IndicatorChartSpec {
  /** Library names, in the order drawn. */
  labels: string[];
  values: number[];
  /** Whether each library falls short of the standard. */
  below: boolean[];
  /** Legend texts: the indicator, and (with a standard) those meeting it and those below it. */
  legend: { indicator: string; meets: string; below: string };
  standard?: { value: number; label: string };
  format: (value: number) => string;
}

/** Where the standard's line goes: across the whole plot, whatever the number of bars. */
export interface ChartArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * The standard's line in canvas pixels, given where the y scale puts its value; undefined when
 * that falls outside the plot (a value the scale does not show is not drawn over the axes).
 */
export const standardSegment = (
  area: ChartArea,
  y: number,
): { x1: number; x2: number; y: number } | undefined =>
  Number.isFinite(y) && y >= area.top - 0.5 && y <= area.bottom + 0.5
    ? { x1: area.left, x2: area.right, y: Math.round(y) + 0.5 }
    : undefined;

const STANDARD_DASH = [6, 4];

/**
 * Draws the standard as a dashed line across the plot after the bars. A line dataset joins
 * points at bar centres, so with one library it drew nothing; the dataset stays, without its
 * line, for the legend, the tooltip and the y scale's extent.
 */
const standardLine = (value: number): Plugin<MixedType> => ({
  id: 'standardLine',
  afterDatasetsDraw: (chart) => {
    const scale = chart.scales.y;
    if (!scale) return;
    const segment = standardSegment(chart.chartArea, scale.getPixelForValue(value));
    if (!segment) return;
    const { ctx } = chart;
    ctx.save();
    ctx.strokeStyle = COLORS.standard;
    ctx.lineWidth = 2;
    ctx.setLineDash(STANDARD_DASH);
    ctx.beginPath();
    ctx.moveTo(segment.x1, segment.y);
    ctx.lineTo(segment.x2, segment.y);
    ctx.stroke();
    ctx.restore();
  },
});

/** The bars, and with a standard its legend-and-tooltip dataset: pure, so it is unit-tested. */
export const indicatorDatasets = (spec: IndicatorChartSpec): ChartDataset<MixedType, Point[]>[] => {
  const { standard } = spec;
  const bars = (label: string, keep: (below: boolean) => boolean, color: string) => ({
    type: 'bar' as const,
    label,
    data: spec.values.map(
      (value, index): Point => (keep(spec.below[index] ?? false) ? value : null),
    ),
    backgroundColor: color,
    pointStyle: 'rect' as const,
    // One bar per library: the two series never share a slot, so they need not stand side by side.
    grouped: false,
    order: 1,
  });
  return standard
    ? [
        bars(spec.legend.meets, (below) => !below, COLORS.meets),
        bars(spec.legend.below, (below) => below, COLORS.below),
        {
          type: 'line',
          label: standard.label,
          data: spec.labels.map(() => standard.value),
          borderColor: COLORS.standard,
          backgroundColor: COLORS.standard,
          borderDash: STANDARD_DASH,
          borderWidth: 2,
          // The plugin draws the line; this dataset only names it and sizes the scale.
          showLine: false,
          pointRadius: 0,
          pointHoverRadius: 0,
          pointHitRadius: 0,
          pointStyle: 'line',
          order: 0,
        },
      ]
    : [bars(spec.legend.indicator, () => true, COLORS.meets)];
};

/** One bar per library, coloured by whether it meets the standard, with the standard as a line. */
export const drawIndicatorChart = (
  canvas: HTMLCanvasElement,
  spec: IndicatorChartSpec,
): DrawnChart => {
  matchPageText(canvas);
  const { standard } = spec;
  const datasets = indicatorDatasets(spec);
  const config: ChartConfiguration<MixedType, Point[], string> = {
    type: 'bar',
    data: { labels: spec.labels, datasets },
    plugins: standard ? [standardLine(standard.value)] : [],
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: animation(),
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { ticks: { autoSkip: true, maxRotation: 60, minRotation: 0 } },
        y: { beginAtZero: true, ticks: { callback: (value) => spec.format(Number(value)) } },
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: {
            usePointStyle: true,
            sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0),
          },
        },
        tooltip: {
          filter: (item) => item.raw !== null,
          itemSort: (a, b) => a.datasetIndex - b.datasetIndex,
          callbacks: {
            // The library's value, then whether it meets the standard; the line names itself.
            label: (item) =>
              item.dataset.type === 'line'
                ? (item.dataset.label ?? '')
                : `${spec.legend.indicator}: ${spec.format(Number(item.raw))}${standard ? ` · ${item.dataset.label ?? ''}` : ''}`,
          },
        },
      },
    },
  };
  return new Chart(canvas, config);
};

export interface FrequencyChartSpec {
  labels: string[];
  values: number[];
  legend: string;
  /** The tooltip text of one bar. */
  describe: (index: number) => string;
  format: (value: number) => string;
}

/** Horizontal bars, largest first as given: how often each problem was reported. */
export const drawFrequencyChart = (
  canvas: HTMLCanvasElement,
  spec: FrequencyChartSpec,
): DrawnChart => {
  matchPageText(canvas);
  const config: ChartConfiguration<'bar', number[], string> = {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: [{ label: spec.legend, data: spec.values, backgroundColor: COLORS.frequency }],
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: animation(),
      scales: {
        x: {
          beginAtZero: true,
          ticks: { precision: 0, callback: (value) => spec.format(Number(value)) },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => spec.describe(item.dataIndex) } },
      },
    },
  };
  return new Chart(canvas, config);
};
